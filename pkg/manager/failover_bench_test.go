package manager

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
)

// BenchmarkFailoverRecovery measures, against real deployments, the time
// from kill -9 of a master to the first successful write to its data, for
// go-redis with its defaults and for the manager with its defaults, side by
// side. One iteration starts a fresh deployment and takes seconds, so
// `-bench .` runs it once; -benchtime 1x says so explicitly (the
// go-redis/cluster case waits for its 60s slot-map reload):
//
//	go test -run '^$' -bench FailoverRecovery -benchtime 1x ./pkg/manager/
func BenchmarkFailoverRecovery(b *testing.B) {
	b.Run("sentinel/go-redis-defaults", func(b *testing.B) {
		benchRecovery(b, sentinelDeployment, func(url string) (func(context.Context) error, func()) {
			t, _ := target.Parse(url)
			c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: t.MasterName, SentinelAddrs: t.Addrs})
			return func(ctx context.Context) error { return c.Set(ctx, "k", "v", 0).Err() }, func() { _ = c.Close() }
		})
	})
	b.Run("sentinel/rescli", func(b *testing.B) { benchRecovery(b, sentinelDeployment, managerWriter) })
	b.Run("cluster/go-redis-defaults", func(b *testing.B) {
		benchRecovery(b, clusterDeployment, func(url string) (func(context.Context) error, func()) {
			t, _ := target.Parse(url)
			c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: t.Addrs})
			return func(ctx context.Context) error { return c.Set(ctx, "k", "v", 0).Err() }, func() { _ = c.Close() }
		})
	})
	b.Run("cluster/rescli", func(b *testing.B) { benchRecovery(b, clusterDeployment, managerWriter) })
}

// A deployment returns its URL and a function that kills the master of "k".
type deployment func(b *testing.B) (url string, kill func())

func sentinelDeployment(b *testing.B) (string, func()) {
	d := redistest.StartSentinel(b)
	return d.URL(), d.Master.Kill
}

func clusterDeployment(b *testing.B) (string, func()) {
	c := redistest.StartCluster(b)
	victim, err := c.MasterOf(context.Background(), "k")
	if err != nil {
		b.Fatal(err)
	}
	return c.URL(), victim.Kill
}

func managerWriter(url string) (func(context.Context) error, func()) {
	m, err := New(Options{URL: url})
	if err != nil {
		panic(err)
	}
	return func(ctx context.Context) error {
		return m.Do(ctx, func(ctx context.Context, c redis.UniversalClient) error { return c.Set(ctx, "k", "v", 0).Err() })
	}, func() { _ = m.Close() }
}

func benchRecovery(b *testing.B, deploy deployment, client func(url string) (func(context.Context) error, func())) {
	var total time.Duration
	for range b.N {
		b.StopTimer()
		url, kill := deploy(b)
		write, closeClient := client(url)
		w := startWriter(b, write)
		// Time the recovery, seconds long: with the timer stopped throughout,
		// `-bench .` saw no time pass and kept raising b.N, starting a new
		// deployment per iteration until the test binary's timeout.
		b.StartTimer()
		w.kill(kill)
		took, err := w.awaitRecovery(120 * time.Second)
		b.StopTimer()
		w.close()
		closeClient()
		if err != nil {
			b.Fatal(err)
		}
		total += took
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s-to-first-write")
	b.ReportMetric(0, "ns/op")
}
