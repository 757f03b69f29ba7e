package orchestrate

import (
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fakeClock is a Clock whose timers fire only when the test calls fireNext.
// Inside a synctest bubble, drive fires them one at a time and lets every
// goroutine settle in between, so a run replays the same exact timeline.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*fakeTimer
}

type fakeTimer struct {
	at  time.Time
	seq int
	f   func()
}

func newFakeClock() *fakeClock { return &fakeClock{now: epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// elapsed is the fake time since epoch.
func (c *fakeClock) elapsed() time.Duration { return c.Now().Sub(epoch) }

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(max(d, 0)), seq: c.seq, f: f}
	c.seq++
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		i := slices.Index(c.timers, t)
		if i < 0 {
			return false
		}
		c.timers = slices.Delete(c.timers, i, i+1)
		return true
	}
}

// fireNext moves time to the earliest timer and runs it in its own
// goroutine, as time.AfterFunc does. It reports false if no timer is set.
func (c *fakeClock) fireNext() bool { return c.fireBefore(epoch.Add(1 << 62)) }

// fireBefore is fireNext for a timer due no later than limit.
func (c *fakeClock) fireBefore(limit time.Time) bool {
	c.mu.Lock()
	i := -1
	for j, t := range c.timers {
		if i < 0 || t.at.Before(c.timers[i].at) || (t.at.Equal(c.timers[i].at) && t.seq < c.timers[i].seq) {
			i = j
		}
	}
	if i < 0 || c.timers[i].at.After(limit) {
		c.mu.Unlock()
		return false
	}
	t := c.timers[i]
	c.timers = slices.Delete(c.timers, i, i+1)
	c.now = t.at
	c.mu.Unlock()
	go t.f()
	return true
}

// drive fires timers until done is closed. It must run in a synctest
// bubble: synctest.Wait is how it knows that everything has settled.
func (c *fakeClock) drive(t *testing.T, done <-chan struct{}) {
	t.Helper()
	for {
		synctest.Wait()
		select {
		case <-done:
			return
		default:
		}
		if !c.fireNext() {
			t.Fatalf("stuck at %v: nothing scheduled and not done", c.elapsed())
		}
	}
}

// advanceTo fires, one at a time, every timer due by at, then moves the
// clock to at and lets everything settle.
func (c *fakeClock) advanceTo(at time.Duration) {
	for {
		synctest.Wait()
		if !c.fireBefore(epoch.Add(at)) {
			break
		}
	}
	c.mu.Lock()
	c.now = epoch.Add(at)
	c.mu.Unlock()
	synctest.Wait()
}

func TestFakeClockFiresInDeadlineOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Given timers set out of order
		c := newFakeClock()
		var mu sync.Mutex
		var got []string
		record := func(s string) func() {
			return func() { mu.Lock(); got = append(got, s+"@"+c.elapsed().String()); mu.Unlock() }
		}
		c.AfterFunc(2*time.Second, record("b"))
		stop := c.AfterFunc(time.Second, record("never"))
		c.AfterFunc(time.Second, record("a"))
		// When one is stopped and the rest fire
		if !stop() || stop() {
			t.Fatal("stop should succeed once")
		}
		for c.fireNext() {
			synctest.Wait()
		}
		// Then they ran in deadline order at their deadlines
		if want := []string{"a@1s", "b@2s"}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}
