//go:build linux

package chaos

import (
	"errors"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// A connection moves between the loop and the goroutine path with its two
// sockets. To goroutines (a fault concerns it): the loop takes the sockets
// out of its epoll set and a goroutine wraps them as *net.TCPConn, with
// the bytes the loop had not written yet (handoff). To the loop (no fault
// concerns it and both directions pass bytes through): the goroutines end,
// the sockets' descriptors are duplicated and the runtime's closed, and the
// loop registers the duplicates; edge-triggered registration reports bytes
// that arrived meanwhile. Either way no byte is read by both, and none is
// lost: every chunk read is written before its reader lets go.

// reconsider moves to goroutines every connection of p in the loop that a
// fault now concerns. It returns once they are out of the loop, so a fault
// set before it covers every byte read after.
func (l *evloop) reconsider(p *Proxy) {
	l.do(func() {
		for _, e := range l.fds {
			s := e.side
			if s == nil || s != &s.lc.cl || s.lc.c.p != p || !s.lc.connected {
				continue
			}
			if s.lc.c.needsGoroutines() {
				l.detach(s.lc, handoff{})
			} else {
				l.plan(s.lc)
			}
		}
	})
}

// detach hands lc to a new goroutine with what it had not written yet.
func (l *evloop) detach(lc *lconn, h handoff) {
	l.cur = lc
	c := lc.c
	c.mu.Lock()
	if c.closed() {
		c.mu.Unlock()
		l.closeConn(lc)
		return
	}
	c.inLoop = false
	c.mu.Unlock()
	h.toServer = append(lc.sv.pending, h.toServer...)
	h.toClient = lc.cl.pending
	h.heldToServer, h.heldToClient = lc.sv.takeHeld(), lc.cl.takeHeld()
	if tail := lc.frame.tail; len(tail) > 0 { // read after everything in toServer
		h.request, h.resync = append(tail, h.request...), false
	}
	lc.frame = frame{}
	lc.cl.pending, lc.sv.pending = nil, nil
	l.unregister(lc)
	go c.resume(lc.cl.fd, lc.sv.fd, h)
}

// adopt moves a connection from the goroutine path into the loop; c.mu is
// held and both directions have ended. It reports false, leaving c as it
// was, when its descriptors could not be duplicated.
func (l *evloop) adopt(c *conn) bool {
	cfd, err := dupFD(c.client)
	if err != nil {
		return false
	}
	sfd, err := dupFD(c.server)
	if err != nil {
		_ = unix.Close(cfd)
		return false
	}
	_ = c.client.Close()
	_ = c.server.Close()
	c.client, c.server = nil, nil
	c.inLoop = true
	if c.lc == nil {
		c.lc = &lconn{}
	}
	lc, upEnded := c.lc, c.upEnded
	l.post(func() { l.install(lc, c, cfd, sfd, upEnded) })
	return true
}

// install registers an adopted connection. A close asked for meanwhile was
// posted after this and closes it next.
func (l *evloop) install(lc *lconn, c *conn, cfd, sfd int, upEnded bool) {
	l.cur = lc
	lc.init(c, cfd, sfd)
	lc.connected, lc.upEnded = true, upEnded
	lc.frame.read = true // it may be inside a request
	if err := l.register(lc); err != nil {
		_ = unix.Close(cfd)
		_ = unix.Close(sfd)
		c.closedByLoop()
		return
	}
	if c.needsGoroutines() { // the faults changed on the way
		l.detach(lc, handoff{})
		return
	}
	l.plan(lc)
}

// closeLater asks the loop to close lc; c.mu is held.
func (l *evloop) closeLater(lc *lconn) { l.post(func() { l.closeConn(lc) }) }

// resume serves on goroutines a connection the loop handed over.
func (c *conn) resume(cfd, sfd int, h handoff) {
	moved := false
	defer func() {
		if !moved {
			c.finish()
		}
	}()
	defer c.guard("connection")
	client, cerr := fdConn(cfd)
	server, serr := fdConn(sfd)
	c.mu.Lock()
	c.client, c.server = client, server
	ok := cerr == nil && serr == nil && !c.closed()
	c.mu.Unlock()
	if !ok {
		c.close()
		closeAll(client, server)
		return
	}
	moved = c.serve(h)
}

// runFrom serves on goroutines, from its dial on, a connection the loop
// accepted.
func (c *conn) runFrom(cfd int) {
	client, err := fdConn(cfd)
	c.mu.Lock()
	c.client = client
	ok := err == nil && !c.closed()
	c.mu.Unlock()
	if !ok {
		c.close()
		closeAll(client)
		c.finish()
		return
	}
	c.run()
}

func closeAll(conns ...*net.TCPConn) {
	for _, nc := range conns {
		if nc != nil {
			_ = nc.Close()
		}
	}
}

// fdConn wraps a socket descriptor as a *net.TCPConn and closes fd (the
// runtime holds a duplicate).
func fdConn(fd int) (*net.TCPConn, error) {
	f := os.NewFile(uintptr(fd), "socket")
	nc, err := net.FileConn(f)
	_ = f.Close()
	if err != nil {
		return nil, err
	}
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		_ = nc.Close()
		return nil, errNotTCP
	}
	return tc, nil
}

// dupFD duplicates a runtime socket's descriptor (close-on-exec; the
// duplicate shares the original's non-blocking mode).
func dupFD(sc syscall.Conn) (int, error) {
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd, derr := -1, error(nil)
	err = rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) })
	return fd, errors.Join(err, derr)
}

var errNotTCP = errors.New("not a TCP socket")
