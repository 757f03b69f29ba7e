package orchestrate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// CriticalChain renders the critical path in the style of
// systemd-analyze critical-chain: the service that ended last on top, each
// line followed by the dependency that held it up, indented. "@" is the time
// the service came up (or gave up), "+" the time its own start took.
//
//	health_monitoring @1.2s +300ms
//	└─background_services @900ms +500ms
//	  └─database @400ms +400ms
func (r Report) CriticalChain() string {
	var b strings.Builder
	for depth, i := 0, len(r.CriticalPath)-1; i >= 0; depth, i = depth+1, i-1 {
		s, _ := r.Service(r.CriticalPath[i])
		if depth > 0 {
			b.WriteString(strings.Repeat("  ", depth-1) + "└─")
		}
		fmt.Fprintf(&b, "%s @%s +%s", s.Name, FormatDuration(s.End), FormatDuration(s.Own))
		if s.Result != ResultStarted {
			fmt.Fprintf(&b, " (%s)", s.Result)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// String renders the report as a table, one service per line in
// declaration order, followed by the total.
func (r Report) String() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tRESULT\tPHASE\tSTART\tWAIT\tOWN\tRETRIES\tERROR")
	for _, s := range r.Services {
		fmt.Fprintf(tw, "%s\t%s\t%d\t@%s\t%s\t+%s\t%d", s.Name, s.Result, s.Phase,
			FormatDuration(s.Start), FormatDuration(s.Wait), FormatDuration(s.Own), s.Retries)
		if s.Err != nil {
			fmt.Fprintf(tw, "\t%v", s.Err)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(&b, "start-up took %s\n", FormatDuration(r.Total))
	return b.String()
}

// FormatDuration prints d the way systemd-analyze does: milliseconds below
// a second ("300ms"), seconds with up to three decimals above ("1.2s").
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Millisecond:
		return d.String()
	case d < time.Second:
		return strconv.FormatFloat(float64(d.Microseconds())/1e3, 'f', -1, 64) + "ms"
	}
	return strconv.FormatFloat(float64(d.Milliseconds())/1e3, 'f', -1, 64) + "s"
}

// ReportJSON is the stable JSON form of a Report (durations in
// milliseconds): what MarshalJSON writes.
type ReportJSON struct {
	Services     []ServiceJSON `json:"services"`
	CriticalPath []string      `json:"critical_path"`
	TotalMS      float64       `json:"total_ms"`
	Seed         uint64        `json:"seed"`
}

// ServiceJSON is one service in a ReportJSON.
type ServiceJSON struct {
	Name      string   `json:"name"`
	Result    Result   `json:"result"`
	Critical  bool     `json:"critical"`
	Phase     int      `json:"phase"`
	DependsOn []string `json:"depends_on"`
	ReadyMS   float64  `json:"ready_ms"`
	StartMS   float64  `json:"start_ms"`
	WaitMS    float64  `json:"wait_ms"`
	OwnMS     float64  `json:"own_ms"`
	EndMS     float64  `json:"end_ms"`
	Attempts  int      `json:"attempts"`
	Retries   int      `json:"retries"`
	Error     string   `json:"error"`
}

// MarshalJSON writes the timeline:
// {"services":[{"name":..,"result":..,"start_ms":..,"wait_ms":..,"own_ms":..,
// "retries":..,"error":..},...],"critical_path":[..],"total_ms":..}.
func (r Report) MarshalJSON() ([]byte, error) {
	out := ReportJSON{Services: []ServiceJSON{}, CriticalPath: r.CriticalPath, TotalMS: millis(r.Total), Seed: r.Seed}
	if out.CriticalPath == nil {
		out.CriticalPath = []string{}
	}
	for _, s := range r.Services {
		js := ServiceJSON{
			Name: s.Name, Result: s.Result, Critical: s.Critical, Phase: s.Phase,
			DependsOn: s.DependsOn, ReadyMS: millis(s.Ready), StartMS: millis(s.Start),
			WaitMS: millis(s.Wait), OwnMS: millis(s.Own), EndMS: millis(s.End),
			Attempts: s.Attempts, Retries: s.Retries,
		}
		if js.DependsOn == nil {
			js.DependsOn = []string{}
		}
		if s.Err != nil {
			js.Error = s.Err.Error()
		}
		out.Services = append(out.Services, js)
	}
	return json.Marshal(out)
}

// JSONShape is the type whose fields MarshalJSON writes, for tools that
// describe the JSON (rescli's JSON Schemas).
func (Report) JSONShape() any { return ReportJSON{} }

// millis converts d to milliseconds with microsecond precision.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
