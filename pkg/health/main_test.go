package health

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/rescli/rescli/pkg/manager"
)

func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// fastManager is a manager with sub-second timings, so that an outage
// opens the breaker and a recovery closes it within a test.
func fastManager(t *testing.T, url string, timeout time.Duration) *manager.Manager {
	t.Helper()
	m, err := manager.New(manager.Options{
		URL: url, DialTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout,
		PoolTimeout: timeout, ProbeTimeout: timeout,
		HealthInterval: 100 * time.Millisecond, ProbeInterval: 100 * time.Millisecond,
		Breaker: manager.BreakerSettings{FailureThreshold: 2, OpenTimeout: 200 * time.Millisecond,
			MaxOpenTimeout: 400 * time.Millisecond},
	})
	if err != nil {
		t.Fatalf("manager.New: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func newBenchManager(url string) (*manager.Manager, error) {
	return manager.New(manager.Options{URL: url, ReadTimeout: time.Second, DialTimeout: time.Second})
}

// startChecker starts c and stops it when the test ends.
func startChecker(t *testing.T, c *Checker) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
}

// eventually polls cond every 20ms for up to 15s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// fetched is one HTTP answer from a handler under test.
type fetched struct {
	code   int
	header http.Header
	body   string
	doc    Document
}

func fetch(t *testing.T, c *http.Client, url, token string) fetched {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	f := fetched{code: resp.StatusCode, header: resp.Header, body: string(b)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), MediaType) {
		if err := json.Unmarshal(b, &f.doc); err != nil {
			t.Fatalf("decode %s: %v\n%s", url, err, b)
		}
	}
	return f
}

func serve(t *testing.T, c *Checker) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(c.Handler())
	t.Cleanup(ts.Close)
	return ts
}
