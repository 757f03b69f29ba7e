package chaos_test

import (
	"fmt"
	"log"

	"github.com/rescli/rescli/pkg/chaos"
)

// A proxy embedded in a test or a simulation: start it on a free port,
// point clients at Addr, set faults while they run, read the counters.
func ExampleNewProxy() {
	p := chaos.NewProxy("redis", "127.0.0.1:0", "127.0.0.1:6379", chaos.WithSeed(42))
	if _, err := p.AddToxic(chaos.Toxic{Name: "full", Type: "maxclients", Toxicity: 1,
		Attributes: chaos.Attributes{"limit": 20}}); err != nil {
		log.Fatal(err)
	}
	if err := p.Start(); err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	// ... run clients against p.Addr() ...

	if _, err := p.AddToxic(chaos.Toxic{Name: "loading", Type: "error", Toxicity: 0.1,
		Attributes: chaos.Attributes{"error": "LOADING", "command": "get"}}); err != nil {
		log.Fatal(err)
	}
	st := p.Stats()
	fmt.Println(st.Peak, st.Rejected, st.Injected["loading"])
	// Output: 0 0 0
}

// The same faults in their command-line form.
func ExampleParseToxic() {
	t, err := chaos.ParseToxic("latency,latency=100,jitter=10,stream=both")
	fmt.Println(t.Type, t.Stream, t.Attributes["latency"], err)
	// Output: latency both 100 <nil>
}
