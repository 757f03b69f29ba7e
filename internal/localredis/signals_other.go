//go:build !unix

package localredis

import "syscall"

// No stop and continue signals outside Unix: Pause and Resume send these
// numbers, which Process.Signal refuses, so they do nothing there. The
// package builds (rescli dev links it) but its tests need Unix.
const sigStop, sigCont = syscall.Signal(19), syscall.Signal(18)
