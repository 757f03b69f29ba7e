//go:build !unix

package chaos

import (
	"fmt"
	"io"
	"net"
	"sync/atomic"
)

// passThrough copies src to dst until EOF (nil error) or an error, adding
// the bytes written to count.
func passThrough(dst, src *net.TCPConn, count *atomic.Int64) error {
	_, err := io.Copy(countingWriter{dst, count}, src)
	return err
}

type countingWriter struct {
	w     io.Writer
	count *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.count.Add(int64(n))
	if err != nil {
		return n, fmt.Errorf("%w: %w", errWriteFailed, err)
	}
	return n, nil
}
