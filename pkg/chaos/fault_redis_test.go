package chaos

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestMaxClientsRejectsLikeRedis(t *testing.T) {
	_, p := startRedisProxy(t, nil, always("full", "maxclients", "", Attributes{"limit": 2}))
	dialPing(t, p.Addr())
	dialPing(t, p.Addr())

	// The third connection reads Redis's exact bytes, then EOF.
	nc, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	got, err := io.ReadAll(nc)
	if err != nil || string(got) != "-ERR max number of clients reached\r\n" {
		t.Fatalf("third connection read %q, %v", got, err)
	}
	// go-redis fails as against a full Redis (which closes at once, so a
	// client that writes first sees a reset or EOF rather than the text).
	if err := client(t, p.Addr()).Ping(ctx(t)).Err(); err == nil {
		t.Fatal("go-redis PING over the limit succeeded")
	}
	st := p.Stats()
	if st.Rejected != 2 || st.Peak != 2 || st.Injected["full"] != 2 {
		t.Fatalf("stats = %+v, want 2 rejected, peak 2, 2 injected", st)
	}
}

func TestErrorPresetsReachGoRedisExactly(t *testing.T) {
	_, p := startRedisProxy(t, nil)
	c := client(t, p.Addr())
	for _, preset := range []string{"LOADING", "BUSY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "OOM", "NOREPLICAS", "MISCONF"} {
		t.Run(preset, func(t *testing.T) {
			if _, err := p.AddToxic(always("e", "error", "", Attributes{"error": preset})); err != nil {
				t.Fatal(err)
			}
			defer p.RemoveToxic("e")
			err := c.Get(ctx(t), "k").Err()
			want := errorPresets[preset]
			if err == nil || err.Error() != want {
				t.Fatalf("GET: %v, want %q", err, want)
			}
		})
	}
}

func TestErrorSelectsByCommandAndKeyGlob(t *testing.T) {
	srv, p := startRedisProxy(t, nil, always("e", "error", "", Attributes{
		"message": "ERR injected", "command": "get,mget", "key": "user:*"}))
	ctx := ctx(t)
	srv.Client().Set(ctx, "user:1", "a", 0)
	srv.Client().Set(ctx, "order:1", "b", 0)
	c := client(t, p.Addr())
	if err := c.Get(ctx, "user:1").Err(); err == nil || err.Error() != "ERR injected" {
		t.Fatalf("GET user:1 = %v, want ERR injected", err)
	}
	if v, err := c.Get(ctx, "order:1").Result(); err != nil || v != "b" {
		t.Fatalf("GET order:1 = %q, %v; want b", v, err)
	}
	if err := c.Set(ctx, "user:1", "c", 0).Err(); err != nil {
		t.Fatalf("SET user:1 is not selected: %v", err)
	}
	if got := p.Stats().Injected["e"]; got != 1 {
		t.Fatalf("injected %d, want 1", got)
	}
}

func TestMovedCarriesTheKeysClusterSlot(t *testing.T) {
	_, p := startRedisProxy(t, nil, always("m", "error", "", Attributes{"error": "moved", "address": "127.0.0.1:7001"}))
	err := client(t, p.Addr()).Get(ctx(t), "foo").Err()
	// CLUSTER KEYSLOT foo is 12182.
	if err == nil || err.Error() != "MOVED 12182 127.0.0.1:7001" {
		t.Fatalf("GET foo: %v", err)
	}
}

// Given a pipeline whose every third GET fails, every reply still lands
// on its own command.
func TestPipelineRepliesStayInOrder(t *testing.T) {
	srv, p := startRedisProxy(t, nil, always("e", "error", "", Attributes{"message": "ERR bad key", "key": "bad:*"}))
	ctx := ctx(t)
	for i := range 100 {
		srv.Client().Set(ctx, fmt.Sprintf("good:%d", i), i, 0)
	}
	pipe := client(t, p.Addr()).Pipeline()
	var cmds []*redis.StringCmd
	for i := range 100 {
		key := fmt.Sprintf("good:%d", i)
		if i%3 == 0 {
			key = fmt.Sprintf("bad:%d", i)
		}
		cmds = append(cmds, pipe.Get(ctx, key))
	}
	_, _ = pipe.Exec(ctx)
	for i, cmd := range cmds {
		v, err := cmd.Result()
		if i%3 == 0 {
			if err == nil || err.Error() != "ERR bad key" {
				t.Fatalf("command %d: %q %v, want ERR bad key", i, v, err)
			}
			continue
		}
		if err != nil || v != fmt.Sprint(i) {
			t.Fatalf("command %d: %q %v, want %d", i, v, err, i)
		}
	}
}

// The same seed makes the same per-request choices.
func TestToxicityPerRequestReplaysFromTheSeed(t *testing.T) {
	run := func(seed uint64) string {
		_, p := startRedisProxy(t, []Option{WithSeed(seed)},
			Toxic{Name: "e", Type: "error", Toxicity: 0.5, Attributes: Attributes{"message": "ERR flaky"}})
		c := client(t, p.Addr())
		var b strings.Builder
		for range 200 {
			if c.Ping(ctx(t)).Err() != nil {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b, other := run(42), run(42), run(7)
	if a != b {
		t.Fatalf("same seed, different choices:\n%s\n%s", a, b)
	}
	if a == other {
		t.Fatal("different seeds made the same 200 choices")
	}
	if n := strings.Count(a, "x"); n < 60 || n > 140 {
		t.Fatalf("%d of 200 failed with toxicity 0.5", n)
	}
}

func TestDelayHoldsOnlyTheSelectedConnection(t *testing.T) {
	srv, p := startRedisProxy(t, nil, always("slow", "delay", "", Attributes{"delay": 3_600_000, "command": "get", "key": "user:*"}))
	ctx := ctx(t)
	srv.Client().Set(ctx, "user:1", "u", 0)
	slow, fast := client(t, p.Addr()), client(t, p.Addr())

	done := make(chan error, 1)
	go func() { done <- slow.Get(ctx, "user:1").Err() }()
	eventually(t, "the delay to catch GET user:1", func() bool { return p.Stats().Injected["slow"] == 1 })
	if err := fast.Set(ctx, "user:2", "x", 0).Err(); err != nil {
		t.Fatalf("another connection must not wait: %v", err)
	}
	select {
	case err := <-done:
		t.Fatalf("GET user:1 returned (%v) while delayed for an hour", err)
	default:
	}
	// Removing the fault releases the held request at once.
	if err := p.RemoveToxic("slow"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("held GET after removal: %v", err)
	}
}

func TestRestartRefusesThenLoadsThenRecovers(t *testing.T) {
	clock := newFakeClock()
	_, p := startRedisProxy(t, []Option{WithClock(clock)})
	c := client(t, p.Addr())
	ctx := ctx(t)
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddToxic(always("r", "restart", "", Attributes{"refuse": 1000, "loading": 1000})); err != nil {
		t.Fatal(err)
	}
	// Refusing: the open connection was dropped and new ones are refused.
	eventually(t, "the proxy to refuse", func() bool { return refused(p.Addr()) })
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("PING succeeded while the proxy was down")
	}
	clock.waitForWaiter()
	clock.Advance(time.Second)
	// Loading: connections are accepted and every request gets -LOADING.
	eventually(t, "LOADING replies", func() bool {
		err := c.Ping(ctx).Err()
		return err != nil && err.Error() == errorPresets["LOADING"]
	})
	clock.Advance(time.Second)
	eventually(t, "recovery", func() bool { return c.Ping(ctx).Err() == nil })
}

func TestRejectsBadFaults(t *testing.T) {
	p := NewProxy("x", "127.0.0.1:0", "127.0.0.1:1")
	defer p.Close()
	for _, tc := range []struct {
		toxic Toxic
		want  error
	}{
		{always("a", "nope", "", nil), ErrUnknownType},
		{always("a", "latency", "", Attributes{"latency": -1}), ErrBadAttributes},
		{always("a", "latency", "", Attributes{"latncy": 1}), ErrBadAttributes},
		{always("a", "latency", "sideways", nil), ErrBadStream},
		{always("a", "error", "", Attributes{"error": "NOPE"}), ErrBadAttributes},
		{always("a", "error", "", Attributes{"message": "ERR a\r\nb"}), ErrBadAttributes},
		{always("a", "error", "", Attributes{"error": "MOVED"}), ErrBadAttributes},
		{always("a", "delay", "", Attributes{"key": strings.Repeat("k", 1025), "delay": 1}), ErrBadAttributes},
		{Toxic{Name: "a", Type: "latency", Toxicity: 2}, ErrBadAttributes},
	} {
		if _, err := p.AddToxic(tc.toxic); !errors.Is(err, tc.want) {
			t.Errorf("AddToxic(%+v) = %v, want %v", tc.toxic, err, tc.want)
		}
	}
	if _, err := p.AddToxic(always("a", "latency", "", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddToxic(always("a", "latency", "", nil)); !errors.Is(err, ErrToxicExists) {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, err := p.UpdateToxic("b", nil, nil); !errors.Is(err, ErrToxicNotFound) {
		t.Fatalf("update missing: %v", err)
	}
}

// A Redis-level fault added while a client streams requests without
// waiting for replies (as auto-pipelining clients such as ioredis and
// Lettuce do) on a passing-through connection: the replies to requests
// forwarded unread come before any made-up reply, so every reply still
// answers its own request. The made-up reply once went out at once, ahead
// of them.
func TestFaultAddedUnderStreamingKeepsRepliesInOrder(t *testing.T) {
	_, p := startRedisProxy(t, nil)
	nc := rawConn(t, p.Addr())
	const inFlight = 512 // the writer stays at most this far ahead
	credit := make(chan struct{}, inFlight)
	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	go func() { // ECHO n, PING, ECHO n+1, PING, ...
		var err error
		defer func() { writerDone <- err }()
		for n := 0; ; n++ {
			select {
			case credit <- struct{}{}:
			case <-stop:
				return
			}
			arg := strconv.Itoa(n)
			req := fmt.Sprintf("*2\r\n$4\r\nECHO\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n", len(arg), arg)
			if _, err = nc.Write([]byte(req)); err != nil {
				return
			}
		}
	}()
	var replies atomic.Int64
	readerDone := make(chan error, 1)
	go func() {
		r := bufio.NewReader(nc)
		line := func() (string, error) {
			l, err := r.ReadString('\n')
			return strings.TrimSuffix(l, "\r\n"), err
		}
		fail := func(err error) {
			select {
			case <-stop: // the test closed the connection under the reader
				readerDone <- nil
			default:
				readerDone <- err
			}
		}
		for n := 0; ; n++ {
			head, err1 := line()
			body, err2 := line()
			ping, err3 := line()
			if err := errors.Join(err1, err2, err3); err != nil {
				fail(err)
				return
			}
			if !strings.HasPrefix(head, "$") || body != strconv.Itoa(n) {
				fail(fmt.Errorf("reply to ECHO %d: %q %q", n, head, body))
				return
			}
			if ping != "+PONG" && ping != "-ERR injected" {
				fail(fmt.Errorf("reply to the PING after ECHO %d: %q", n, ping))
				return
			}
			replies.Add(1)
			<-credit
		}
	}()
	errFault := always("err", "error", "", Attributes{"message": "ERR injected", "command": "ping"})
	check := func() {
		select {
		case err := <-readerDone:
			t.Fatal(err)
		default:
		}
	}
	for range 30 {
		before := replies.Load()
		eventually(t, "replies to flow", func() bool { check(); return replies.Load() > before+inFlight })
		if _, err := p.AddToxic(errFault); err != nil {
			t.Fatal(err)
		}
		before = replies.Load()
		eventually(t, "replies to flow with the fault", func() bool { check(); return replies.Load() > before+inFlight })
		if err := p.RemoveToxic("err"); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	<-writerDone
	_ = nc.Close()
	if err := <-readerDone; err != nil {
		t.Fatal(err)
	}
}

// Inside MULTI a faulted command is queued like any other and its error
// comes in EXEC's array, in its place; after DISCARD, whose queued
// commands never answer, later faulted commands still get their errors.
func TestErrorsInsideTransactions(t *testing.T) {
	_, p := startRedisProxy(t, nil, always("e", "error", "", Attributes{"message": "ERR bad key", "key": "bad:*"}))
	rdb := client(t, p.Addr())
	ctx := ctx(t)
	cmds, err := rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.Set(ctx, "good", "1", 0)
		pipe.Get(ctx, "bad:1")
		pipe.Get(ctx, "good")
		return nil
	})
	if err == nil || len(cmds) != 3 || cmds[0].Err() != nil || cmds[1].Err() == nil ||
		cmds[1].Err().Error() != "ERR bad key" || cmds[2].(*redis.StringCmd).Val() != "1" {
		t.Fatalf("EXEC with a faulted command: %v %v", cmds, err)
	}
	for _, step := range []struct {
		args []any
		want string
	}{
		{[]any{"MULTI"}, "OK"}, {[]any{"GET", "bad:2"}, "QUEUED"}, {[]any{"DISCARD"}, "OK"},
		{[]any{"GET", "bad:3"}, "ERR bad key"}, {[]any{"GET", "good"}, "1"},
	} {
		v, err := rdb.Do(ctx, step.args...).Result()
		got := fmt.Sprint(v)
		if err != nil {
			got = err.Error()
		}
		if got != step.want {
			t.Fatalf("%v = %q, want %q", step.args, got, step.want)
		}
	}
}
