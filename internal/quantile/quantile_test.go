package quantile

import (
	"testing"
	"time"
)

func TestNearest(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(100-i) * time.Millisecond // reversed: Nearest sorts
	}
	cases := []struct {
		name string
		ds   []time.Duration
		q    float64
		want time.Duration
	}{
		{"p99 of 100 leaves out the worst", hundred, 0.99, 99 * time.Millisecond},
		{"p50 of 100", hundred, 0.50, 50 * time.Millisecond},
		{"p99 of 20 is the worst", hundred[80:], 0.99, 20 * time.Millisecond},
		{"one sample", []time.Duration{7}, 0.99, 7},
		{"q 0", []time.Duration{3, 1, 2}, 0, 1},
		{"q 1", []time.Duration{3, 1, 2}, 1, 3},
	}
	for _, c := range cases {
		ds := append([]time.Duration(nil), c.ds...)
		if got := Nearest(ds, c.q); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}
