//go:build unix

package devnode

import "syscall"

// detached puts a restarted node in its own process group, so a Ctrl-C
// meant for rescli does not reach it.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
