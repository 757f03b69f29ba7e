//go:build linux

package chaos

import (
	"math/rand/v2"
	"net"

	"golang.org/x/sys/unix"
)

// lconn is a connection while the event loop holds it: its two sockets,
// registered edge-triggered (EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, once,
// never modified), so an event is served by reading until the socket is
// drained and remembering when it was not.
type lconn struct {
	c         *conn
	cl, sv    lside
	peerSA    unix.Sockaddr // the client's address as accept gave it
	connected bool          // the upstream connect completed
	upEnded   bool          // nothing more is read from the client (EOF, or Redis stopped taking bytes)
	in        bool          // registered in the loop
	delays    [2][]*Latency // by Direction: the latency faults the loop plays (loop_delay_linux.go)
	frame     frame         // requests framed for Redis-level faults (loop_inspect_linux.go)
	rand      [2]*rand.Rand // by Direction: their jitter, made on first use
}

// lside is one socket of an lconn; bytes read from it flow in direction
// dir, to peer.
type lside struct {
	lc        *lconn
	fd        int
	peer      *lside
	dir       Direction
	readable  bool        // bytes (or an end) may be waiting: edge-triggered, so remembered
	hup       bool        // an end or error is waiting behind the bytes: read until it
	pending   []byte      // bytes read from peer not yet written to this socket
	eof       bool        // read end of stream; acted on once pending towards peer is written
	reset     bool        // with eof: the end was an error, and the whole connection ends
	held      []heldChunk // bytes read from peer waiting for their time (latency faults)
	heldBytes int
	gen       uint64 // the release timer of held that counts
}

func (lc *lconn) init(c *conn, cfd, sfd int) {
	lc.c = c
	lc.frame = frame{}
	lc.cl = lside{lc: lc, fd: cfd, peer: &lc.sv, dir: Upstream}
	lc.sv = lside{lc: lc, fd: sfd, peer: &lc.cl, dir: Downstream}
}

const edge = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET

// register adds both sockets to the epoll set.
func (l *evloop) register(lc *lconn) error {
	if err := l.watch(lc.cl.fd, edge); err != nil {
		return err
	}
	if err := l.watch(lc.sv.fd, edge); err != nil {
		_ = unix.EpollCtl(l.ep, unix.EPOLL_CTL_DEL, lc.cl.fd, nil)
		return err
	}
	l.setFD(lc.cl.fd, fdEntry{side: &lc.cl})
	l.setFD(lc.sv.fd, fdEntry{side: &lc.sv})
	lc.in = true
	return nil
}

// unregister takes both sockets out of the epoll set, leaving them open.
func (l *evloop) unregister(lc *lconn) {
	for _, s := range []*lside{&lc.cl, &lc.sv} {
		_ = unix.EpollCtl(l.ep, unix.EPOLL_CTL_DEL, s.fd, nil)
		l.fds[s.fd] = fdEntry{}
	}
	lc.in = false
}

// event serves what epoll reported for one socket.
func (l *evloop) event(s *lside, events uint32) {
	lc := s.lc
	l.cur = lc
	if !lc.connected {
		if s == &lc.cl { // read once connected
			s.readable = true
			s.hup = s.hup || events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
			return
		}
		if events&(unix.EPOLLERR|unix.EPOLLHUP) != 0 {
			lc.c.p.stats.dialErrors.Add(1)
			l.closeConn(lc)
			return
		}
		if events&unix.EPOLLOUT == 0 {
			return
		}
		lc.connected = true
		if !l.connected(lc) {
			return
		}
	}
	if events&unix.EPOLLOUT != 0 && s.pending != nil && !l.flush(s) {
		return
	}
	if events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		s.readable = true
		s.hup = s.hup || events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
		l.pump(s)
	}
}

// pump reads what src holds and writes it to its peer, until src is
// drained or the peer cannot take more.
func (l *evloop) pump(src *lside) {
	dst, lc := src.peer, src.lc
	for src.readable && !src.eof && dst.pending == nil && dst.heldBytes < maxHeld && lc.connected && lc.in &&
		!(src == &lc.cl && lc.upEnded) {
		n, err := unix.Read(src.fd, l.buf)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			src.readable = false
			return
		case err != nil: // a reset: as on the goroutine path, the whole connection ends
			if len(dst.held) > 0 { // once what was read before it is written
				src.readable, src.eof, src.reset = false, true, true
				return
			}
			l.closeConn(lc)
			return
		case n == 0:
			src.readable, src.eof = false, true
			if src == &lc.cl && !l.flushFrame(lc) {
				return
			}
			if dst.pending == nil && len(dst.held) == 0 {
				l.endOfStream(src)
			}
			return
		}
		fromClient := src == &lc.cl
		lc.frame.read = lc.frame.read || fromClient
		var ok bool
		if fromClient && lc.frame.on {
			ok = l.inspect(src, l.buf[:n])
		} else {
			ok = l.forward(src, l.buf[:n])
		}
		if !ok {
			return
		}
		if n < len(l.buf) && !src.hup { // drained: a later arrival is a new edge
			src.readable = false
		}
	}
}

// write writes data to dst, keeping what the socket does not take for its
// EPOLLOUT; it reports false when the connection closed.
func (l *evloop) write(dst *lside, data []byte) bool {
	for len(data) > 0 {
		w, err := unix.Write(dst.fd, data)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			break
		}
		if err != nil {
			return l.writeFailed(dst)
		}
		l.count(dst, w)
		short := w < len(data)
		data = data[w:]
		if short { // the socket is full: EPOLLOUT says when it is not
			break
		}
	}
	if len(data) > 0 {
		dst.pending = append(dst.pending, data...)
	}
	return true
}

func (l *evloop) count(dst *lside, n int) {
	if dst == &dst.lc.sv {
		dst.lc.c.p.stats.bytesUp.Add(int64(n))
	} else {
		dst.lc.c.p.stats.bytesDown.Add(int64(n))
	}
}

// flush writes what is pending towards s, then lets the side that feeds it
// go on. It reports false when the connection closed.
func (l *evloop) flush(s *lside) bool {
	data := s.pending
	s.pending = nil
	if !l.write(s, data) {
		return false
	}
	if s.pending != nil {
		return true
	}
	if len(s.held) > 0 {
		l.releaseHeld(s)
		return s.lc.in
	}
	src := s.peer
	if src.eof {
		l.ended(src)
		return s.lc.in
	}
	l.pump(src)
	return s.lc.in
}

// endOfStream passes on an end of stream read from src, everything before
// it written: the client may half-close and still read replies, so Redis
// gets a FIN; once Redis closed, nothing more can come, and the whole
// connection closes (as the goroutine path does).
func (l *evloop) endOfStream(src *lside) {
	lc := src.lc
	if src == &lc.sv {
		l.closeConn(lc)
		return
	}
	lc.upEnded = true
	_ = unix.Shutdown(lc.sv.fd, unix.SHUT_WR)
}

// ended acts on src's end of stream, everything read before it written.
func (l *evloop) ended(src *lside) {
	if src.reset {
		l.closeConn(src.lc)
		return
	}
	l.endOfStream(src)
}

// writeFailed handles a failed write to dst. Redis gone: nothing more is
// read from the client, and the connection ends once Redis's last bytes
// were passed on. The client gone: the connection ends.
func (l *evloop) writeFailed(dst *lside) bool {
	lc := dst.lc
	if dst == &lc.sv {
		lc.upEnded = true
		dst.pending = nil
		return true
	}
	l.closeConn(lc)
	return false
}

// closeConn closes a connection the loop holds and finishes it.
func (l *evloop) closeConn(lc *lconn) {
	if !lc.in {
		return
	}
	l.unregisterClosed(lc)
	_ = unix.Close(lc.cl.fd)
	_ = unix.Close(lc.sv.fd)
	lc.cl.pending, lc.sv.pending = nil, nil
	lc.cl.takeHeld()
	lc.sv.takeHeld()
	lc.c.closedByLoop()
}

// unregisterClosed forgets both sockets without EPOLL_CTL_DEL: closing a
// descriptor nobody else holds takes it out of the epoll set.
func (l *evloop) unregisterClosed(lc *lconn) {
	l.fds[lc.cl.fd] = fdEntry{}
	l.fds[lc.sv.fd] = fdEntry{}
	lc.in = false
}

// peerAddr is the client's address as a net.Addr.
func (lc *lconn) peerAddr() net.Addr {
	switch sa := lc.peerSA.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]).To16(), Port: sa.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]), Port: sa.Port}
	}
	return &net.TCPAddr{}
}
