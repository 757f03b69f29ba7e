package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// currentLine is the file's top-level current-context line.
var currentLine = regexp.MustCompile(`(?m)^current-context:.*$`)

// SetCurrent makes name the current context of the file at path, changing
// only its current-context line (comments and the rest stay as written),
// writes it atomically with the file's own permissions, and returns the
// file as written. The file is read once.
func SetCurrent(path, name string) (*File, error) {
	b, err := readCapped(path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	f, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.path = path
	if _, err := f.Find(name); err != nil {
		return nil, err
	}
	line := []byte("current-context: " + name) // a valid name needs no quoting
	var out []byte
	if currentLine.Match(b) {
		out = currentLine.ReplaceAllLiteral(b, line)
	} else {
		out = append(append(line, '\n'), b...)
	}
	g, err := Parse(out)
	if err != nil || g.CurrentContext != name {
		return nil, fmt.Errorf("set current-context in %s: the file's current-context line could not be rewritten (%v)", path, err)
	}
	g.path = path
	return g, writeAtomic(path, out)
}

func writeAtomic(path string, b []byte) error {
	mode := os.FileMode(0o600)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing left to remove
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
