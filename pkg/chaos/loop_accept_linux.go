//go:build linux

package chaos

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// llistener is a proxy's listening socket, held by the loop. The loop
// accepts on it unless an accept fault is set (slow_accept, maxclients):
// then a runtime listener on the same socket accepts on the goroutine path
// (acceptLoop), which plays those faults on the proxy's clock.
type llistener struct {
	p       *Proxy
	fd      int
	armed   bool // in the epoll set
	faulted bool // an accept fault is set: the goroutine path accepts
	paused  bool // backing off after EMFILE and the like
	closed  bool
}

// listen takes over ln's socket: the loop holds a duplicate of its
// descriptor and ln is closed. It accepts there unless faulted.
func (l *evloop) listen(p *Proxy, ln net.Listener, faulted bool) (*llistener, error) {
	fd, err := dupFD(ln.(*net.TCPListener))
	if err != nil {
		return nil, err
	}
	// Accepted sockets inherit TCP_NODELAY from the listening one: one
	// setsockopt per proxy instead of one per connection.
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	lis := &llistener{p: p, fd: fd, faulted: faulted}
	l.do(func() {
		l.setFD(fd, fdEntry{lis: lis})
		err = l.rearm(lis)
	})
	if err != nil {
		l.unlisten(lis)
		return nil, fmt.Errorf("listen in the event loop: %w", err)
	}
	_ = ln.Close() // the loop's descriptor keeps the socket listening
	return lis, nil
}

// unlisten closes the listening socket; once it returns, connections are
// refused.
func (l *evloop) unlisten(lis *llistener) {
	l.do(func() {
		lis.closed = true
		_ = l.rearm(lis)
		l.fds[lis.fd] = fdEntry{}
		_ = unix.Close(lis.fd)
	})
}

// goListener returns a runtime listener on lis's socket and stops the loop
// accepting there, for the accept faults.
func (l *evloop) goListener(lis *llistener) (net.Listener, error) {
	var ln net.Listener
	var err error
	l.do(func() {
		var fd int
		if fd, err = unix.FcntlInt(uintptr(lis.fd), unix.F_DUPFD_CLOEXEC, 0); err != nil {
			return
		}
		f := os.NewFile(uintptr(fd), "listener")
		ln, err = net.FileListener(f)
		_ = f.Close()
		if err == nil {
			lis.faulted = true
			err = l.rearm(lis)
		}
	})
	return ln, err
}

// acceptHere makes the loop accept on lis again once no accept fault is set.
func (l *evloop) acceptHere(lis *llistener) {
	l.do(func() {
		lis.faulted = false
		_ = l.rearm(lis)
	})
}

// rearm puts lis in the epoll set (level-triggered: an accept batch may
// stop early) or takes it out, as its state asks.
func (l *evloop) rearm(lis *llistener) error {
	want := !lis.closed && !lis.faulted && !lis.paused
	if want == lis.armed {
		return nil
	}
	lis.armed = want
	if want {
		return l.watch(lis.fd, unix.EPOLLIN)
	}
	return unix.EpollCtl(l.ep, unix.EPOLL_CTL_DEL, lis.fd, nil)
}

// accept takes the connections waiting on lis, a bounded batch at a time
// so that open connections are served in between.
func (l *evloop) accept(lis *llistener) {
	for range 64 {
		cfd, sa, err := unix.Accept4(lis.fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch err {
		case nil:
			l.admit(lis.p, cfd, sa)
			continue
		case unix.EAGAIN:
			return
		case unix.EINTR, unix.ECONNABORTED:
			continue
		}
		// EMFILE and friends: back off briefly instead of spinning, as the
		// goroutine path does.
		lis.paused = true
		_ = l.rearm(lis)
		l.at(time.Now().Add(5*time.Millisecond), func() {
			lis.paused = false
			_ = l.rearm(lis)
		})
		return
	}
}

// admit lets a new connection in: the loop dials Redis without blocking
// and passes bytes through, or, when a fault concerns the connection or
// Redis's address is a name to resolve, hands it to the goroutine path.
func (l *evloop) admit(p *Proxy, cfd int, sa unix.Sockaddr) {
	p.stats.accepted.Add(1)
	c := newConn(p, p.nextConn.Add(1), nil)
	lc := &lconn{peerSA: sa}
	lc.init(c, cfd, -1)
	c.lc = lc
	p.enter(c)
	up := p.up.Load()
	if up.sa == nil || c.needsGoroutines() {
		go c.runFrom(cfd)
		return
	}
	sfd, err := unix.Socket(up.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err == nil {
		_ = unix.SetsockoptInt(sfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if err = unix.Connect(sfd, up.sa.(unix.Sockaddr)); err == unix.EINPROGRESS {
			err = nil
		} else if err == nil {
			lc.connected = true
		}
		if err != nil {
			_ = unix.Close(sfd)
		}
	}
	if err == nil {
		lc.sv.fd = sfd
		c.inLoop = true // not yet shared: no lock needed
		err = l.register(lc)
		if err != nil {
			_ = unix.Close(sfd)
		}
	}
	if err != nil {
		p.stats.dialErrors.Add(1)
		_ = unix.Close(cfd)
		c.closedByLoop()
		return
	}
	if lc.connected {
		l.connected(lc)
	}
}

// connected is called once the upstream socket is connected: faults may
// have changed while it was, and the client may have written already.
func (l *evloop) connected(lc *lconn) bool {
	if lc.c.needsGoroutines() {
		l.detach(lc, handoff{})
		return false
	}
	l.plan(lc)
	l.pump(&lc.cl)
	return lc.in
}

// loopAddr is what the loop dials for addr: a socket address when addr is
// a literal IP and port (a name is resolved by the goroutine path's dialer
// on each connection, as DNS may change).
func loopAddr(addr string) (sa any, family int) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, 0
	}
	if a := ap.Addr(); a.Is4() || a.Is4In6() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.Unmap().As4()}, unix.AF_INET
	}
	if ap.Addr().Zone() != "" {
		return nil, 0 // a scoped address: let the runtime resolve the zone
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}, unix.AF_INET6
}
