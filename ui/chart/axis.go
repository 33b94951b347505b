package chart

import (
	"math"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/units"
)

type yTick struct {
	row   int
	label string
}

// yTicks places scale labels on about every fourth row, always including
// the top and bottom rows.
func yTicks(lo, hi float64, rows int, u sources.Unit) []yTick {
	if rows <= 0 {
		return nil
	}
	if rows == 1 {
		return []yTick{{0, units.Axis(hi, u)}}
	}
	n := min(max(rows/4, 1), 4) + 1 // intervals+1
	out := make([]yTick, 0, n)
	for i := 0; i < n; i++ {
		row := int(math.Round(float64(i) * float64(rows-1) / float64(n-1)))
		v := hi - float64(i)*(hi-lo)/float64(n-1)
		if len(out) > 0 && out[len(out)-1].row == row {
			continue
		}
		out = append(out, yTick{row, units.Axis(v, u)})
	}
	return out
}

// tickSteps are the time-axis label spacings, smallest first.
var tickSteps = []time.Duration{
	10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// timeTicks returns label instants aligned to wall-clock multiples of a
// step in loc (so an India or Nepal offset still labels at :00), spaced so
// labels of labelW cells keep two cells between them.
func timeTicks(start, end time.Time, loc *time.Location, cols, labelW int) ([]time.Time, string) {
	maxLabels := cols / (labelW + 2)
	if maxLabels < 1 {
		return nil, ""
	}
	span := end.Sub(start)
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if int(span/s) <= maxLabels {
			step = s
			break
		}
	}
	layout := "15:04"
	if step < time.Minute {
		layout = "15:04:05"
	}
	ls := start.In(loc)
	midnight := time.Date(ls.Year(), ls.Month(), ls.Day(), 0, 0, 0, 0, loc)
	k := (ls.Sub(midnight) + step - 1) / step
	var out []time.Time
	for t := midnight.Add(k * step); !t.After(end); t = t.Add(step) {
		out = append(out, t)
	}
	return out, layout
}

// timeAxis is the bottom line: HOT band (heavy line) and milestone ticks
// (▲) under the plot, clock labels where they do not cover a milestone.
func timeAxis(o Options, p palette, start, end time.Time, pw, indent int, g *grid, xf func(time.Time) int, hot, mark []bool) string {
	cells := make([]string, pw)
	kind := make([]int, pw) // 0 label/blank, 1 hot band, 2 marker
	for i := range cells {
		cells[i] = " "
		if hot[i] {
			cells[i] = pick(o.ASCII, "━", "=")
			kind[i] = 1
		}
		if mark[i] {
			cells[i] = pick(o.ASCII, "▲", "^")
			kind[i] = 2
		}
	}
	labelW := 5
	if end.Sub(start) < 5*time.Minute {
		labelW = 8
	}
	ticks, layout := timeTicks(start, end, o.Location, pw, labelW)
	lastEnd := -1
	for _, t := range ticks {
		s := t.In(o.Location).Format(layout)
		w := len(s)
		c := xf(t)/g.cx - w/2
		if c < 0 {
			c = 0
		}
		if c+w > pw || c <= lastEnd {
			continue
		}
		blocked := false
		for i := c; i < c+w; i++ {
			if kind[i] == 2 {
				blocked = true
			}
		}
		if blocked {
			continue
		}
		for i := 0; i < w; i++ {
			cells[c+i] = s[i : i+1]
			kind[c+i] = 0
		}
		lastEnd = c + w
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", indent))
	// Group runs by kind so the band and markers get their colours.
	for i := 0; i < pw; {
		j := i
		var run strings.Builder
		for j < pw && kind[j] == kind[i] {
			run.WriteString(cells[j])
			j++
		}
		if kind[i] == 0 {
			b.WriteString(p.axis.paint(run.String()))
		} else {
			b.WriteString(p.marker.paint(run.String()))
		}
		i = j
	}
	return b.String()
}
