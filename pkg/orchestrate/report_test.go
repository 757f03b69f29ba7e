package orchestrate

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// seedTimeline runs the seed example with a slow database and an api on top.
func seedTimeline(t *testing.T) *Report {
	t.Helper()
	w := newWorld()
	o := mustNew(t, []Service{
		w.service("redis_manager", behaviour{took: 400 * ms}),
		w.service("database", behaviour{took: 900 * ms}),
		w.service("background_services", behaviour{took: 300 * ms}, "redis_manager", "database"),
		w.service("health_monitoring", behaviour{took: 300 * ms}, "redis_manager"),
		w.service("api", behaviour{took: 100 * ms}, "background_services"),
	}, w.options())
	rep, err := w.run(t, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

func TestCriticalPathFollowsTheDependencyThatEndedLast(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given the seed example where the database is the slow root
		rep := seedTimeline(t)

		// When the critical path is read and rendered
		path, chain := rep.CriticalPath, rep.CriticalChain()

		// Then it runs through the database, not the faster redis
		if want := []string{"database", "background_services", "api"}; !slices.Equal(path, want) {
			t.Fatalf("critical path = %v, want %v", path, want)
		}
		want := "api @1.3s +100ms\n" +
			"└─background_services @1.2s +300ms\n" +
			"  └─database @900ms +900ms\n"
		if chain != want {
			t.Fatalf("chain =\n%s\nwant\n%s", chain, want)
		}
	})
}

func TestCriticalChainMarksAServiceThatDidNotStart(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a non-critical service that fails last
		w := newWorld()
		o := mustNew(t, []Service{
			w.service("db", behaviour{took: 100 * ms}),
			w.service("search", behaviour{took: 250 * ms, failFrom: 1}, "db"),
		}, w.options())

		// When start-up runs
		rep, _ := w.run(t, o)

		// Then the chain shows it as degraded
		want := "search @350ms +250ms (degraded)\n└─db @100ms +100ms\n"
		if got := rep.CriticalChain(); got != want {
			t.Fatalf("chain =\n%s\nwant\n%s", got, want)
		}
	})
}

func TestJSONTimelineHasStableFieldsInMilliseconds(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a run where a database comes up after one retry and a
		// non-critical cache degrades
		w := newWorld()
		db := w.service("db", behaviour{took: 1500 * time.Microsecond, failFrom: 1, failTo: 1})
		db.Retries, db.Backoff = 1, Backoff{Base: 10 * ms, Max: 10 * ms}
		opts := w.options()
		opts.Source, opts.Seed = half, 42
		o := mustNew(t, []Service{db, w.service("cache", behaviour{took: 2 * ms, failFrom: 1}, "db")}, opts)
		rep, err := w.run(t, o)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}

		// When it is marshalled
		got, err := json.Marshal(rep)

		// Then the document is exactly this
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		want := `{"services":[` +
			`{"name":"db","result":"started","critical":false,"phase":1,"depends_on":[],` +
			`"ready_ms":0,"start_ms":0,"wait_ms":0,"own_ms":8,"end_ms":8,"attempts":2,"retries":1,"error":""},` +
			`{"name":"cache","result":"degraded","critical":false,"phase":2,"depends_on":["db"],` +
			`"ready_ms":8,"start_ms":8,"wait_ms":8,"own_ms":2,"end_ms":10,"attempts":1,"retries":0,` +
			`"error":"attempt 1 of 1: connect cache: boom"}],` +
			`"critical_path":["db","cache"],"total_ms":10,"seed":42}`
		if string(got) != want {
			t.Fatalf("json =\n%s\nwant\n%s", got, want)
		}
	})
}

func TestFormatDurationReadsLikeSystemdAnalyze(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0"},
		{1500 * time.Microsecond, "1.5ms"},
		{300 * ms, "300ms"},
		{1200 * ms, "1.2s"},
		{61234 * ms, "61.234s"},
		{500 * time.Microsecond, "500µs"},
	} {
		if got := FormatDuration(tc.d); got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestReportStringIsATableOfTheTimeline(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given the seed example's run
		rep := seedTimeline(t)

		// When it is printed
		got := rep.String()

		// Then each service is a row, with the total at the end
		want := "" +
			"SERVICE              RESULT   PHASE  START   WAIT   OWN     RETRIES  ERROR\n" +
			"redis_manager        started  1      @0      0      +400ms  0\n" +
			"database             started  1      @0      0      +900ms  0\n" +
			"background_services  started  2      @900ms  900ms  +300ms  0\n" +
			"health_monitoring    started  2      @400ms  400ms  +300ms  0\n" +
			"api                  started  3      @1.2s   1.2s   +100ms  0\n" +
			"start-up took 1.3s\n"
		if got != want {
			t.Fatalf("report =\n%s\nwant\n%s", got, want)
		}
	})
}
