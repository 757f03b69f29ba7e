package chaos

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/rescli/rescli/pkg/target"
)

func init() { Register("error", func() Fault { return &ErrorReply{} }) }

// errorPresets are Redis 7's own error lines, byte for byte.
var errorPresets = map[string]string{
	"LOADING":     "LOADING Redis is loading the dataset in memory",
	"BUSY":        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
	"READONLY":    "READONLY You can't write against a read only replica.",
	"MASTERDOWN":  "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
	"CLUSTERDOWN": "CLUSTERDOWN The cluster is down",
	"TRYAGAIN":    "TRYAGAIN Multiple keys request during rehashing of slot",
	"OOM":         "OOM command not allowed when used memory > 'maxmemory'.",
	"NOREPLICAS":  "NOREPLICAS Not enough good replicas to write.",
	"MISCONF": "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
		"Commands that may modify the data set are disabled, because this instance is configured to report errors " +
		"during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs " +
		"for details about the RDB error.",
	"MAXCLIENTS": "ERR max number of clients reached",
}

// ErrorPresets lists the preset names the error fault accepts, MOVED and
// ASK included.
func ErrorPresets() []string {
	out := []string{"MOVED", "ASK"}
	for name := range errorPresets {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// ErrorReply answers the selected requests with a Redis error instead of
// forwarding them: a preset (Error: "LOADING", "BUSY", ..., or "MOVED" /
// "ASK" to Address, with the key's real cluster slot) or any Message
// ("ERR something", one line of at most 4096 bytes). Message and Address
// reach the client inside the reply, so control bytes (CR, LF) are refused
// in them: they would add made-up replies and desynchronise the client.
// Toxicity is the chance per request.
type ErrorReply struct {
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
	Address string `json:"address,omitempty"`
	selector
	reply []byte
}

// Validate implements Fault.
func (f *ErrorReply) Validate() error {
	f.Error = strings.ToUpper(f.Error)
	switch {
	case f.Error == "" && f.Message == "":
		return errors.New(`set "error" to a preset or "message" to an error line`)
	case f.Error != "" && f.Message != "":
		return errors.New(`set "error" or "message", not both`)
	case f.Error == "MOVED" || f.Error == "ASK":
		return f.validateAddress()
	case f.Message != "":
		f.reply = []byte("-" + f.Message + "\r\n")
	default:
		line, ok := errorPresets[f.Error]
		if !ok {
			return fmt.Errorf("unknown error preset %q (want one of %s)", f.Error, strings.Join(ErrorPresets(), ", "))
		}
		f.reply = []byte("-" + line + "\r\n")
	}
	return nil
}

// validateAddress checks that a redirection names host:port, one word: a
// client splits "-MOVED slot host:port" on spaces.
func (f *ErrorReply) validateAddress() error {
	host, port, err := net.SplitHostPort(f.Address)
	if err != nil || host == "" || strings.ContainsAny(f.Address, " ") {
		return fmt.Errorf("%s needs an address host:port, got %q", f.Error, f.Address)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("%s address %q: port must be 1-65535", f.Error, f.Address)
	}
	return nil
}

// Request implements RequestFault.
func (f *ErrorReply) Request(r *Request) (Action, bool) {
	if !f.matches(r) {
		return Action{}, false
	}
	if f.reply != nil {
		return Action{Reply: f.reply}, true
	}
	key, _ := r.Key()
	return Action{Reply: fmt.Appendf(nil, "-%s %d %s\r\n", f.Error, target.Slot(key), f.Address)}, true
}
