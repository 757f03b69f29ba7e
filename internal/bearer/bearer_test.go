package bearer

import (
	"encoding/base64"
	"testing"
)

func TestCheck(t *testing.T) {
	tok := New("s3cret-token")
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	for _, tc := range []struct {
		header string
		basic  bool
		want   Result
	}{
		{"Bearer s3cret-token", false, OK},
		{"bearer  s3cret-token ", false, OK},
		{"Bearer s3cret-tokeN", false, Wrong},
		{"Bearer s3cret", false, Wrong},
		{"Bearer ", false, Missing},
		{"", false, Missing},
		{"Token s3cret-token", false, Missing},
		{basic("", "s3cret-token"), true, OK},
		{basic("anyone", "s3cret-token"), true, OK},
		{basic("", "nope"), true, Wrong},
		{"Basic !!!", true, Wrong},
		{basic("", "s3cret-token"), false, Missing},
	} {
		if got := tok.Check(tc.header, tc.basic); got != tc.want {
			t.Errorf("Check(%q, basic=%v) = %v, want %v", tc.header, tc.basic, got, tc.want)
		}
	}
	if New("").Required() || !tok.Required() {
		t.Fatal("Required")
	}
	if New("").Check("Bearer x", false) != Wrong {
		t.Fatal("no token configured must never say OK")
	}
}
