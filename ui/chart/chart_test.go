package chart

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
)

var t0 = time.Date(2026, 12, 1, 23, 45, 0, 0, time.UTC)

func series(n int, f func(i int) float64) sources.Series {
	s := sources.Series{Name: "qps", Unit: sources.UnitPerSecond}
	for i := 0; i < n; i++ {
		s.Points = append(s.Points, sources.Point{At: t0.Add(time.Duration(i) * time.Second), V: f(i)})
	}
	return s
}

func TestRenderAlwaysFits(t *testing.T) {
	s := series(900, func(i int) float64 { return 100 + 50*math.Sin(float64(i)/30) })
	for _, ascii := range []bool{false, true} {
		for w := 0; w <= 90; w += 3 {
			for h := 0; h <= 30; h += 2 {
				out := Render(Options{Width: w, Height: h, Series: []sources.Series{s}, ASCII: ascii, Location: time.UTC,
					Thresholds: []Threshold{{Value: 120}, {Value: 1e6, Crit: true}},
					Markers:    []Marker{{At: t0.Add(10 * time.Minute), Hot: 2 * time.Minute}}})
				lines := strings.Split(out, "\n")
				if h > 0 && len(lines) != h {
					t.Fatalf("%dx%d: %d lines", w, h, len(lines))
				}
				for i, l := range lines {
					if h > 0 && ansi.StringWidth(l) != w {
						t.Fatalf("%dx%d ascii=%v: line %d is %d wide: %q", w, h, ascii, i, ansi.StringWidth(l), l)
					}
					if ascii {
						for _, r := range l {
							if r > 0x7e && r != '↑' { // the legend's off-scale arrow comes from units text
								t.Fatalf("%dx%d: non-ASCII %q in ASCII chart: %q", w, h, r, l)
							}
						}
					}
				}
			}
		}
	}
}

func TestRenderShowsGapsMarkersAndOffscale(t *testing.T) {
	s := series(600, func(i int) float64 {
		if i >= 300 && i < 360 {
			return math.NaN()
		}
		return 10
	})
	out := Render(Options{Width: 62, Height: 8, Series: []sources.Series{s}, Location: time.UTC, ASCII: true,
		Thresholds: []Threshold{{Value: 1000, Crit: true}},
		Markers:    []Marker{{At: t0.Add(5 * time.Minute), Hot: time.Minute}}})
	lines := strings.Split(out, "\n")
	if !strings.Contains(lines[0], "crit 1k/s↑") {
		t.Errorf("far-off crit threshold not flagged off-scale in the legend: %q", lines[0])
	}
	if !strings.Contains(lines[len(lines)-1], "^") || !strings.Contains(lines[len(lines)-1], "=") {
		t.Errorf("time axis lacks the milestone tick or HOT band: %q", lines[len(lines)-1])
	}
	// The NaN minute leaves a run of empty plot cells on the data row.
	found := false
	for _, l := range lines[1 : len(lines)-1] {
		if strings.Contains(l, "'") || strings.Contains(l, "-") || strings.Contains(l, ".") {
			if strings.Contains(l, "   ") {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no gap for the NaN run:\n%s", out)
	}
}

func TestSparkline(t *testing.T) {
	pts := func(vs ...float64) []sources.Point {
		out := make([]sources.Point, len(vs))
		for i, v := range vs {
			out[i] = sources.Point{At: t0.Add(time.Duration(i) * time.Second), V: v}
		}
		return out
	}
	if got := Sparkline(pts(0, 7, math.NaN()), 5, false); got != "  ▁█ " {
		t.Errorf("short series right-aligned with NaN blank: %q", got)
	}
	long := make([]float64, 86400)
	long[40000] = 100 // one spike in a day
	if got := Sparkline(pts(long...), 40, true); !strings.Contains(got, "@") {
		t.Errorf("a one-second spike in 24h vanished: %q", got)
	}
	if got := Sparkline(nil, 0, false); got != "" {
		t.Errorf("zero width: %q", got)
	}
}
