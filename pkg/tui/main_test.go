package tui

import (
	"testing"

	"go.uber.org/goleak"
)

// teatest's SIGINT watcher goroutine outlives every test model by design.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"))
}
