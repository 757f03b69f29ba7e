package inject

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// pauseLink is the length of one pause of a pause-all chain: the most a
// pause all outlasts rescli's decision to end it is about two links (plus
// Redis's cron tick, 100ms at hz 10). The round trip to the server must be
// well below it, or clients get commands in between links.
const pauseLink = 250 * time.Millisecond

// pauseChain holds CLIENT PAUSE ... ALL as a chain of short pauses on one
// connection of its own, always one pause ahead: the next CLIENT PAUSE is
// already in the connection's query buffer when the current one runs, so
// Redis postpones it first, before any other client, and runs it first
// when the current pause ends. No client gets a command in between, and to
// end the chain rescli just stops sending; what was sent ends within two
// links.
type pauseChain struct {
	conn     net.Conn
	rd       *bufio.Reader
	deadline time.Time
	sent     []time.Duration // pauses sent and not yet started, oldest first
	// A pause ends at Redis's first cron tick after its time (100ms apart
	// at hz 10), so links last longer than asked: lag is how much longer
	// the last one did, so that the chain ends near its deadline.
	lag       time.Duration
	lastStart time.Time
	lastLen   time.Duration

	stopOnce sync.Once
	stopping chan struct{} // closed by stop
	finished chan struct{} // closed when the chain is over and the connection closed
	err      error         // why the chain ended early, read after finished
}

// startPauseChain connects, starts the first pause and queues the second;
// the chain then runs until d has passed or stop is called.
func startPauseChain(ctx context.Context, o *redis.Options, d time.Duration) (*pauseChain, error) {
	conn, err := dialPlain(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("pause all: %w", err)
	}
	pc := &pauseChain{conn: conn, rd: bufio.NewReader(conn), deadline: time.Now().Add(d),
		stopping: make(chan struct{}), finished: make(chan struct{})}
	links := []time.Duration{min(d, pauseLink)}
	if d > links[0] {
		links = append(links, min(pauseLink, d-links[0]))
	}
	pc.send(links...) // in one write: Redis reads both at once and queues the second before anyone else
	if err := pc.started(); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("pause all: %w", err)
	}
	go pc.run()
	return pc, nil
}

// send writes CLIENT PAUSE ms ALL for each link, in one write, and
// remembers their lengths. Only startPauseChain and then run write, one
// after the other. A failed write shows as a failed read of the reply.
func (pc *pauseChain) send(links ...time.Duration) {
	var b strings.Builder
	for _, d := range links {
		ms := strconv.FormatInt(d.Milliseconds(), 10)
		fmt.Fprintf(&b, "*4\r\n$6\r\nCLIENT\r\n$5\r\nPAUSE\r\n$%d\r\n%s\r\n$3\r\nALL\r\n", len(ms), ms)
	}
	_, _ = io.WriteString(pc.conn, b.String())
	pc.sent = append(pc.sent, links...)
}

// started waits for the reply of the oldest pause sent: Redis ran it, so
// it is the current pause now.
func (pc *pauseChain) started() error {
	_ = pc.conn.SetReadDeadline(time.Now().Add(pc.sent[0] + pauseLink + 5*time.Second))
	if err := readOK(pc.rd); err != nil {
		return err
	}
	now := time.Now()
	if !pc.lastStart.IsZero() {
		pc.lag = max(0, now.Sub(pc.lastStart)-pc.lastLen)
	}
	pc.lastStart, pc.lastLen, pc.sent = now, pc.sent[0], pc.sent[1:]
	return nil
}

// run keeps one pause queued behind the current one until the deadline or
// stop, then lets the chain run out and ends with CLIENT UNPAUSE, whose
// reply comes once no pause is left.
func (pc *pauseChain) run() {
	defer close(pc.finished)
	defer pc.conn.Close()
	for len(pc.sent) > 0 {
		// The pause that just started lasts until about now + its
		// length; the queued ones follow it.
		next := time.Now().Add(pc.lastLen + pc.lag)
		for _, d := range pc.sent {
			next = next.Add(d + pc.lag)
		}
		select {
		case <-pc.stopping:
		default:
			if left := pc.deadline.Sub(next); left >= 20*time.Millisecond {
				pc.send(min(pauseLink, left))
			}
		}
		if err := pc.started(); err != nil {
			pc.err = err
			return // the server ends the pause by itself within a link
		}
	}
	_, _ = fmt.Fprint(pc.conn, "*2\r\n$6\r\nCLIENT\r\n$7\r\nUNPAUSE\r\n")
	_ = pc.conn.SetReadDeadline(time.Now().Add(2*pauseLink + 5*time.Second))
	pc.err = readOK(pc.rd)
}

// stop ends the chain early and waits until the pause is over (or ctx
// ends: then the connection is closed, and the pause ends by itself within
// two links).
func (pc *pauseChain) stop(ctx context.Context) error {
	pc.stopOnce.Do(func() { close(pc.stopping) })
	select {
	case <-pc.finished:
	case <-ctx.Done():
		_ = pc.conn.Close()
		<-pc.finished
		return fmt.Errorf("pause all: stop: %w", ctx.Err())
	}
	if pc.err != nil {
		return fmt.Errorf("pause all: %w", pc.err)
	}
	return nil
}

// readOK reads one RESP2 reply and wants +OK.
func readOK(rd *bufio.Reader) error {
	line, err := rd.ReadString('\n')
	if err != nil {
		return err
	}
	line = strings.TrimRight(line, "\r\n")
	if line != "+OK" {
		return errors.New(strings.TrimPrefix(line, "-"))
	}
	return nil
}

// dialPlain opens a raw connection as go-redis would (its dialer, TLS,
// AUTH), for a chain go-redis cannot send: one command queued behind the
// one in progress.
func dialPlain(ctx context.Context, o *redis.Options) (net.Conn, error) {
	dial := o.Dialer
	if dial == nil {
		d := &net.Dialer{Timeout: max(o.DialTimeout, time.Second)}
		dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, network, addr)
			if err == nil && o.TLSConfig != nil {
				conn = tls.Client(conn, o.TLSConfig)
			}
			return conn, err
		}
	}
	network := o.Network
	if network == "" {
		network = "tcp"
	}
	conn, err := dial(ctx, network, o.Addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", o.Addr, err)
	}
	if o.Password == "" {
		return conn, nil
	}
	args := []string{"AUTH", o.Password}
	if o.Username != "" {
		args = []string{"AUTH", o.Username, o.Password}
	}
	_, _ = fmt.Fprintf(conn, "*%d\r\n", len(args))
	for _, a := range args {
		_, _ = fmt.Fprintf(conn, "$%d\r\n%s\r\n", len(a), a)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := readOK(bufio.NewReader(conn)); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("authenticate to %s: %w", o.Addr, err)
	}
	return conn, nil
}
