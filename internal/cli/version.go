package cli

import (
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set with -ldflags "-X github.com/rescli/rescli/internal/cli.version=v1.2.3
// -X ...cli.commit=abc -X ...cli.date=2026-01-01T00:00:00Z" (goreleaser does).
var (
	version = ""
	commit  = ""
	date    = ""
)

// BuildInfo describes this binary.
type BuildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Date    string `json:"date,omitempty"`
	Go      string `json:"go"`
}

// Build returns the injected version, falling back to the module's build info.
func Build() BuildInfo {
	b := BuildInfo{Version: version, Commit: commit, Date: date, Go: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" {
			b.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			}
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	return b
}

// NewVersionCmd builds `rescli version`.
func NewVersionCmd(g *Global) *cobra.Command {
	return jsonDocument(&cobra.Command{
		Use:     "version",
		Example: "  rescli version\n  rescli version -o json",
		Short:   "Print rescli's version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			b := Build()
			if g.JSON() {
				return printJSON(g.IO.Out, schemaVersion, b)
			}
			line := "rescli " + b.Version
			if b.Commit != "" {
				line += " (" + b.Commit + ")"
			}
			fprintln(g.IO.Out, line+" "+b.Go)
			return nil
		},
	}, schemaVersion)
}
