//go:build linux

// Command floorproxy is the least a user-space TCP proxy can do: one
// thread, one epoll loop, read from one socket and write the same bytes to
// its peer. No goroutines, no parsing, no faults, no bookkeeping beyond a
// map of peers. scripts/bench-proxy.sh runs it beside rescli's proxy so the
// ratios read against what any proxy can reach on the same machine in the
// same run, not only against a direct connection.
//
// It is a measuring stick, not a product: connects are blocking (cheap on
// loopback), errors end a pair, and it never frees a pair's map entry on
// anything but EOF or an error.
package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (IPv4)")
	upstream := flag.String("upstream", "", "address to forward to (IPv4)")
	flag.Parse()
	if err := run(*listen, *upstream); err != nil {
		fmt.Fprintln(os.Stderr, "floorproxy:", err)
		os.Exit(1)
	}
}

func sockaddr(s string) (*unix.SockaddrInet4, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil || !ap.Addr().Is4() {
		return nil, fmt.Errorf("want an IPv4 address:port, got %q", s)
	}
	return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}, nil
}

func run(listen, upstream string) error {
	la, err := sockaddr(listen)
	if err != nil {
		return err
	}
	ua, err := sockaddr(upstream)
	if err != nil {
		return err
	}
	runtime.LockOSThread()
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return err
	}
	_ = unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	if err := unix.Bind(lfd, la); err != nil {
		return err
	}
	if err := unix.Listen(lfd, 4096); err != nil {
		return err
	}
	ep, err := unix.EpollCreate1(0)
	if err != nil {
		return err
	}
	watch := func(fd int) error {
		return unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
	}
	if err := watch(lfd); err != nil {
		return err
	}
	peer := map[int]int{}
	closePair := func(fd int) {
		p := peer[fd]
		delete(peer, fd)
		delete(peer, p)
		_ = unix.Close(fd)
		_ = unix.Close(p)
	}
	buf := make([]byte, 64<<10)
	events := make([]unix.EpollEvent, 256)
	for {
		n, err := unix.EpollWait(ep, events, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		for _, ev := range events[:n] {
			fd := int(ev.Fd)
			if fd == lfd {
				accept(lfd, ua, peer, watch)
				continue
			}
			p, ok := peer[fd]
			if !ok {
				continue
			}
			m, err := unix.Read(fd, buf)
			if err == unix.EAGAIN {
				continue
			}
			if m <= 0 || writeAll(p, buf[:m]) != nil {
				closePair(fd)
			}
		}
	}
}

// accept takes every pending connection and pairs it with a new upstream
// connection.
func accept(lfd int, ua *unix.SockaddrInet4, peer map[int]int, watch func(int) error) {
	for {
		cfd, _, err := unix.Accept4(lfd, unix.SOCK_NONBLOCK)
		if err != nil {
			return
		}
		sfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err == nil {
			if err = unix.Connect(sfd, ua); err != nil {
				_ = unix.Close(sfd)
			}
		}
		if err != nil {
			_ = unix.Close(cfd)
			continue
		}
		_ = unix.SetNonblock(sfd, true)
		_ = unix.SetsockoptInt(cfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		_ = unix.SetsockoptInt(sfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		peer[cfd], peer[sfd] = sfd, cfd
		_ = watch(cfd)
		_ = watch(sfd)
	}
}

// writeAll writes b to a non-blocking fd, waiting in poll when it is full.
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		w, err := unix.Write(fd, b)
		if err == unix.EAGAIN {
			_, _ = unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}, -1)
			continue
		}
		if err != nil {
			return err
		}
		b = b[w:]
	}
	return nil
}
