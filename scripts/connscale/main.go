//go:build linux

// Command connscale measures what idle connections cost a proxy and how
// fast it takes new ones while they are open: it opens -idle connections
// (each answers a PING, so the proxy holds its upstream side too), reads
// the proxy's descriptors and resident memory from /proc before and after,
// then opens, PINGs and closes connections at -rate per second for -for
// (achieved: those that answered over the time until the last closed).
// scripts/bench-proxy.sh runs it against rescli's proxy and the floor.
//
// It prints one line of key=value pairs:
//
//	idle=9000 fds_per_conn=2.00 rss_kib_per_conn=0.7 rate=2000 ok=10000 failed=0 achieved=2000 p99_ms=3.0
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rescli/rescli/internal/quantile"
)

func main() {
	addr := flag.String("addr", "", "proxy address")
	pid := flag.Int("pid", 0, "proxy process id (for /proc)")
	idle := flag.Int("idle", 10000, "idle connections to hold open")
	rate := flag.Int("rate", 2000, "new connections per second while they are open")
	dur := flag.Duration("for", 5*time.Second, "how long to open new connections")
	flag.Parse()
	if *addr == "" || *pid < 1 || *idle < 1 || *rate < 1 || *dur <= 0 {
		fmt.Fprintln(os.Stderr, "connscale: -addr and -pid are required; -idle, -rate and -for must be positive")
		os.Exit(2)
	}
	if err := run(*addr, *pid, *idle, *rate, *dur); err != nil {
		fmt.Fprintln(os.Stderr, "connscale:", err)
		os.Exit(1)
	}
}

func run(addr string, pid, idle, rate int, dur time.Duration) error {
	fds0, rss0, err := usage(pid)
	if err != nil {
		return err
	}
	conns := make([]net.Conn, idle)
	defer func() {
		for _, c := range conns {
			if c != nil {
				_ = c.Close()
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	work := make(chan int)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				c, err := ping(addr)
				if err != nil {
					select {
					case errs <- fmt.Errorf("idle connection %d: %w", i, err):
					default:
					}
					continue
				}
				conns[i] = c
			}
		}()
	}
	for i := range idle {
		work <- i
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	time.Sleep(time.Second)
	fds1, rss1, err := usage(pid)
	if err != nil {
		return err
	}
	ok, failed, lat, took := churn(addr, rate, dur)
	p99 := 0.0
	if len(lat) > 0 {
		p99 = float64(quantile.Nearest(lat, 0.99)) / 1e6
	}
	fmt.Printf("idle=%d fds_per_conn=%.2f rss_kib_per_conn=%.1f rate=%d ok=%d failed=%d achieved=%.0f p99_ms=%.1f\n",
		idle, float64(fds1-fds0)/float64(idle), float64(rss1-rss0)/float64(idle),
		rate, ok, failed, float64(ok)/took.Seconds(), p99)
	return nil
}

// churn opens rate*dur connections, the i-th at i/rate seconds (at once
// when behind), each on its own goroutine: PING, then close. It returns how
// many answered, how many did not, how long each that answered took, and
// how long the whole took.
func churn(addr string, rate int, dur time.Duration) (ok, failed int, lat []time.Duration, took time.Duration) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	total := int(float64(rate) * dur.Seconds())
	for i := range total {
		if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			c, err := ping(addr)
			d := time.Since(t)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				return
			}
			_ = c.Close()
			ok++
			lat = append(lat, d)
		}()
	}
	wg.Wait()
	return ok, failed, lat, time.Since(start)
}

// ping connects and waits for the answer to a PING.
func ping(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		_ = c.Close()
		return nil, err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "+PONG\r\n" {
		_ = c.Close()
		return nil, fmt.Errorf("PING answered %q: %v", line, err)
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}

// usage reads a process's open descriptors and resident memory (KiB).
func usage(pid int) (fds, rssKiB int, err error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, 0, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			rssKiB, _ = strconv.Atoi(f[1])
		}
	}
	return len(ents), rssKiB, nil
}
