package chaos

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/rescli/rescli/internal/strictjson"
)

// maxBody caps a request body: the largest a real one gets (a populate of
// many proxies) is a few KB.
const maxBody = 1 << 20

// errTooLarge marks a request body over maxBody (413).
var errTooLarge = strictjson.ErrTooLarge

// decode reads a JSON body into v, answering the error itself when it
// cannot: the body must be one strict JSON document (internal/strictjson)
// of at most maxBody bytes (413).
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decodeBody(http.MaxBytesReader(w, r.Body, maxBody), v); err != nil {
		writeError(w, err)
		return false
	}
	return true
}

// decodeBody maps strictjson's errors onto the API's: 413 and 400.
func decodeBody(body io.Reader, v any) error {
	err := strictjson.Decode(body, v)
	if err == nil || errors.Is(err, errTooLarge) {
		return err
	}
	return fmt.Errorf("%w: %w", errBadRequest, err)
}
