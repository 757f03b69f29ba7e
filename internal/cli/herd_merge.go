package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/pkg/herd"
)

// maxMergeInput bounds what herd merge reads: a partial report of 20,000
// services is about 1 MiB, so this is room for hundreds of them.
const maxMergeInput = 512 << 20

type herdMergeOptions struct {
	g      *Global
	report string
}

// newHerdMergeCmd builds `rescli herd merge`.
func newHerdMergeCmd(g *Global) *cobra.Command {
	o := &herdMergeOptions{g: g}
	cmd := &cobra.Command{
		Use:   "merge [FILE...]",
		Short: "Add up the partial reports of a herd split over processes into one report",
		Long: `Add up the partial reports that each process of a split herd printed
(rescli herd --replica-index I --replicas N --start-at T) into the report one process
would have printed: the same table, verdict, -o json document and --report chart.
Counts are summed, the peak is taken on the time-aligned sum of the processes'
timelines, start-up percentiles are over every service. An observation printed by
rescli herd observe, if given, is the server's view; else replica 0's.

FILEs, or standard input when none is given (or "-"), hold the JSON documents one after
another, as "kubectl logs" prints them; lines between documents that are not JSON
(a pod's error line) are skipped and counted on stderr. Every replica must be there
exactly once.`,
		Example: `  rescli herd merge part0.json part1.json part2.json part3.json
  cat part*.json | rescli herd merge -o json
  kubectl logs -l job-name=rescli-herd --tail=-1 | rescli herd merge --report herd.svg`,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(args) },
	}
	cmd.Flags().StringVar(&o.report, "report", "", "write an SVG chart of connections and ready services over time to this file")
	return jsonDocument(cmd, schemaHerd)
}

func (o *herdMergeOptions) run(args []string) error {
	var input []byte
	if len(args) == 0 {
		args = []string{"-"}
	}
	for _, name := range args {
		b, err := readInput(o.g, name)
		if err != nil {
			return err
		}
		input = append(append(input, b...), '\n')
	}
	parts, obs, skipped, err := decodeHerdDocuments(input)
	if err != nil {
		return &UsageError{Err: err}
	}
	if skipped > 0 {
		fmt.Fprintf(o.g.IO.ErrOut, "rescli: skipped %d line(s) that are not JSON documents\n", skipped)
	}
	rep, err := herd.Merge(parts, obs)
	if err != nil {
		return &UsageError{Err: err}
	}
	return writeHerd(o.g, rep, o.report)
}

// readInput reads a named file or, for "-", standard input, within
// maxMergeInput.
func readInput(g *Global, name string) ([]byte, error) {
	var r io.Reader = g.IO.In
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, Usagef("read %s: %v", name, errors.Unwrap(err))
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxMergeInput+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxMergeInput {
		return nil, Usagef("read %s: more than %d MiB", name, maxMergeInput>>20)
	}
	return b, nil
}

// decodeHerdDocuments reads concatenated JSON documents: partial reports
// and at most one observation. A line that does not start a JSON object is
// skipped and counted.
func decodeHerdDocuments(in []byte) (parts []*herd.Report, obs *herd.Observation, skipped int, err error) {
	for n := 1; ; n++ {
		in = bytes.TrimLeft(in, " \t\r\n")
		if len(in) == 0 {
			break
		}
		if in[0] != '{' {
			skipped++
			if i := bytes.IndexByte(in, '\n'); i >= 0 {
				in = in[i+1:]
			} else {
				in = nil
			}
			n--
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(in))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, 0, fmt.Errorf("document %d: %w", n, err)
		}
		in = in[dec.InputOffset():]
		var head struct {
			Schema string `json:"schema"`
		}
		_ = json.Unmarshal(raw, &head)
		switch head.Schema {
		case schemaHerdPartial:
			var p herd.Report
			if err := json.Unmarshal(raw, &p); err != nil {
				return nil, nil, 0, fmt.Errorf("document %d (%s): %w", n, head.Schema, err)
			}
			parts = append(parts, &p)
		case schemaHerdObserve:
			if obs != nil {
				return nil, nil, 0, fmt.Errorf("document %d: a second observation; give one", n)
			}
			obs = &herd.Observation{}
			if err := json.Unmarshal(raw, obs); err != nil {
				return nil, nil, 0, fmt.Errorf("document %d (%s): %w", n, head.Schema, err)
			}
		default:
			return nil, nil, 0, fmt.Errorf("document %d has schema %q; want %s or %s", n, head.Schema, schemaHerdPartial, schemaHerdObserve)
		}
	}
	if len(parts) == 0 {
		return nil, nil, 0, fmt.Errorf("no partial reports (%s) in the input", schemaHerdPartial)
	}
	return parts, obs, skipped, nil
}
