//go:build linux

package chaos

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// framedInLoop is how many of p's connections the event loop holds with
// their requests framed.
func framedInLoop(t *testing.T, p *Proxy) int {
	t.Helper()
	return sumClientSides(t, p, func(s *lside) int {
		if s.lc.frame.on {
			return 1
		}
		return 0
	})
}

// readReplies reads n single-line or bulk replies from r.
func readReplies(t *testing.T, r *bufio.Reader, n int) []string {
	t.Helper()
	var out []string
	for range n {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %d replies: %v", len(out), err)
		}
		if strings.HasPrefix(line, "$") && line != "$-1\r\n" {
			var size int
			fmt.Sscanf(line, "$%d", &size)
			body := make([]byte, size+2)
			if _, err := io.ReadFull(r, body); err != nil {
				t.Fatal(err)
			}
			line = string(body)
		}
		out = append(out, strings.TrimSuffix(line, "\r\n"))
	}
	return out
}

func set(key, value string) string {
	return fmt.Sprintf("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(key), key, len(value), value)
}

func get(key string) string {
	return fmt.Sprintf("*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", len(key), key)
}

// A Redis-level fault that matches nothing keeps the connection in the
// loop, framing its requests: pipelined, split anywhere, large or inline,
// each reaches Redis whole and its reply comes back in order.
func TestFaultMatchingNothingStaysInTheLoop(t *testing.T) {
	_, p := startRedisProxy(t, nil, always("e", "error", "", Attributes{"message": "ERR injected", "key": "bad:*"}))
	nc := rawConn(t, p.Addr())
	r := bufio.NewReader(nc)
	big := strings.Repeat("v", 300<<10) // several reads
	stream := set("a", "1") + "PING\r\n" + set("big", big) + get("a") + get("big") + get("missing")
	for i := 0; i < len(stream); {
		n := min(1+i%7919, len(stream)-i) // odd-sized writes: requests split anywhere
		if _, err := nc.Write([]byte(stream[i : i+n])); err != nil {
			t.Fatal(err)
		}
		i += n
		if i < 200 {
			time.Sleep(time.Millisecond) // small writes arrive as reads of their own
		}
	}
	got := readReplies(t, r, 6)
	want := []string{"+OK", "+PONG", "+OK", "1", big, "$-1"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("reply %d: %.40q, want %.40q", i, got[i], want[i])
		}
	}
	if n := framedInLoop(t, p); n != 1 {
		t.Fatalf("%d connections framed in the loop, want 1", n)
	}
	if n := p.Stats().Injected["e"]; n != 0 {
		t.Fatalf("injected %d", n)
	}
}

// At the first request a fault acts on, the connection moves to goroutines
// with that request unread: the requests before it were forwarded, the
// matching one gets the fault, the ones after it their own replies, even
// when the matching request arrives in two reads.
func TestHandOverAtTheMatchingRequest(t *testing.T) {
	for _, name := range []string{"loop", "goroutines"} {
		t.Run(name, func(t *testing.T) {
			var opts []Option
			if name == "goroutines" {
				opts = []Option{func(o *options) { o.noLoopFraming = true }}
			}
			_, p := startRedisProxy(t, opts, always("e", "error", "", Attributes{"message": "ERR injected", "key": "bad:*"}))
			nc := rawConn(t, p.Addr())
			r := bufio.NewReader(nc)
			first := set("a", "1") + get("a") + get("bad:x")
			cut := len(first) - 5
			if _, err := nc.Write([]byte(first[:cut])); err != nil {
				t.Fatal(err)
			}
			// The requests before the cut one are answered before it is complete.
			if got := readReplies(t, r, 2); got[0] != "+OK" || got[1] != "1" {
				t.Fatalf("first replies %q", got)
			}
			if name == "loop" {
				if n := framedInLoop(t, p); n != 1 {
					t.Fatalf("%d connections framed in the loop before the match, want 1", n)
				}
			}
			if _, err := nc.Write([]byte(first[cut:] + get("a") + "PING\r\n")); err != nil {
				t.Fatal(err)
			}
			got := append([]string{"+OK", "1"}, readReplies(t, r, 3)...)
			want := []string{"+OK", "1", "-ERR injected", "1", "+PONG"}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("replies %q, want %q", got, want)
			}
			if n := p.Stats().Injected["e"]; n != 1 {
				t.Fatalf("injected %d, want 1 (counted once, on goroutines)", n)
			}
		})
	}
}

// A request held back incomplete flows on when the fault that made the
// loop frame it is removed, and when the client's stream ends.
func TestHeldBackRequestFlowsOn(t *testing.T) {
	_, p := startRedisProxy(t, nil, always("e", "error", "", Attributes{"message": "ERR injected", "key": "bad:*"}))
	nc := rawConn(t, p.Addr())
	r := bufio.NewReader(nc)
	if _, err := nc.Write([]byte("*1\r\n$4\r\nPI")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the loop to frame it", func() bool { return framedInLoop(t, p) == 1 })
	time.Sleep(20 * time.Millisecond)
	if up := p.Stats().BytesUp; up != 0 {
		t.Fatalf("%d bytes reached Redis before the request was complete, want 0 (held back)", up)
	}
	if err := p.RemoveToxic("e"); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write([]byte("NG\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := readReplies(t, r, 1); got[0] != "+PONG" {
		t.Fatalf("reply %q, want +PONG", got)
	}

	if _, err := p.AddToxic(always("e", "error", "", Attributes{"message": "ERR injected", "key": "bad:*"})); err != nil {
		t.Fatal(err)
	}
	nc2 := rawConn(t, p.Addr())
	before := p.Stats().BytesUp
	partial := "*1\r\n$4\r\nPI"
	if _, err := nc2.Write([]byte(partial)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if up := p.Stats().BytesUp - before; up != 0 {
		t.Fatalf("%d bytes reached Redis before the client's end, want 0 (held back)", up)
	}
	_ = nc2.(*net.TCPConn).CloseWrite()
	eventually(t, "the held-back bytes to reach Redis", func() bool {
		return p.Stats().BytesUp-before == int64(len(partial))
	})
}

// When Redis ends the connection, a request the loop held back is dropped
// with it: it never goes back to the client that sent it.
func TestHeldBackRequestNeverEchoes(t *testing.T) {
	srv, p := startRedisProxy(t, nil, always("e", "error", "", Attributes{"message": "ERR injected", "key": "bad:*"}))
	nc := rawConn(t, p.Addr())
	if _, err := nc.Write([]byte(set("a", "1") + "*1\r\n$4\r\nPI")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(nc)
	if got := readReplies(t, r, 1); got[0] != "+OK" {
		t.Fatalf("reply %q", got)
	}
	if n := framedInLoop(t, p); n != 1 {
		t.Fatalf("%d connections framed in the loop, want 1", n)
	}
	if err := srv.Client().Do(ctx(t), "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
		t.Fatalf("after Redis closed, the client read %q, %v; want nothing, then the end", rest, err)
	}
}
