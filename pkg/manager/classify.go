package manager

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
)

// Class is what an outcome means for Redis's health.
type Class uint8

// Outcome classes. Success, Miss and Command are successes for the breaker
// (Redis answered); Canceled and Rejected are not counted at all; the rest are
// failures.
const (
	Success     Class = iota
	Miss              // redis.Nil: the key does not exist
	Command           // Redis answered with an application error (WRONGTYPE, syntax…)
	Canceled          // the caller's context was cancelled
	Rejected          // failed fast: breaker open
	Dial              // connection refused, unreachable, DNS
	Timeout           // i/o timeout or caller's deadline exceeded
	ConnLost          // EOF, reset, broken pipe on an established connection
	MaxClients        // ERR max number of clients reached
	Loading           // LOADING: dataset being loaded
	Busy              // BUSY: a script is running
	MasterDown        // MASTERDOWN
	ClusterDown       // CLUSTERDOWN
	TryAgain          // TRYAGAIN
	ReadOnly          // READONLY: wrote to a replica
	PoolTimeout       // no free connection in the pool in time
	Other             // anything else that is not a Redis reply
	numClasses
)

var classNames = [numClasses]string{
	"success", "miss", "command_error", "canceled", "rejected", "dial", "timeout",
	"conn_lost", "maxclients", "loading", "busy", "masterdown", "clusterdown",
	"tryagain", "readonly", "pool_timeout", "other",
}

func (c Class) String() string {
	if c >= numClasses {
		return "unknown"
	}
	return classNames[c]
}

// MarshalText writes the class name.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// IsFailure reports whether the class counts against the breaker.
func (c Class) IsFailure() bool { return c >= Dial }

// IsOutage reports whether a fallback should run: the breaker rejected the
// call or Redis is unavailable.
func (c Class) IsOutage() bool { return c == Rejected || c.IsFailure() }

// notExecuted reports whether the command surely did not run on the server,
// so a retry cannot apply a write twice.
func (c Class) notExecuted() bool {
	switch c {
	case Dial, MaxClients, Loading, Busy, MasterDown, ClusterDown, TryAgain, ReadOnly, PoolTimeout:
		return true
	}
	return false
}

// Classify maps an error from a go-redis call to its class.
func Classify(err error) Class {
	switch {
	case err == nil:
		return Success
	case errors.Is(err, redis.Nil):
		return Miss
	case errors.Is(err, ErrCircuitOpen):
		return Rejected
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, ErrMaxClients), redis.IsMaxClientsError(err):
		return MaxClients
	case errors.Is(err, redis.ErrPoolTimeout):
		return PoolTimeout
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, redis.ErrPoolExhausted):
		return Timeout
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		return classifyReply(rerr.Error())
	}
	return classifyNet(err)
}

func classifyReply(msg string) Class {
	prefix := msg
	if i := strings.IndexByte(msg, ' '); i > 0 {
		prefix = msg[:i]
	}
	switch prefix {
	case "LOADING":
		return Loading
	case "BUSY":
		return Busy
	case "MASTERDOWN":
		return MasterDown
	case "CLUSTERDOWN":
		return ClusterDown
	case "TRYAGAIN":
		return TryAgain
	case "READONLY":
		return ReadOnly
	}
	return Command
}

func classifyNet(err error) Class {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		if op.Timeout() {
			return Timeout
		}
		return Dial
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return Timeout
	}
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr), errors.Is(err, syscall.ECONNREFUSED):
		return Dial
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return ConnLost
	}
	return Other
}

// errString returns an error's message with credentials redacted.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return redact.String(err.Error())
}
