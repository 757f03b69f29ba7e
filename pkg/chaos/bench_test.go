package chaos

import (
	"io"
	"net"
	"testing"

	"github.com/rescli/rescli/internal/redistest"
)

// Run with: go test -run '^$' -bench . ./pkg/chaos/
// (scripts/bench-proxy.sh compares against Redis direct with redis-benchmark.)

func benchAddr(b *testing.B, mode string) string {
	srv := redistest.Start(b)
	if mode == "direct" {
		return srv.Addr
	}
	p := NewProxy("bench", "127.0.0.1:0", srv.Addr)
	if err := p.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Close() })
	return p.Addr()
}

// BenchmarkPing sends PING and reads +PONG on one connection, direct and
// through the proxy with no fault.
func BenchmarkPing(b *testing.B) {
	for _, mode := range []string{"direct", "proxy"} {
		b.Run(mode, func(b *testing.B) {
			addr := benchAddr(b, mode)
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			defer nc.Close()
			buf := make([]byte, 7)
			b.ResetTimer()
			for range b.N {
				if _, err := nc.Write([]byte("PING\r\n")); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(nc, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChurn opens a connection, PINGs once and closes it.
func BenchmarkChurn(b *testing.B) {
	for _, mode := range []string{"direct", "proxy"} {
		b.Run(mode, func(b *testing.B) {
			addr := benchAddr(b, mode)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := pingOnce(addr); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
