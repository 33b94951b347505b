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
	prev := series(900, func(i int) float64 { return 300 + 50*math.Cos(float64(i)/20) })
	prev.Name = "prev: day 0"
	for _, ascii := range []bool{false, true} {
		for w := 0; w <= 90; w += 3 {
			for h := 0; h <= 30; h += 2 {
				out := Render(Options{Width: w, Height: h, Series: []sources.Series{s}, Secondary: []sources.Series{prev},
					ASCII: ascii, Location: time.UTC,
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

// TestRenderSecondaryDotted: the previous milestone's curve is told from
// the series without colour — dotted, every other dot column — and named
// in the legend after the series, in ASCII too.
func TestRenderSecondaryDotted(t *testing.T) {
	now := series(600, func(int) float64 { return 10 })
	prev := series(600, func(int) float64 { return 5 })
	prev.Name = "prev: day 0"
	for _, ascii := range []bool{false, true} {
		out := Render(Options{Width: 50, Height: 10, Series: []sources.Series{now}, Secondary: []sources.Series{prev},
			Location: time.UTC, ASCII: ascii})
		lines := strings.Split(out, "\n")
		leg := lines[0]
		if i, j := strings.Index(leg, "qps"), strings.Index(leg, "prev: day 0"); i < 0 || j < i {
			t.Errorf("ascii=%v: legend lacks the overlay after the series: %q", ascii, leg)
		}
		if mark := map[bool]string{false: "·· prev", true: ".. prev"}[ascii]; !strings.Contains(leg, mark) {
			t.Errorf("ascii=%v: overlay legend mark %q missing: %q", ascii, mark, leg)
		}
		// rows of the plot: the series' row is solid, the overlay's dotted
		var solid, dotted int
		for _, l := range lines[1 : len(lines)-1] {
			plot := plotOf(l)
			cells := 0
			for _, r := range plot {
				if r != ' ' {
					cells++
				}
			}
			switch {
			case cells == 0:
			case ascii && cells >= len(plot)-1:
				solid++
			case ascii && cells <= len(plot)/2+1:
				dotted++
				if !strings.Contains(string(plot), "- -") && !strings.Contains(string(plot), "' '") && !strings.Contains(string(plot), ". .") {
					t.Errorf("ASCII overlay not dotted: %q", string(plot))
				}
			case !ascii:
				right := false // a dot in a cell's right column
				for _, r := range plot {
					if r >= 0x2800 && r <= 0x28ff && (r-0x2800)&0xb8 != 0 {
						right = true
					}
				}
				if right {
					solid++
				} else {
					dotted++
				}
			}
		}
		if solid != 1 || dotted != 1 {
			t.Errorf("ascii=%v: %d solid and %d dotted rows, want 1 and 1:\n%s", ascii, solid, dotted, out)
		}
	}
}

// plotOf is a plot row without its y-axis scale.
func plotOf(line string) []rune {
	rs := []rune(line)
	for i, r := range rs {
		if strings.ContainsRune("┤│|+", r) {
			return rs[i+1:]
		}
	}
	return rs
}

// TestPaletteDrawsAsStyles: a chart drawn with a palette built once draws
// exactly as one that builds its palette from the styles, for every series
// class, thresholds, markers and HOT windows, light and dark.
func TestPaletteDrawsAsStyles(t *testing.T) {
	var ss []sources.Series
	for k := 0; k < maxSeriesClasses+2; k++ {
		s := series(600, func(i int) float64 { return float64(k*10) + 50*math.Sin(float64(i+k*7)/40) })
		s.Name = "s" + string(rune('a'+k))
		ss = append(ss, s)
	}
	prev := series(600, func(i int) float64 { return 80 + 20*math.Cos(float64(i)/25) })
	for _, dark := range []bool{true, false} {
		st := DefaultStyles(dark)
		o := Options{Width: 70, Height: 20, Series: ss, Secondary: []sources.Series{prev}, Location: time.UTC, Styles: st,
			Thresholds: []Threshold{{Value: 60}, {Value: 90, Crit: true}},
			Markers:    []Marker{{At: t0.Add(4 * time.Minute), Hot: 3 * time.Minute}}}
		want := Render(o)
		o.Palette = NewPalette(st)
		if got := Render(o); got != want {
			t.Errorf("dark=%v: with a prebuilt palette\n%q\nwant\n%q", dark, got, want)
		}
		if !strings.Contains(want, "\x1b[") {
			t.Fatalf("dark=%v: the styled chart has no colour at all: the test compares nothing", dark)
		}
	}
}
