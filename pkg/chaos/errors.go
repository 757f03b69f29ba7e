package chaos

import "errors"

// ErrProxyExists is returned when a proxy name is already taken.
var ErrProxyExists = errors.New("proxy already exists")

// ErrProxyNotFound is returned when no proxy has the given name.
var ErrProxyNotFound = errors.New("proxy not found")

// ErrToxicExists is returned when a proxy already has a fault of that name.
var ErrToxicExists = errors.New("toxic already exists")

// ErrToxicNotFound is returned when a proxy has no fault of that name.
var ErrToxicNotFound = errors.New("toxic not found")

// ErrUnknownType is returned for a fault type nobody registered.
var ErrUnknownType = errors.New("invalid toxic type")

// ErrBadAttributes is returned when a fault's attributes do not decode or do
// not validate.
var ErrBadAttributes = errors.New("bad toxic attributes")

// ErrBadStream is returned for a stream other than upstream, downstream or
// both.
var ErrBadStream = errors.New("stream must be either upstream, downstream or both")

// ErrBadName is returned for a proxy or toxic name, or an address, that
// is too long or holds control bytes (they would reach terminals as they
// are in `chaos proxies ls`).
var ErrBadName = errors.New("bad name")

// ErrMissingField is returned when a required field (name, upstream) is
// empty.
var ErrMissingField = errors.New("missing required field")

// ErrTooMany is returned when a server already has maxProxies proxies or
// a proxy maxToxics faults: each costs memory, and the delays of a
// proxy's faults add up.
var ErrTooMany = errors.New("too many")

// ErrClosed is returned by operations on a proxy or server after Close.
var ErrClosed = errors.New("proxy closed")

// errProtocol marks bytes that are not RESP; the connection then passes
// bytes through unparsed.
var errProtocol = errors.New("protocol error")

// errWriteFailed wraps a failed write to the other side of the proxy.
// Towards Redis it means Redis is gone (it closes after a protocol error,
// say): the connection then ends when Redis's byte stream does, so that
// what Redis sent before, its error line above all, reaches the client.
var errWriteFailed = errors.New("write failed")

// errIncomplete means the buffer ends inside a RESP frame: read more.
var errIncomplete = errors.New("incomplete frame")

// ErrConnNotFound is returned when no open connection has the given id.
var ErrConnNotFound = errors.New("connection not found")

// ErrListen is returned when a proxy cannot listen on its address.
var ErrListen = errors.New("cannot listen")

// ErrAPIUnreachable is returned by a Client whose API did not answer.
var ErrAPIUnreachable = errors.New("no chaos control API answers")
