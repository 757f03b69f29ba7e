package chaos

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	for _, tc := range []struct {
		in   string
		args []string
		n    int
		err  error
	}{
		{"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", []string{"GET", "k"}, 20, nil},
		{"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n", []string{"GET", "k"}, 20, nil},
		{"*1\r\n$4\r\nPI\r\n\r\n", []string{"PI\r\n"}, 14, nil}, // binary-safe
		{"PING\r\n", []string{"PING"}, 6, nil},
		{"set  a   b\n", []string{"set", "a", "b"}, 11, nil},
		{"\r\n", nil, 2, nil},
		{"*0\r\n", nil, 4, nil},
		{"*2\r\n$3\r\nGET\r\n$1\r\n", nil, 0, errIncomplete},
		{"*2\r\n$3\r\nGE", nil, 0, errIncomplete},
		{"*2", nil, 0, errIncomplete},
		{"PING", nil, 0, errIncomplete},
		{"*1\r\n:3\r\n", nil, 0, errProtocol},
		{"*x\r\n", nil, 0, errProtocol},
		{"*1\r\n$3\r\nGETX\r\n", nil, 0, errProtocol},
		{"*1\r\n$-1\r\n", nil, 0, errProtocol},
		{"*1\r\n$99999999999\r\n", nil, 0, errProtocol},
	} {
		req, n, err := parseRequest([]byte(tc.in))
		if !errors.Is(err, tc.err) || n != tc.n {
			t.Errorf("parseRequest(%q) = n %d err %v, want n %d err %v", tc.in, n, err, tc.n, tc.err)
			continue
		}
		var args []string
		for _, a := range req.Args {
			args = append(args, string(a))
		}
		if strings.Join(args, "|") != strings.Join(tc.args, "|") {
			t.Errorf("parseRequest(%q) args %q, want %q", tc.in, args, tc.args)
		}
	}
}

func TestParseReplyRESP2AndRESP3(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		push bool
		err  error
	}{
		{"+OK\r\n", 5, false, nil},
		{"-ERR x\r\n+OK\r\n", 8, false, nil},
		{":12\r\n", 5, false, nil},
		{"$3\r\nabc\r\n", 9, false, nil},
		{"$-1\r\n", 5, false, nil},
		{"*-1\r\n", 5, false, nil},
		{"*2\r\n$1\r\na\r\n:1\r\n", 15, false, nil},
		{"*1\r\n*1\r\n+x\r\n", 12, false, nil},
		{"_\r\n", 3, false, nil},
		{",1.5\r\n", 6, false, nil},
		{"#t\r\n", 4, false, nil},
		{"(123\r\n", 6, false, nil},
		{"!3\r\nerr\r\n", 9, false, nil},
		{"=7\r\ntxt:abc\r\n", 13, false, nil},
		{"%1\r\n+k\r\n:1\r\n", 12, false, nil},
		{"~2\r\n+a\r\n+b\r\n", 12, false, nil},
		{">2\r\n+a\r\n+b\r\n", 12, true, nil},
		{"|1\r\n+k\r\n+v\r\n:5\r\n", 16, false, nil}, // attribute, then its value
		{"*2\r\n$1\r\na\r\n", 0, false, errIncomplete},
		{"$3\r\nab", 0, false, errIncomplete},
		{"|1\r\n+k\r\n+v\r\n", 0, false, errIncomplete},
		{"?\r\n", 0, false, errProtocol},
		{"$3\r\nabcd\r\n", 0, false, errProtocol},
	} {
		n, push, err := parseReply([]byte(tc.in))
		if n != tc.n || push != tc.push || !errors.Is(err, tc.err) {
			t.Errorf("parseReply(%q) = %d %v %v, want %d %v %v", tc.in, n, push, err, tc.n, tc.push, tc.err)
		}
	}
}

// FuzzParseRequest holds the request parser to its contract on any input:
// no panic, a length within the input, and a frame that parses the same
// when more bytes follow it.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "PING\r\n", "*1\r\n$-1\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		req, n, err := parseRequest(b)
		if err != nil {
			return
		}
		if n <= 0 || n > len(b) {
			t.Fatalf("length %d for %d bytes", n, len(b))
		}
		again, m, err := parseRequest(append(b[:n:n], "*1\r\n"...))
		if err != nil || m != n || len(again.Args) != len(req.Args) {
			t.Fatalf("frame not stable: %d %v", m, err)
		}
	})
}
