package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"github.com/rescli/rescli/pkg/herd"
)

// progressBar draws a one-line bar on stderr while a long run goes on, only
// when stderr is a terminal and the output is not JSON.
type progressBar struct {
	w    io.Writer // the terminal; nil when off
	bar  progress.Model
	mu   sync.Mutex
	last time.Time
}

func newProgressBar(g *Global) *progressBar {
	f, ok := g.IO.ErrOut.(*os.File)
	var w io.Writer
	if ok && term.IsTerminal(int(f.Fd())) && !g.JSON() {
		w = f
	}
	opts := []progress.Option{progress.WithWidth(30), progress.WithoutPercentage()}
	if !g.Color() {
		opts = append(opts, progress.WithColorProfile(termenv.Ascii), progress.WithFillCharacters('#', '.'))
	}
	return &progressBar{w: w, bar: progress.New(opts...)}
}

func (p *progressBar) update(u herd.Progress) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 50*time.Millisecond && u.Settled < u.Total {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r%-12s %s %d/%d settled ", u.Strategy, p.bar.ViewAs(float64(u.Settled)/float64(u.Total)), u.Settled, u.Total)
}

func (p *progressBar) done() {
	if p.w != nil {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
