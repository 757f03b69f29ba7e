// Package strictjson decodes a request body the one way every reader would:
// exactly one JSON document (trailing data is an error), no object key
// twice at any depth (encoding/json would keep the last one silently, so
// two readers could read one body two ways), no field the target does not
// have, and a size cap. The chaos control API and pkg/health's admin
// endpoints decode their bodies with it.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ErrTooLarge is returned when the body is over its cap (HTTP 413).
var ErrTooLarge = errors.New("request body too large")

// ErrInvalid is returned for a body that is not one strict JSON document of
// the wanted shape (HTTP 400).
var ErrInvalid = errors.New("invalid JSON body")

// Decode reads r to its end into v. Wrap r with http.MaxBytesReader to cap
// it: a body over the cap is ErrTooLarge.
func Decode(r io.Reader, v any) error {
	b, err := io.ReadAll(r)
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, mbe.Limit)
		}
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := checkOneDocument(b); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
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
			if len(stack) > 0 { // "{"a": ends here: not an empty body
				return io.ErrUnexpectedEOF
			}
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
				// encoding/json matches a key to a field whatever its case:
				// "action" and "ACTION" are one field, read twice.
				key := tok.(string)
				folded := strings.ToLower(key)
				if top.keys[folded] {
					return fmt.Errorf("key %q appears twice in one object", key)
				}
				top.keys[folded], top.wantKey = true, false
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
