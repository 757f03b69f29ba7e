//go:build !linux

package chaos

import (
	"errors"
	"net"
	"time"
)

// Outside Linux there is no event loop: every connection is served by
// goroutines (conn_path.go), and short waits use runtime timers.

type evloop struct{}

type lconn struct{}

type llistener struct{}

type wake struct{ C <-chan struct{} }

const wakeSlop = 0

func acquireLoop() *evloop { return nil }

func loopAddr(string) (any, int) { return nil, 0 }

// The methods below are never called: acquireLoop returns nil.

func (*evloop) release()                                              {}
func (*evloop) listen(*Proxy, net.Listener, bool) (*llistener, error) { return nil, errNoLoop }
func (*evloop) unlisten(*llistener)                                   {}
func (*evloop) goListener(*llistener) (net.Listener, error)           { return nil, errNoLoop }
func (*evloop) acceptHere(*llistener)                                 {}
func (*evloop) reconsider(*Proxy)                                     {}
func (*evloop) adopt(*conn) bool                                      { return false }
func (*evloop) after(time.Time) wake                                  { return wake{} }
func (*evloop) woke(wake)                                             {}
func (*evloop) closeLater(*lconn)                                     {}
func (*lconn) peerAddr() net.Addr                                     { return nil }

var errNoLoop = errors.New("no event loop on this platform")
