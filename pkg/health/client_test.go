package health

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestClientErrors(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/auth":
			switch r.Header.Get("Authorization") {
			case "":
				w.WriteHeader(http.StatusUnauthorized)
			case "Bearer right":
				w.Header().Set("Content-Type", MediaType)
				_, _ = w.Write([]byte(`{"status":"pass"}`))
			default:
				w.WriteHeader(http.StatusForbidden)
			}
		case "/fail":
			w.Header().Set("Content-Type", MediaType)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"fail","output":"redis down"}`))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer ts.Close()
	dead := deadURL(t)

	cases := []struct {
		url   string
		token string
		admin bool
		want  error
	}{
		{ts.URL + "/auth", "", true, ErrUnauthorized},
		{ts.URL + "/auth", "wrong-Secret", true, ErrForbidden},
		{ts.URL + "/auth", "right", false, ErrUnauthorized}, // the token goes to admin endpoints only
		{ts.URL + "/auth", "right", true, nil},
		{ts.URL + "/nope", "", false, ErrNotFound},
		{ts.URL + "/fail", "", false, nil},
		{ts.URL + "/slow", "", false, ErrUnreachable},
		{dead, "", false, ErrUnreachable},
		{"ftp://host/health", "", false, ErrBadURL},
		{"not a url", "", false, ErrBadURL},
		{"http://user:pa55word@" + strings.TrimPrefix(dead, "http://"), "", false, ErrUnreachable},
	}
	for _, tc := range cases {
		c := &Client{Token: tc.token, Timeout: 200 * time.Millisecond}
		res, err := c.Fetch(context.Background(), tc.url, tc.admin)
		if !errors.Is(err, tc.want) {
			t.Errorf("Fetch(%s) error = %v, want %v", tc.url, err, tc.want)
		}
		if err != nil {
			for _, secret := range []string{"pa55word", "wrong-Secret", "right"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error leaks %q: %v", secret, err)
				}
			}
		}
		if strings.HasSuffix(tc.url, "/fail") && (res.Doc.Status != Fail || res.Code != 503) {
			t.Errorf("/fail = %+v", res)
		}
	}
}

// deadURL returns the URL of a port that nothing listens on.
func deadURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/health"
}
