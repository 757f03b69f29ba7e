package tui

import (
	"fmt"

	"github.com/rescli/rescli/pkg/redisstat"
)

// serverTotals sum up a target's nodes for its overview row: clients,
// rejections and ops added, the fullest memory, the worst hit ratio and
// the largest replication lag.
type serverTotals struct {
	ok                    bool // some node was read
	clients, ops, evicted int64
	rejRate               float64
	hit                   float64 // lowest hit ratio; Unknown when none
	memPct                float64 // fullest node against its maxmemory; Unknown when none has one
	memUsed               int64
	lag                   int64
}

func totalsOf(t *watched) serverTotals {
	tot := serverTotals{hit: redisstat.Unknown, memPct: redisstat.Unknown, lag: redisstat.Unknown}
	if t.server == nil {
		return tot
	}
	for _, n := range t.server.Nodes {
		if n.Err != "" {
			continue
		}
		tot.ok = true
		tot.clients += max(n.Clients, 0)
		tot.ops += max(n.OpsPerSec, 0)
		tot.evicted += max(n.Evicted, 0)
		tot.rejRate += n.RejectedRate
		tot.memUsed = max(tot.memUsed, n.UsedMemory)
		tot.lag = max(tot.lag, n.Lag)
		if n.HitRatio >= 0 && (tot.hit < 0 || n.HitRatio < tot.hit) {
			tot.hit = n.HitRatio
		}
		if n.MaxMemory > 0 && n.UsedMemory >= 0 {
			tot.memPct = max(tot.memPct, 100*float64(n.UsedMemory)/float64(n.MaxMemory))
		}
	}
	return tot
}

func (s serverTotals) clientsText() string  { return s.count(s.clients) }
func (s serverTotals) opsText() string      { return s.count(s.ops) }
func (s serverTotals) evictedText() string  { return s.count(s.evicted) }
func (s serverTotals) rejectedText() string { return s.text(fmt.Sprintf("%.1f", s.rejRate)) }
func (s serverTotals) hitText() string      { return s.text(percent(s.hit)) }
func (s serverTotals) lagText() string {
	if s.lag < 0 {
		return "-"
	}
	return s.text(bytesText(s.lag))
}

func (s serverTotals) memText() string {
	if s.memPct >= 0 {
		return s.text(fmt.Sprintf("%.0f%%", s.memPct))
	}
	return s.text(bytesText(s.memUsed))
}

func (s serverTotals) count(n int64) string { return s.text(fmt.Sprint(n)) }

func (s serverTotals) text(v string) string {
	if !s.ok {
		return "-"
	}
	return v
}

// percent is a ratio in percent, "-" when unknown.
func percent(p float64) string {
	if p < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", p)
}

// bytesText is a size for people: 512B, 1.2K, 3.4M, 2.0G.
func bytesText(n int64) string {
	switch {
	case n < 0:
		return "-"
	case n < 1<<10:
		return fmt.Sprintf("%dB", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1fK", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1fM", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1fG", float64(n)/(1<<30))
}
