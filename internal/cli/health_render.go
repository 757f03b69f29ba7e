package cli

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rescli/rescli/pkg/health"
	"github.com/rescli/rescli/pkg/orchestrate"
)

// healthJSON is `rescli health -o json`: one document on stdout.
type healthJSON struct {
	Status   health.Status          `json:"status"` // worst of the services; fail when one is unreadable
	Services []health.ServiceReport `json:"services"`
}

func writeHealthJSON(w io.Writer, reports []health.ServiceReport) error {
	doc := healthJSON{Status: health.Pass, Services: reports}
	for _, r := range reports {
		st := r.Status
		if r.Err != nil {
			st = health.Fail
		}
		doc.Status = health.Worst(doc.Status, st)
	}
	return printJSON(w, schemaHealth, doc)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// renderHealth prints a block per service and a summary line.
func renderHealth(g *Global, reports []health.ServiceReport) error {
	w := g.IO.Out
	counts := map[string]int{}
	for i, r := range reports {
		if i > 0 {
			fprintln(w)
		}
		if err := renderService(g, w, r); err != nil {
			return err
		}
		key := string(r.Status)
		if r.Err != nil {
			key = "error"
		}
		counts[key]++
	}
	fmt.Fprintf(w, "\n%d %s: %d pass, %d warn, %d fail, %d error\n", len(reports), plural(len(reports), "service", "services"),
		counts["pass"], counts["warn"], counts["fail"], counts["error"])
	return nil
}

func renderService(g *Global, w io.Writer, r health.ServiceReport) error {
	word := "ERROR"
	if r.Status != "" {
		word = strings.ToUpper(string(r.Status))
	}
	head := r.URL + "  " + statusStyle(g, strings.ToLower(word)).Render(word)
	if r.Status != "" { // the verdict's document was read: it is the first
		d := r.Documents[0]
		head += fmt.Sprintf("  (%s, %s", d.Format, d.Took.Round(time.Millisecond))
		if d.Doc.Version != "" {
			head += ", version " + d.Doc.Version
		}
		head += ")"
		if d.Doc.Output != "" {
			head += "\n  " + d.Doc.Output
		}
	}
	fprintln(w, head)
	if r.Error != "" {
		fprintln(w, "  error: "+r.Error)
	}
	if len(r.Unavailable) > 0 {
		fprintln(w, "  not available (404): "+strings.Join(urlPaths(r.Unavailable), ", "))
	}
	checks, redisInfo, transitions := merge(r.Documents)
	if redisInfo != nil {
		fprintln(w, "  "+redisLine(g, redisInfo, time.Now()))
	}
	if err := renderChecks(g, w, checks); err != nil {
		return err
	}
	if err := renderServices(g, w, checks); err != nil {
		return err
	}
	if len(transitions) > 0 {
		fprintln(w, "  recent transitions:")
	}
	for _, t := range transitions {
		from := cmp.Or(t.From, "start")
		fmt.Fprintf(w, "    %s  %s %s → %s  %s\n", t.At.Local().Format("15:04:05.000"), t.Component, from, t.To, t.Reason)
	}
	return nil
}

// urlPaths shortens the URLs of one service to their paths.
func urlPaths(urls []string) []string {
	out := make([]string, len(urls))
	for i, raw := range urls {
		out[i] = raw
		if u, err := url.Parse(raw); err == nil && u.Path != "" {
			out[i] = u.Path
		}
	}
	return out
}

// merge collects every check (first document wins), the Redis view and the
// transitions from a service's documents.
func merge(docs []health.Result) (map[string]health.Check, *health.RedisInfo, []health.TransitionRecord) {
	checks := map[string]health.Check{}
	var ri *health.RedisInfo
	var tr []health.TransitionRecord
	for _, d := range docs {
		for k, cs := range d.Doc.Checks {
			if _, ok := checks[k]; !ok && len(cs) > 0 {
				checks[k] = cs[0]
			}
		}
		if ri == nil {
			ri = d.Doc.Redis
		}
		tr = append(tr, d.Doc.Transitions...)
	}
	return checks, ri, tr
}

// staleAfter is how old a figure may be before it is shown with its age.
const staleAfter = 5 * time.Second

// redisLine is a service's view of Redis in one line. A figure from an
// earlier poll says how old it is; one whose source failed is "—" with
// the error, never the last good value as if current.
func redisLine(g *Global, ri *health.RedisInfo, now time.Time) string {
	ping := "ping —"
	switch {
	case ri.PingError != "":
		ping = "ping — (" + clip(ri.PingError, 60) + ")"
	case !ri.PingAt.IsZero():
		ping = "ping " + num(ri.PingMS) + " ms" + age(ri.PingAt, now)
	}
	s := fmt.Sprintf("redis %s: breaker %s since %s, trips %d, %s, p50/p99 %s/%s ms, pool %d/%d in use",
		ri.Target, statusStyle(g, ri.State).Render(ri.State), ri.StateSince.Local().Format("15:04:05"), ri.Trips,
		ping, num(ri.LatencyP50), num(ri.LatencyP99), ri.Pool.InUse, ri.Pool.Size)
	switch sv := ri.Server; {
	case sv == nil:
	case sv.Error != "":
		s += ", clients —, rejected — (" + clip(sv.Error, 60) + ")"
	case !sv.At.IsZero():
		s += fmt.Sprintf(", clients %d/%d, rejected %d%s", sv.ConnectedClients, sv.MaxClients, sv.RejectedConnections, age(sv.At, now))
	}
	return s
}

// age is ", 42s ago" for a reading older than staleAfter, else "".
func age(at, now time.Time) string {
	if d := now.Sub(at); d > staleAfter {
		return ", " + d.Round(time.Second).String() + " ago"
	}
	return ""
}

func renderChecks(g *Global, w io.Writer, checks map[string]health.Check) error {
	t := newTable(w, "CHECK", "STATUS", "VALUE", "OUTPUT")
	rows := 0
	for _, k := range slices.Sorted(maps.Keys(checks)) {
		c := checks[k]
		if c.ServiceInfo != nil {
			continue
		}
		value := observed(c)
		if k == "redis:circuitBreaker" {
			value = statusStyle(g, value).Render(value)
		}
		if err := t.Append(k, statusStyle(g, string(c.Status)).Render(string(c.Status)), value, clip(c.Output, 90)); err != nil {
			return fmt.Errorf("render checks: %w", err)
		}
		rows++
	}
	if rows == 0 {
		return nil
	}
	return t.Render()
}

func renderServices(g *Global, w io.Writer, checks map[string]health.Check) error {
	t := newTable(w, "SERVICE", "STATUS", "STATE", "CRITICAL", "PHASE", "WAIT", "START", "BLAST RADIUS / ERROR")
	var keys []string
	for k, c := range checks {
		if c.ServiceInfo != nil {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int { // start-up order: phase, then name
		if d := checks[a].Phase - checks[b].Phase; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	rows := 0
	for _, k := range keys {
		c := checks[k]
		extra := strings.Join(c.BlastRadius, ", ")
		if c.LastError != "" {
			extra = strings.TrimPrefix(extra+"; "+c.LastError, "; ")
		}
		ms := func(v float64) string {
			return orchestrate.FormatDuration(time.Duration(v * float64(time.Millisecond)))
		}
		if err := t.Append(strings.TrimPrefix(k, "service:"), statusStyle(g, string(c.Status)).Render(string(c.Status)),
			observed(c), strconv.FormatBool(c.Critical), strconv.Itoa(c.Phase), ms(c.WaitMS), ms(c.StartMS), clip(extra, 70)); err != nil {
			return fmt.Errorf("render services: %w", err)
		}
		rows++
	}
	if rows == 0 {
		return nil
	}
	return t.Render()
}

// observed prints a check's value with its unit.
func observed(c health.Check) string {
	var s string
	switch v := c.ObservedValue.(type) {
	case nil:
		return ""
	case float64:
		s = num(v)
	default:
		s = fmt.Sprint(v)
	}
	if c.ObservedUnit != "" {
		s += " " + c.ObservedUnit
	}
	return s
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// clip shortens s to fewer than n bytes and an ellipsis, never splitting a
// UTF-8 sequence (outputs come from other services' documents).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 1
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
