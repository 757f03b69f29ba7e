package inject

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/pkg/target"
)

// Entry is one applied fault as the journal keeps it: enough to revert it
// after a crash, and no password (revert asks for the URL again if the
// server needs one).
type Entry struct {
	ID       string      `json:"id"`
	Created  time.Time   `json:"created"`
	Expires  time.Time   `json:"expires"`
	PID      int         `json:"pid"`
	Target   string      `json:"target"`         // redacted URL, for people
	Addr     string      `json:"addr"`           // host:port of the node changed, to connect and to match --redis-url
	Role     target.Role `json:"role,omitempty"` // what that node was when the fault began
	Username string      `json:"username,omitempty"`
	DB       int         `json:"db"`
	TLS      bool        `json:"tls"`
	Plan     Plan        `json:"plan"`
}

// Journal is a directory of entries, one file each.
type Journal struct{ Dir string }

// lockWait bounds how long a process waits for another one's journal
// update (which may include a revert retried for 15 s).
const lockWait = 30 * time.Second

// lock takes the journal's lock file, so that reading the entries, changing
// the server to match and writing the entries back is done by one process
// at a time: two rescli processes with faults on one setting would
// otherwise each take the other's value for the original.
func (j Journal) lock(ctx context.Context) (unlock func(), err error) {
	if err := os.MkdirAll(j.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create journal dir: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	fl := flock.New(filepath.Join(j.Dir, ".lock"), flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !ok {
		return nil, fmt.Errorf("lock journal %s: %w", j.Dir, errors.Join(err, ctx.Err()))
	}
	return func() { _ = fl.Unlock() }, nil
}

// DefaultDir is the chaos-journal folder of rescli's state directory:
// $RESCLI_STATE_DIR, else $XDG_STATE_HOME/rescli, else ~/.local/state/rescli.
func DefaultDir(getenv func(string) string) string {
	return filepath.Join(devnode.StateDir(getenv), "chaos-journal")
}

func newID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b)
}

// Write stores e atomically (temp file, then rename), readable by the user only.
func (j Journal) Write(e Entry) error {
	if err := os.MkdirAll(j.Dir, 0o700); err != nil {
		return fmt.Errorf("create journal dir: %w", err)
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(j.Dir, "."+e.ID+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(j.Dir, e.ID+".json")); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	return nil
}

// Remove deletes an entry once its fault is reverted.
func (j Journal) Remove(id string) error {
	err := os.Remove(filepath.Join(j.Dir, id+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// List returns the entries, oldest first.
func (j Journal) List() ([]Entry, error) {
	files, err := os.ReadDir(j.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	var out []Entry
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(j.Dir, f.Name()))
		if err != nil {
			return nil, fmt.Errorf("read journal entry %s: %w", f.Name(), err)
		}
		var e Entry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("journal entry %s is damaged: %w", f.Name(), err)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Created.Before(out[b].Created) })
	return out, nil
}

// Options are the go-redis options to revert e with. given, when set, is
// the deployment the user named: its credentials and TLS serve the entries
// it recorded (by its redacted label) and any entry at one of its
// addresses. Otherwise the entry's own user, DB and TLS (no password: the
// journal keeps none) are used.
func (e Entry) Options(given *target.Target) *redis.Options {
	if given != nil && (e.Target == given.String() || slices.Contains(given.Addrs, e.Addr)) {
		o := given.DataOptions(e.Addr)
		if e.Role == target.SentinelRole {
			o = given.SentinelOptions(e.Addr)
		}
		o.MaxRetries, o.DisableIdentity = -1, true
		return o
	}
	o := &redis.Options{Addr: e.Addr, Username: e.Username, DB: e.DB, MaxRetries: -1, DisableIdentity: true}
	if e.TLS {
		host, _, _ := net.SplitHostPort(e.Addr)
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	}
	return o
}
