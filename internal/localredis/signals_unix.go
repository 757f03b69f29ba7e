//go:build unix

package localredis

import "syscall"

const sigStop, sigCont = syscall.SIGSTOP, syscall.SIGCONT
