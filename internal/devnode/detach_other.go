//go:build !unix

package devnode

import "syscall"

// detached: no process groups to leave outside Unix.
func detached() *syscall.SysProcAttr { return nil }
