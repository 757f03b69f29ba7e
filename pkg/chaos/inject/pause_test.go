package inject

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// paused reports whether a PING from a new connection gets no answer
// within 200ms.
func paused(addr string) bool {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, Protocol: 2, ReadTimeout: 200 * time.Millisecond})
	defer c.Close()
	return c.Ping(context.Background()).Err() != nil
}

// CLIENT UNPAUSE waits behind a PAUSE ALL like every other command, so a
// 30 s pause all could not be cut short. Ended early (Ctrl-C), it is over
// within about a second, and no command got through while it was on.
func TestPauseAllEndsSoonAfterCtrlC(t *testing.T) {
	srv, tgt, j := setup(t)
	p := plan(t, tgt, Spec{Fault: "pause", Args: []string{"all"}, Duration: 30 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var log bytes.Buffer
	go func() { done <- Inject(ctx, tgt, p, j, &log) }()
	waitFor(t, "the pause", 5*time.Second, func() bool { return paused(srv.Addr) })

	// A client that keeps writing gets nothing through for a while.
	writer := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, Protocol: 2, ReadTimeout: 5 * time.Second})
	defer writer.Close()
	wrote := make(chan time.Time, 1)
	go func() { _ = writer.Incr(context.Background(), "n").Err(); wrote <- time.Now() }()
	time.Sleep(time.Second) // spans several renewals of the pause
	select {
	case at := <-wrote:
		t.Fatalf("a write went through %v into the pause", time.Since(at))
	default:
	}

	cancel()
	ended := time.Now()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("inject: %v (%s)", err, log.String())
		}
	case <-time.After(10 * time.Second):
		t.Errorf("the pause did not end within 10s of Ctrl-C")
		<-done
	}
	took := (<-wrote).Sub(ended)
	if took > 3*time.Second {
		t.Fatalf("the blocked write went through %v after Ctrl-C, want about a second", took)
	}
	t.Logf("the blocked write went through %v after Ctrl-C", took)
	if paused(srv.Addr) {
		t.Fatal("still paused after the revert")
	}
}

// Renewed link by link, a pause all still lasts its duration: a write sent
// as it starts goes through when it ends, neither early nor much later.
func TestPauseAllLastsItsDuration(t *testing.T) {
	srv, tgt, j := setup(t)
	const d = 1500 * time.Millisecond
	p := plan(t, tgt, Spec{Fault: "pause", Args: []string{"all"}, Duration: d})
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- Inject(context.Background(), tgt, p, j, &bytes.Buffer{}) }()
	waitFor(t, "the pause", 5*time.Second, func() bool { return paused(srv.Addr) })
	writer := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, Protocol: 2, ReadTimeout: 10 * time.Second})
	defer writer.Close()
	if err := writer.Incr(context.Background(), "n").Err(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if took < d-200*time.Millisecond || took > d+time.Second {
		t.Fatalf("a write waited %v under a %v pause all", took, d)
	}
}

// The chain's own connection authenticates as go-redis would: a password,
// or an ACL user and password.
func TestPauseAllAuthenticates(t *testing.T) {
	srv, tgt, j := setup(t, "--requirepass", "hunter2")
	if err := srv.Client().Do(context.Background(), "ACL", "SETUSER", "chaos", "on", ">pw", "+@all").Err(); err != nil {
		t.Fatal(err)
	}
	user := newTarget(t, "redis://chaos:pw@"+srv.Addr)
	for _, target := range []*Target{tgt, user} {
		p := plan(t, target, Spec{Fault: "pause", Args: []string{"all"}, Duration: 300 * time.Millisecond})
		var log bytes.Buffer
		if err := Inject(context.Background(), target, p, j, &log); err != nil {
			t.Fatalf("pause all as %q: %v (%s)", target.Opts.Username, err, log.String())
		}
	}
	bad := newTarget(t, "redis://chaos:wrong@"+srv.Addr)
	if _, err := startPauseChain(context.Background(), bad.Opts, time.Second); err == nil {
		t.Fatal("a chain with a wrong password started")
	}
}
