package herd

import (
	"fmt"
	"html"
	"strings"
)

// SVG renders the report as a self-contained chart: client connections over
// time (top) and services ready over time (bottom), one line per strategy.
// Hand-written: a two-panel line chart is ~100 lines of SVG, and the Go
// plotting libraries (gonum/plot) would pull in a large dependency tree for it.
func SVG(rep *Report) string {
	const width, panelH, left, top, gap = 760, 220, 60, 50, 70
	height := top + 2*panelH + gap + 50 + 18*len(rep.Strategies)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">rescli herd — %d services, %s</text>`,
		left, rep.Services, html.EscapeString(rep.Target))
	var maxMS, maxConn int64 = 1, 1
	for _, s := range rep.Strategies {
		for _, p := range s.Timeline {
			maxMS, maxConn = max(maxMS, p.MS), max(maxConn, p.Connections)
		}
	}
	if rep.MaxClients > 0 {
		maxConn = max(maxConn, int64(rep.MaxClients))
	}
	plotW := width - left - 30
	panel := func(y0 int, title string, ymax int64, val func(Sample) int64) {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold">%s</text>`, left, y0-8, title)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`, left, y0, plotW, panelH)
		for i := 0; i <= 4; i++ {
			y := y0 + panelH - i*panelH/4
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%d</text>`, left-6, y+4, ymax*int64(i)/4)
		}
		for si, s := range rep.Strategies {
			var pts []string
			for _, p := range s.Timeline {
				x := left + int(int64(plotW)*p.MS/maxMS)
				y := y0 + panelH - int(int64(panelH)*val(p)/ymax)
				pts = append(pts, fmt.Sprintf("%d,%d", x, y))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, palette[si%len(palette)], strings.Join(pts, " "))
		}
	}
	panel(top, "client connections at the proxy", maxConn, func(p Sample) int64 { return p.Connections })
	if rep.MaxClients > 0 {
		y := top + panelH - int(int64(panelH)*int64(rep.MaxClients)/maxConn)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#c00" stroke-dasharray="4 3"/><text x="%d" y="%d" fill="#c00">maxclients %d</text>`,
			left, left+plotW, y, y, left+plotW-90, y-4, rep.MaxClients)
	}
	panel(top+panelH+gap, "services ready", int64(rep.Services), func(p Sample) int64 { return p.Ready })
	axisY := top + 2*panelH + gap + 18
	step := tickStep(maxMS)
	for ms := int64(0); ms <= maxMS; ms += step {
		x := left + int(int64(plotW)*ms/maxMS)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, x, axisY, tickLabel(ms))
	}
	for si, s := range rep.Strategies { // one legend line each, so long names never overlap
		y := axisY + 22 + si*18
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="4" fill="%s"/><text x="%d" y="%d">%s: %d/%d ready, peak %d connections, %d rejected</text>`,
			left, y-5, palette[si%len(palette)], left+20, y, html.EscapeString(s.Name), s.Ready+s.Degraded, rep.Services, s.PeakConnections, s.RejectedConnections)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// tickStep picks a round time step giving 4 to 10 ticks.
func tickStep(maxMS int64) int64 {
	for _, s := range []int64{10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000} {
		if maxMS/s <= 10 {
			return s
		}
	}
	return 120000
}

func tickLabel(ms int64) string {
	if ms >= 1000 && ms%1000 == 0 {
		return fmt.Sprintf("%ds", ms/1000)
	}
	if ms >= 1000 {
		return fmt.Sprintf("%.1fs", float64(ms)/1000)
	}
	return fmt.Sprintf("%dms", ms)
}

// palette is distinguishable for common colour-vision deficiencies.
var palette = []string{"#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00"}
