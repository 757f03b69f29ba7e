package strictjson

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDecode(t *testing.T) {
	type body struct {
		Action string `json:"action"`
		Nested struct {
			N int `json:"n"`
		} `json:"nested"`
	}
	for _, tc := range []struct {
		in   string
		want error
		why  string
	}{
		{`{"action":"reset"}`, nil, ""},
		{` {"action":"reset","nested":{"n":1}} ` + "\n", nil, ""},
		{``, ErrInvalid, "empty body"},
		{`{"action":"a"}{"action":"b"}`, ErrInvalid, "data after the JSON document"},
		{`{"action":"a","action":"b"}`, ErrInvalid, `key "action" appears twice`},
		{`{"nested":{"n":1,"n":2}}`, ErrInvalid, `key "n" appears twice`},
		// encoding/json matches field names without regard to case.
		{`{"action":"reset","ACTION":"force-open"}`, ErrInvalid, `key "ACTION" appears twice`},
		{`{"action":"a","extra":1}`, ErrInvalid, "unknown field"},
		{`{"action":`, ErrInvalid, "unexpected EOF"},
		{`[1,2]`, ErrInvalid, "cannot unmarshal"},
	} {
		var v body
		err := Decode(strings.NewReader(tc.in), &v)
		if !errors.Is(err, tc.want) || (err != nil && !strings.Contains(err.Error(), tc.why)) {
			t.Errorf("Decode(%q) = %v, want %v with %q", tc.in, err, tc.want, tc.why)
		}
	}
}

func TestDecodeCap(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"action":"`+strings.Repeat("x", 100)+`"}`))
	var v struct{ Action string }
	err := Decode(http.MaxBytesReader(w, r.Body, 64), &v)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 64 bytes") {
		t.Fatalf("Decode over the cap = %v, want ErrTooLarge naming the cap", err)
	}
}
