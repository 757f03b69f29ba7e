package chaos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxBody caps a request body: the largest a real one gets (a populate of
// many proxies) is a few KB.
const maxBody = 1 << 20

// errTooLarge marks a request body over maxBody (413).
var errTooLarge = errors.New("request body too large")

// decode reads a JSON body into v, answering the error itself when it
// cannot: the body must be exactly one JSON document (trailing data is an
// error), with no object key twice at any depth (encoding/json would keep
// the last one silently, so two clients could read one body two ways), no
// field v does not have, and at most maxBody bytes (413).
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decodeBody(http.MaxBytesReader(w, r.Body, maxBody), v); err != nil {
		writeError(w, err)
		return false
	}
	return true
}

func decodeBody(body io.Reader, v any) error {
	b, err := io.ReadAll(body)
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return fmt.Errorf("%w: more than %d bytes", errTooLarge, mbe.Limit)
		}
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	if err := checkOneDocument(b); err != nil {
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return nil
}

// jsonFrame is one open object or array while checkOneDocument walks.
type jsonFrame struct {
	keys    map[string]bool // nil for an array
	wantKey bool            // an object's next token is a key
}

// checkOneDocument reports an error unless b holds exactly one JSON value
// in which no object repeats a key.
func checkOneDocument(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var stack []*jsonFrame
	values := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if values == 0 {
				return errors.New("empty body: want a JSON document")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if len(stack) == 0 && values == 1 {
			return errors.New("data after the JSON document")
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			f := &jsonFrame{}
			if tok == json.Delim('{') {
				f.keys, f.wantKey = map[string]bool{}, true
			}
			stack = append(stack, f)
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		default:
			if top != nil && top.keys != nil && top.wantKey {
				key := tok.(string)
				if top.keys[key] {
					return fmt.Errorf("key %q appears twice in one object", key)
				}
				top.keys[key], top.wantKey = true, false
				continue
			}
		}
		// A whole value ended: the document, an array element or an
		// object member.
		if len(stack) == 0 {
			values++
		} else if parent := stack[len(stack)-1]; parent.keys != nil {
			parent.wantKey = true
		}
	}
}
