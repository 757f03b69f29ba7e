// Command pacedget measures what a proxy's latency fault adds under
// concurrency without the benchmark itself queueing: -clients connections,
// each sending one GET every -every (open loop: the next request is due at
// a fixed time, not when the last reply came), for -for. redis-benchmark
// is closed-loop and saturates the machine at -c 50, so its p50 is mostly
// queueing, which a held reply takes its client out of; here the machine
// stays well below saturation and the figure is the fault's own.
// (memtier_benchmark --rate-limiting does this too; it is not packaged on
// the machines the script runs on; this is one small file of this repository.)
//
// -cmd sends another command than GET: bench-proxy.sh's control sends
// DEBUG SLEEP 0.001 straight to Redis from one connection, what this
// client's own wake-up after a 1 ms wait costs.
//
// It prints one line: p50_ms=0.112 p99_ms=0.241 n=25000 late=0
// (late: requests sent more than one period behind their time).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rescli/rescli/internal/quantile"
)

func main() {
	addr := flag.String("addr", "", "address to send GETs to")
	clients := flag.Int("clients", 50, "connections, each paced on its own")
	every := flag.Duration("every", 10*time.Millisecond, "one GET per connection this often")
	dur := flag.Duration("for", 5*time.Second, "how long to send")
	cmd := flag.String("cmd", "GET key", "the command to send, words separated by spaces (the control: DEBUG SLEEP 0.001)")
	flag.Parse()
	if *addr == "" || *clients < 1 || *every <= 0 || *dur <= 0 {
		fmt.Fprintln(os.Stderr, "pacedget: -addr is required; -clients, -every and -for must be positive")
		os.Exit(2)
	}
	var (
		mu   sync.Mutex
		all  []time.Duration
		late int
		errs []error
		wg   sync.WaitGroup
	)
	start := time.Now().Add(100 * time.Millisecond)
	for i := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Spread the connections' ticks over one period.
			first := start.Add(time.Duration(i) * *every / time.Duration(*clients))
			ds, l, err := client(*addr, encode(strings.Fields(*cmd)), first, *every, *dur)
			mu.Lock()
			all, late = append(all, ds...), late+l
			if err != nil {
				errs = append(errs, err)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		fmt.Fprintf(os.Stderr, "pacedget: %d of %d connections failed, the first: %v\n", len(errs), *clients, errs[0])
		os.Exit(1)
	}
	at := func(q float64) float64 { return float64(quantile.Nearest(all, q).Microseconds()) / 1000 }
	fmt.Printf("p50_ms=%.3f p99_ms=%.3f n=%d late=%d\n", at(0.50), at(0.99), len(all), late)
}

// encode is args as a RESP request.
func encode(args []string) []byte {
	b := fmt.Appendf(nil, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b
}

// client sends req every period from first until dur has passed and
// returns each request's time to its reply (a status, an error, or a bulk
// string).
func client(addr string, req []byte, first time.Time, period, dur time.Duration) ([]time.Duration, int, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, 0, err
	}
	defer nc.Close()
	r := bufio.NewReader(nc)
	var ds []time.Duration
	late := 0
	end := first.Add(dur)
	for due := first; due.Before(end); due = due.Add(period) {
		time.Sleep(time.Until(due))
		sent := time.Now()
		if sent.Sub(due) > period {
			late++
		}
		if _, err := nc.Write(req); err != nil {
			return ds, late, err
		}
		line, err := r.ReadString('\n')
		if err != nil {
			return ds, late, err
		}
		if line[0] == '-' {
			return ds, late, fmt.Errorf("reply %q", strings.TrimSpace(line))
		}
		if line[0] == '$' && line != "$-1\r\n" { // a value: read its body
			var n int
			if _, err := fmt.Sscanf(line, "$%d", &n); err != nil {
				return ds, late, fmt.Errorf("reply %q", line)
			}
			if _, err := r.Discard(n + 2); err != nil {
				return ds, late, err
			}
		}
		ds = append(ds, time.Since(sent))
	}
	return ds, late, nil
}
