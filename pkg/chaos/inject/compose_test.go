package inject

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Two overlapping faults on one setting, ended in either order: while one
// is left the server holds its value, and the original comes back once the
// last one ended — never a value one of the faults set.
func TestOverlappingConfigFaultsKeepTheOriginal(t *testing.T) {
	for _, tc := range []struct {
		name      string
		endFirst  int    // which fault ends first: 0 the older, 1 the newer
		whileLeft string // maxclients while the other is still on
	}{
		{"older ends first", 0, "60"},
		{"newer ends first", 1, "50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, tgt, j := setup(t)
			admin := srv.Client()
			ctx := context.Background()
			maxclients := func() string { return admin.ConfigGet(ctx, "maxclients").Val()["maxclients"] }

			// Given maxclients 50 by one fault, then 60 by a second one.
			var cancels [2]context.CancelFunc
			var dones [2]chan error
			for i, value := range []string{"50", "60"} {
				p := plan(t, tgt, Spec{Fault: "maxclients", Args: []string{value}, Duration: time.Hour})
				fctx, cancel := context.WithCancel(ctx)
				cancels[i], dones[i] = cancel, make(chan error, 1)
				go func() { dones[i] <- Inject(fctx, tgt, p, j, &bytes.Buffer{}) }()
				t.Cleanup(func() { cancel(); <-dones[i]; dones[i] <- nil })
				waitFor(t, "maxclients "+value, 5*time.Second, func() bool { return maxclients() == value })
			}

			// When one ends, the server holds the other's value.
			cancels[tc.endFirst]()
			if err := <-dones[tc.endFirst]; err != nil {
				t.Fatalf("end the first fault: %v", err)
			}
			dones[tc.endFirst] <- nil
			if got := maxclients(); got != tc.whileLeft {
				t.Fatalf("maxclients with one fault left = %s, want %s", got, tc.whileLeft)
			}
			if entries, _ := j.List(); len(entries) != 1 {
				t.Fatalf("journal holds %d entries with one fault left, want 1", len(entries))
			}

			// When the other ends too, the original is back.
			other := 1 - tc.endFirst
			cancels[other]()
			if err := <-dones[other]; err != nil {
				t.Fatalf("end the second fault: %v", err)
			}
			dones[other] <- nil
			if got := maxclients(); got != "10000" {
				t.Fatalf("maxclients after both ended = %s, want the original 10000", got)
			}
			if entries, _ := j.List(); len(entries) != 0 {
				t.Fatalf("journal not cleared: %+v", entries)
			}
		})
	}
}

// Redis keeps one pause per server: a second pause fault while one is on
// is refused before anything changes, and the first one is not disturbed.
func TestSecondPauseIsRefused(t *testing.T) {
	srv, tgt, j := setup(t)
	first := plan(t, tgt, Spec{Fault: "pause", Args: []string{"write"}, Duration: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Inject(ctx, tgt, first, j, &bytes.Buffer{}) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the first pause journaled", 5*time.Second, func() bool { e, _ := j.List(); return len(e) == 1 })

	second := plan(t, tgt, Spec{Fault: "pause", Args: []string{"write"}, Duration: time.Second})
	if err := Compose(j, tgt.Opts.Addr, second); !errors.Is(err, ErrOverlap) {
		t.Fatalf("Compose of a second pause: %v, want ErrOverlap", err)
	}
	if err := Inject(context.Background(), tgt, second, j, &bytes.Buffer{}); !errors.Is(err, ErrOverlap) {
		t.Fatalf("Inject of a second pause: %v, want ErrOverlap", err)
	}
	if e, _ := j.List(); len(e) != 1 {
		t.Fatalf("journal holds %d entries, want the first pause only", len(e))
	}
	w := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, Protocol: 2, ReadTimeout: 200 * time.Millisecond})
	defer w.Close()
	if err := w.Set(context.Background(), "k", "v", 0).Err(); err == nil {
		t.Fatal("a write went through: the refused pause ended the first one")
	}
}

// Entries journaled before Plan.Setting and Plan.Value existed still
// group by the setting their revert restores, so `chaos revert` restores
// the original once instead of replaying each entry's "was".
func TestGroupsReadOldEntries(t *testing.T) {
	old := func(id, addr, was string) Entry {
		return Entry{ID: id, Addr: addr, Plan: Plan{Fault: "maxclients", Revert: []Step{{Kind: "config", Key: "maxclients", Value: was}}}}
	}
	sleep := Entry{ID: "s", Addr: "a:1", Plan: Plan{Fault: "sleep", Revert: []Step{{Kind: "none"}}}}
	g := groups([]Entry{old("1", "a:1", "10000"), sleep, old("2", "b:1", "7"), old("3", "a:1", "50")})
	if len(g) != 3 || len(g[0]) != 2 || g[0][0].ID != "1" || g[0][1].ID != "3" || g[1][0].ID != "s" || g[2][0].ID != "2" {
		t.Fatalf("groups = %+v", g)
	}
}
