package verify

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/rescli/rescli/internal/redistest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}

func statusOf(t *testing.T, rep *Report, name string) Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no result for %s in %+v", name, rep.Results)
	return Result{}
}

func TestHealthyServerPassesEveryCheck(t *testing.T) {
	srv := redistest.Start(t)
	rep, err := Run(context.Background(), Options{RedisURL: srv.URL(), HerdServices: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		want := Pass
		if r.Name == "sentinel" || r.Name == "cluster" {
			want = Skipped // topology checks on a standalone server
		}
		if r.Status != want {
			t.Errorf("%s: %s %q (hint %q)", r.Name, r.Status, r.Value, r.Hint)
		}
	}
	if len(rep.Results) != 10 || rep.Failed() {
		t.Fatalf("%d results, failed=%v", len(rep.Results), rep.Failed())
	}
}

func TestNearlyFullMaxclientsFailsHeadroom(t *testing.T) {
	srv := redistest.Start(t, "--maxclients", "10")
	ctx := context.Background()
	for range 9 { // verify's own connection makes 10 of 10
		if err := srv.Client().Ping(ctx).Err(); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Run(ctx, Options{RedisURL: srv.URL(), Only: []string{"connectivity", "headroom"}})
	if err != nil {
		t.Fatal(err)
	}
	r := statusOf(t, rep, "headroom")
	if r.Status != Fail || !strings.Contains(r.Value, "10 of 10 clients") || r.Hint == "" {
		t.Fatalf("headroom = %+v", r)
	}
}

func TestNearlyFullMemoryWithNoevictionFails(t *testing.T) {
	srv := redistest.Start(t, "--maxmemory-policy", "noeviction")
	ctx := context.Background()
	c := srv.Client()
	for i := range 200 {
		if err := c.Set(ctx, fmt.Sprint("k", i), strings.Repeat("x", 4096), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	used, _ := strconv.ParseInt(srv.Info("used_memory"), 10, 64)
	if err := c.ConfigSet(ctx, "maxmemory", fmt.Sprint(used+used/50)).Err(); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, Options{RedisURL: srv.URL(), Only: []string{"connectivity", "memory"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := statusOf(t, rep, "memory"); r.Status != Fail || !strings.Contains(r.Hint, "OOM") {
		t.Fatalf("memory = %+v", r)
	}
	// As a cache, an allkeys policy is expected: noeviction warns before it is full.
	_ = c.ConfigSet(ctx, "maxmemory", "0")
	rep, _ = Run(ctx, Options{RedisURL: srv.URL(), Only: []string{"connectivity", "memory"}, Role: "cache"})
	if r := statusOf(t, rep, "memory"); r.Status != Warn {
		t.Fatalf("cache without maxmemory = %+v", r)
	}
}

func TestReplicaWithBrokenLinkFailsReplication(t *testing.T) {
	dead, _ := redistest.FreePort()
	replica := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(dead))
	rep, err := Run(context.Background(), Options{RedisURL: replica.URL(), Only: []string{"connectivity", "replication"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := statusOf(t, rep, "replication"); r.Status != Fail || !strings.Contains(r.Value, "link down") {
		t.Fatalf("replication = %+v", r)
	}
}

func TestWrongPasswordAndClosedPortAreUnreachable(t *testing.T) {
	srv := redistest.Start(t, "--requirepass", "s3cret-right")
	url := "redis://:s3cret-wrong@" + srv.Addr
	rep, err := Run(context.Background(), Options{RedisURL: url})
	if !errors.Is(err, ErrUnreachable) || rep == nil {
		t.Fatalf("wrong password: %v", err)
	}
	r := statusOf(t, rep, "connectivity")
	if r.Status != Fail || !strings.Contains(r.Hint, "authentication failed") {
		t.Fatalf("connectivity = %+v", r)
	}
	var buf bytes.Buffer
	_ = rep.WriteJUnit(&buf)
	_ = rep.WriteMarkdown(&buf)
	if strings.Contains(buf.String()+err.Error()+rep.Target, "s3cret") {
		t.Fatal("a password leaked into the report")
	}
	if statusOf(t, rep, "latency").Status != Skipped {
		t.Fatal("checks after a failed connection were not skipped")
	}

	port, _ := redistest.FreePort()
	rep, err = Run(context.Background(), Options{RedisURL: "redis://127.0.0.1:" + strconv.Itoa(port)})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(statusOf(t, rep, "connectivity").Hint, "nothing accepts connections") {
		t.Fatalf("closed port: %v %+v", err, rep)
	}
}

func TestJUnitParsesBack(t *testing.T) {
	rep := &Report{Target: "redis://h:1", Millis: 1500, Counts: map[Status]int{}, Results: []Result{
		{Name: "connectivity", Target: "redis://h:1", Status: Pass, Value: "ok", Millis: 2},
		{Name: "memory", Target: "redis://h:1", Status: Fail, Value: "full", Hint: "raise it", Millis: 3},
		{Name: "latency", Target: "redis://h:1", Status: Error, Value: "boom"},
		{Name: "service-health", Target: "http://a", Status: Skipped, Value: "no"},
		{Name: "service-health", Target: "http://a", Status: Warn, Value: "slow", Hint: "h"},
	}}
	var buf bytes.Buffer
	if err := rep.WriteJUnit(&buf); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Suites []struct {
			Tests    int     `xml:"tests,attr"`
			Failures int     `xml:"failures,attr"`
			Errors   int     `xml:"errors,attr"`
			Skipped  int     `xml:"skipped,attr"`
			Time     float64 `xml:"time,attr"`
			Cases    []struct {
				Name      string  `xml:"name,attr"`
				Classname string  `xml:"classname,attr"`
				Time      float64 `xml:"time,attr"`
				Failure   *struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("JUnit does not parse: %v\n%s", err, buf.String())
	}
	s := back.Suites[0]
	if s.Tests != 5 || s.Failures != 1 || s.Errors != 1 || s.Skipped != 1 || s.Time != 1.5 {
		t.Fatalf("suite counts %+v", s)
	}
	names := map[string]bool{}
	for _, c := range s.Cases {
		if names[c.Classname+"/"+c.Name] {
			t.Fatalf("duplicate test name %s/%s", c.Classname, c.Name)
		}
		names[c.Classname+"/"+c.Name] = true
	}
	if s.Cases[1].Failure == nil || !strings.Contains(s.Cases[1].Failure.Text, "raise it") || s.Cases[1].Time != 0.003 {
		t.Fatalf("failure case %+v", s.Cases[1])
	}
}
