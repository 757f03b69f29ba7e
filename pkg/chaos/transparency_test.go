package chaos

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// exchange is what one client sends: each write on its own with a pause
// between (so the proxy reads them apart), then, with flood, bytes that
// never end a header, written as long as the server takes them.
type exchange struct {
	name   string
	writes []string
	flood  bool
}

// outcome is what the client saw: every byte, and whether the server
// closed the connection (EOF or reset) before the client gave up waiting.
type outcome struct {
	got    string
	closed bool
	how    string // "eof", "reset" or the error: informative only
}

// everyByte splits s into one-byte writes.
func everyByte(s string) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i : i+1]
	}
	return out
}

// transparencyExchanges are the malformed and edge-case streams. The first
// ones are the report's: a broken multibulk or bulk header, then a client
// that keeps writing; Redis answers its protocol error and closes.
var transparencyExchanges = []exchange{
	{name: "NUL after *, client keeps writing", writes: []string{"*\x00"}, flood: true},
	{name: "NUL after $, client keeps writing", writes: []string{"*1\r\n$\x00"}, flood: true},
	{name: "bad multibulk length", writes: []string{"*abc\r\n"}},
	{name: "multibulk length over INT_MAX", writes: []string{"*2147483648\r\n"}},
	{name: "multibulk length with a leading zero", writes: []string{"*01\r\n$4\r\nPING\r\n"}},
	{name: "multibulk length with a sign", writes: []string{"*+1\r\n$4\r\nPING\r\n"}},
	{name: "negative multibulk length is empty", writes: []string{"*-5\r\nPING\r\n"}},
	{name: "bad bulk length", writes: []string{"*1\r\n$abc\r\n"}},
	{name: "bulk length over proto-max-bulk-len", writes: []string{"*1\r\n$1000000000\r\n"}},
	{name: "bulk length -0", writes: []string{"*1\r\n$-0\r\n"}},
	{name: "bulk without $", writes: []string{"*1\r\nPING\r\n"}},
	{name: "bulk not ended by CRLF", writes: []string{"*1\r\n$4\r\nPINGxxPING\r\n"}},
	{name: "CR without LF in a header", writes: []string{"*1\rX$4\r\nPING\r\n"}},
	{name: "NUL inside the count", writes: []string{"*1\x00\r\n$4\r\nPING\r\n"}},
	{name: "huge declared bulk, never sent", writes: []string{"*2\r\n$4\r\nECHO\r\n$100000000\r\nabc"}},
	{name: "top-level bulk", writes: []string{"$5\r\nxyzzy\r\n"}},
	{name: "inline with double quotes", writes: []string{"ECHO \"a b\\x41\\n\"\r\nECHO 'it\\'s'\r\n"}},
	{name: "inline with unbalanced quotes", writes: []string{"PING\r\nECHO \"abc\r\nPING\r\n"}},
	{name: "inline with text after a closing quote", writes: []string{"ECHO \"a\"b\r\n"}},
	{name: "inline with a NUL", writes: []string{"PING\x00\r\nPING\r\n"}},
	{name: "inline with tabs and vertical tabs", writes: []string{"ECHO\ta\vb\r\n"}},
	{name: "unterminated inline", writes: []string{"PING"}},
	{name: "inline too long", writes: []string{"ECHO "}, flood: true},
	{name: "empty lines", writes: []string{"\r\n\r\n\n\n  \r\nPING\r\n"}},
	{name: "pipeline mixing inline and multibulk", writes: []string{
		"PING\r\n*1\r\n$4\r\nPING\r\nECHO x\n\r\n\n*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n*0\r\nECHO z\r\n"}},
	{name: "request split at every byte", writes: everyByte("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\nECHO a\r\n")},
	{name: "error reply then QUIT", writes: []string{"NOSUCHCOMMAND a\r\n*1\r\n$4\r\nQUIT\r\nPING\r\n"}},
}

// converse plays ex on a new connection to addr and returns what came back.
// It stops waiting after quiet without a byte from the server.
func converse(t *testing.T, addr string, ex exchange, quiet time.Duration) outcome {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("%s: dial %s: %v", ex.name, addr, err)
	}
	var mu sync.Mutex
	var out outcome
	var last time.Time
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		buf := make([]byte, 4096)
		for {
			n, err := nc.Read(buf)
			mu.Lock()
			out.got += string(buf[:n])
			last = time.Now()
			if err != nil {
				switch {
				case errors.Is(err, net.ErrClosed): // ours
				case errors.Is(err, io.EOF):
					out.closed, out.how = true, "eof"
				case strings.Contains(err.Error(), "reset"):
					out.closed, out.how = true, "reset"
				default:
					out.closed, out.how = true, err.Error()
				}
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	for _, w := range ex.writes {
		if _, err := nc.Write([]byte(w)); err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if ex.flood {
		junk := bytes.Repeat([]byte("x"), 16<<10)
		for range 16 { // 256 KiB: past Redis's 64 KiB limit on a header or inline line
			if _, err := nc.Write(junk); err != nil {
				break
			}
		}
	}
	mu.Lock()
	last = time.Now()
	mu.Unlock()
	for {
		select {
		case <-readerDone:
			_ = nc.Close()
			return out
		case <-time.After(10 * time.Millisecond):
		}
		mu.Lock()
		idle := time.Since(last)
		mu.Unlock()
		if idle > quiet {
			_ = nc.Close()
			<-readerDone
			return out
		}
	}
}

// Every byte a client receives, and whether the server closed the
// connection, are the same through the proxy as straight from Redis, for
// malformed and unusual request streams, with no fault, with Redis-level
// faults that match nothing (so the proxy parses every request) and with a
// byte fault that changes nothing. Where the proxy cannot parse it must
// hand the bytes on unchanged and let Redis answer: Redis's protocol error
// line once went missing when the client kept writing.
func TestMalformedRequestsGetRedisOwnAnswers(t *testing.T) {
	srv := redistest.Start(t)
	variants := map[string]string{"direct": srv.Addr}
	for name, toxics := range map[string][]Toxic{
		"no fault":               nil,
		"error matching nothing": {always("e", "error", "", Attributes{"error": "LOADING", "command": "neversent"})},
		"delay matching nothing": {always("d", "delay", "", Attributes{"delay": 1, "key": "never:*"})},
		"latency 0 both ways":    {always("l", "latency", StreamBoth, Attributes{"latency": 0})},
	} {
		variants[name] = startProxy(t, srv.Addr, nil, toxics...).Addr()
	}
	const quiet = 300 * time.Millisecond
	for _, ex := range transparencyExchanges {
		t.Run(ex.name, func(t *testing.T) {
			results := map[string]outcome{}
			var mu sync.Mutex
			var wg sync.WaitGroup
			for name, addr := range variants {
				wg.Go(func() {
					o := converse(t, addr, ex, quiet)
					mu.Lock()
					results[name] = o
					mu.Unlock()
				})
			}
			wg.Wait()
			want := results["direct"]
			for name, got := range results {
				if got.got != want.got || got.closed != want.closed {
					t.Errorf("%s: got %q closed=%v (%s); straight from Redis %q closed=%v (%s)",
						name, got.got, got.closed, got.how, want.got, want.closed, want.how)
				}
			}
		})
	}
}
