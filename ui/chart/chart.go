// Package chart renders time series into a fixed-size block of terminal
// text: a braille (2×4 dots per cell) or ASCII line chart with a y-axis
// scale, a time axis in the event's zone, warn/crit threshold lines,
// milestone markers with the HOT window marked, NaN gaps, a dotted overlay
// (the previous milestone's curve) and a legend.
//
// Render is a pure function of its Options: no clock, no IO, no state. Its
// output is always exactly Height lines of exactly Width cells, whatever
// the data, so a pane can place it without measuring.
package chart

import (
	"math"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"warroom/sources"
	"warroom/sources/units"
)

// Threshold is one horizontal rule line. Crit lines are drawn heavier than
// warn lines so they differ without colour.
type Threshold struct {
	Value float64 // NaN: no line
	Crit  bool
}

// Marker is a milestone on the time axis; [At, At+Hot) is the HOT window.
type Marker struct {
	At  time.Time
	Hot time.Duration
}

// Styles colours the parts of a chart. Series[i] paints the i-th series
// (cycling when there are more series than styles).
type Styles struct {
	Series    []lipgloss.Style
	Secondary lipgloss.Style
	Warn      lipgloss.Style
	Crit      lipgloss.Style
	Marker    lipgloss.Style
	Hot       lipgloss.Style // applied under everything in HOT columns (a background)
	Axis      lipgloss.Style
	Legend    lipgloss.Style
}

// DefaultStyles returns colours readable on a dark or light background.
func DefaultStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	return Styles{
		Series: []lipgloss.Style{
			lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#005fd7"), lipgloss.Color("#5fafff"))),
			lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#8700af"), lipgloss.Color("#d787ff"))),
			lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#008787"), lipgloss.Color("#5fd7d7"))),
			lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#5f8700"), lipgloss.Color("#afd75f"))),
		},
		Secondary: lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#a8a8a8"), lipgloss.Color("#585858"))),
		Warn:      lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#af8700"), lipgloss.Color("#ffd700"))),
		Crit:      lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#d70000"), lipgloss.Color("#ff5f5f"))),
		Marker:    lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#af5f00"), lipgloss.Color("#ff8700"))),
		Hot:       lipgloss.NewStyle().Background(ld(lipgloss.Color("#ffe4d6"), lipgloss.Color("#3a1e12"))),
		Axis:      lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#6c6c6c"), lipgloss.Color("#8a8a8a"))),
		Legend:    lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#4e4e4e"), lipgloss.Color("#bcbcbc"))),
	}
}

// PlainStyles draws without any colour or attribute: every distinction is
// carried by glyphs (heavy vs dashed lines, the dotted overlay, the HOT
// band on the axis).
func PlainStyles() Styles { return Styles{} }

// Options is everything a chart shows. The zero value of each field is a
// sensible "none" (no thresholds, no markers, window from the data, local
// time, braille, legend on).
type Options struct {
	Width, Height int
	Series        []sources.Series // drawn in order; Series[0] wins a shared cell
	Secondary     []sources.Series // faint overlay, e.g. the previous milestone's curve
	Thresholds    []Threshold
	Markers       []Marker
	Start, End    time.Time      // zero: span of the data
	Location      *time.Location // time-axis zone; nil: time.Local
	Unit          sources.Unit   // axis unit; empty: Series[0].Unit
	ASCII         bool           // no braille: 1×3 "dots" per cell from .-'
	NoLegend      bool
	Styles        Styles
	Palette       *Palette // Styles as escape sequences, built once (NewPalette); nil: built per call from Styles
}

// Render draws the chart. It never returns more than Height lines or a line
// wider than Width cells, and tolerates any size down to 0×0.
func Render(o Options) string {
	if o.Width <= 0 || o.Height <= 0 {
		return strings.Repeat("\n", max(o.Height-1, 0))
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Unit == "" && len(o.Series) > 0 {
		o.Unit = o.Series[0].Unit
	}
	start, end := timeSpan(o)
	lo, hi, offscale := valueSpan(o, start, end)

	// Rows: legend on top, time axis at the bottom, plot in between. Small
	// charts give up the legend first, then the axis.
	legendRows, axisRows := 0, 0
	if o.Height >= 4 {
		axisRows = 1
	}
	if o.Height >= 6 && !o.NoLegend {
		legendRows = 1
	}
	ph := o.Height - legendRows - axisRows

	ticks := yTicks(lo, hi, ph, o.Unit)
	labelW := 0
	for _, t := range ticks {
		labelW = max(labelW, lipgloss.Width(t.label))
	}
	if o.Width-labelW-1 < 8 {
		labelW = -1 // no scale: the plot needs the room more than the numbers
		ticks = nil
	}
	pw := o.Width - labelW - 1

	g := newGrid(pw, ph, o.ASCII)
	xf := func(t time.Time) int {
		f := float64(t.Sub(start)) / float64(end.Sub(start))
		return clamp(int(math.Round(f*float64(g.dw-1))), 0, g.dw-1)
	}
	yf := func(v float64) int {
		f := (hi - v) / (hi - lo)
		return clamp(int(math.Round(f*float64(g.dh-1))), 0, g.dh-1)
	}

	hotCols := make([]bool, pw)
	markCols := make([]bool, pw)
	for _, mk := range o.Markers {
		if mk.At.Before(start) && mk.At.Add(mk.Hot).Before(start) || mk.At.After(end) {
			continue
		}
		if !mk.At.Before(start) {
			c := xf(mk.At) / g.cx
			markCols[c] = true
			g.markColumn(c)
		}
		if mk.Hot > 0 {
			a, b := xf(maxTime(mk.At, start))/g.cx, xf(minTime(mk.At.Add(mk.Hot), end))/g.cx
			for c := a; c <= b; c++ {
				hotCols[c] = true
			}
		}
	}
	for _, th := range o.Thresholds {
		if math.IsNaN(th.Value) || th.Value < lo || th.Value > hi {
			continue
		}
		g.markRow(yf(th.Value)/g.cy, th.Crit)
	}
	for i := len(o.Secondary) - 1; i >= 0; i-- {
		g.plot(o.Secondary[i].Points, start, end, classSecondary, xf, yf)
	}
	for i := len(o.Series) - 1; i >= 0; i-- {
		g.plot(o.Series[i].Points, start, end, classSeries+cellClass(i%maxSeriesClasses), xf, yf)
	}

	var p palette
	if o.Palette != nil {
		p = o.Palette.p
	} else {
		p = newPalette(o.Styles)
	}
	var b strings.Builder
	b.Grow(o.Width * o.Height * 4)
	if legendRows > 0 {
		b.WriteString(legend(o, p, offscale))
		b.WriteByte('\n')
	}
	tickAt := make(map[int]string, len(ticks))
	for _, t := range ticks {
		tickAt[t.row] = t.label
	}
	for r := 0; r < ph; r++ {
		if labelW >= 0 {
			lab, ok := tickAt[r]
			axis := "│"
			if o.ASCII {
				axis = "|"
			}
			if ok {
				axis = "┤"
				if o.ASCII {
					axis = "+"
				}
			}
			b.WriteString(p.axis.paint(strings.Repeat(" ", labelW-lipgloss.Width(lab)) + lab + axis))
		}
		g.writeRow(&b, r, hotCols, p)
		if r < ph-1 || axisRows > 0 {
			b.WriteByte('\n')
		}
	}
	if axisRows > 0 {
		b.WriteString(timeAxis(o, p, start, end, pw, labelW+1, g, xf, hotCols, markCols))
	}
	return b.String()
}

// timeSpan is the window the x axis covers.
func timeSpan(o Options) (time.Time, time.Time) {
	start, end := o.Start, o.End
	if start.IsZero() || end.IsZero() {
		var first, last time.Time
		for _, s := range append(append([]sources.Series(nil), o.Series...), o.Secondary...) {
			if len(s.Points) == 0 {
				continue
			}
			if first.IsZero() || s.Points[0].At.Before(first) {
				first = s.Points[0].At
			}
			if l := s.Points[len(s.Points)-1].At; l.After(last) {
				last = l
			}
		}
		if start.IsZero() {
			start = first
		}
		if end.IsZero() {
			end = last
		}
	}
	if !end.After(start) {
		end = start.Add(time.Minute)
	}
	return start, end
}

// valueSpan picks the y range: from 0 (or the lowest value when negative)
// to a round number above the data. Thresholds widen the range only when
// they are near the data, so a far-off crit line does not flatten the curve;
// offscale lists those left out, for the legend.
func valueSpan(o Options, start, end time.Time) (lo, hi float64, offscale []Threshold) {
	lo, hi = math.Inf(1), math.Inf(-1)
	scan := func(ss []sources.Series) {
		for _, s := range ss {
			for _, pt := range s.Points {
				if math.IsNaN(pt.V) || math.IsInf(pt.V, 0) || pt.At.Before(start) || pt.At.After(end) {
					continue
				}
				lo, hi = math.Min(lo, pt.V), math.Max(hi, pt.V)
			}
		}
	}
	scan(o.Series)
	scan(o.Secondary)
	if math.IsInf(hi, -1) { // no data
		lo, hi = 0, 0
	}
	lo = math.Min(lo, 0)
	dataHi := hi
	for _, th := range o.Thresholds {
		if math.IsNaN(th.Value) || math.IsInf(th.Value, 0) {
			continue
		}
		if dataHi <= 0 || th.Value <= 2*dataHi {
			hi = math.Max(hi, th.Value)
		} else {
			offscale = append(offscale, th)
		}
	}
	if hi <= lo {
		hi = lo + 1
	}
	return lo, niceCeil(hi), offscale
}

// niceCeil rounds up to 1, 2, 2.5 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// legend is one line naming each series and threshold, cut to width.
func legend(o Options, p palette, offscale []Threshold) string {
	type item struct {
		mark  string
		text  string
		paint paint
	}
	var items []item
	line, dots, dash, heavy := "━", "··", "┄", "━"
	if o.ASCII {
		line, dots, dash, heavy = "*", "..", "-", "="
	}
	for i, s := range o.Series {
		items = append(items, item{line, sources.Sanitize(s.Name), p.series[i%len(p.series)]})
	}
	for _, s := range o.Secondary {
		items = append(items, item{dots, sources.Sanitize(s.Name), p.secondary})
	}
	for _, th := range o.Thresholds {
		if math.IsNaN(th.Value) {
			continue
		}
		name, mark, pt := "warn ", dash, p.warn
		if th.Crit {
			name, mark, pt = "crit ", heavy, p.crit
		}
		text := name + units.Format(th.Value, o.Unit)
		for _, off := range offscale {
			if off == th {
				text += "↑"
			}
		}
		items = append(items, item{mark, text, pt})
	}
	var b strings.Builder
	used := 0
	for i, it := range items {
		sep := 0
		if i > 0 {
			sep = 2
		}
		w := lipgloss.Width(it.mark) + 1 + lipgloss.Width(it.text)
		if used+sep+w > o.Width {
			break
		}
		if sep > 0 {
			b.WriteString("  ")
		}
		b.WriteString(it.paint.paint(it.mark))
		b.WriteString(p.legend.paint(" " + it.text))
		used += sep + w
	}
	b.WriteString(strings.Repeat(" ", o.Width-used))
	return b.String()
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
