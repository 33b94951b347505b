package pane

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"warroom/sources"
	"warroom/ui/chart"
)

// Chart draws one or more indicators over the snapshot's window with
// ui/chart: thresholds when it shows a single indicator, the previous
// milestone's curve as a faint overlay, milestone markers and HOT windows.
type Chart struct {
	base
	names []string
}

// NewChart returns a chart of the named indicators (same unit expected:
// the axis follows the first).
func NewChart(indicators []string, o Options) *Chart {
	return &Chart{base: base{opts: o}, names: append([]string(nil), indicators...)}
}

// SetSnapshot takes the snapshot to show and reports whether the chart
// changed: a curve, a threshold, a stage-end marker or the span drawn.
func (m *Chart) SetSnapshot(s *sources.Snapshot) bool { return m.show(s, m.same) }

func (m *Chart) same(a, b *sources.Snapshot) bool {
	if a.Window != b.Window || !slices.Equal(a.Markers, b.Markers) {
		return false
	}
	var ia, ib []sources.Indicator
	for _, n := range m.names {
		x, oka := a.Indicator(n)
		y, okb := b.Indicator(n)
		if oka != okb || (oka && !sameChart(x, y)) {
			return false
		}
		if oka {
			ia, ib = append(ia, x), append(ib, y)
		}
	}
	// the chart is drawn over ChartSpan: the same span, the same drawing
	sa, ea := ChartSpan(a, ia)
	sb, eb := ChartSpan(b, ib)
	return sa.Equal(sb) && ea.Equal(eb)
}

// View renders the pane, or returns its last drawing when nothing changed.
func (m *Chart) View() string { return m.cached(m.draw) }

func (m Chart) indicators() []sources.Indicator {
	if m.snap == nil {
		return nil
	}
	var out []sources.Indicator
	for _, n := range m.names {
		if in, ok := m.snap.Indicator(n); ok {
			out = append(out, in)
		}
	}
	return out
}

// Stale reports whether in's value is history, not the present (the
// source stopped answering, or the rules judged it stale).
func Stale(in sources.Indicator) bool {
	return in.Value.Health == sources.HealthStale || in.State == sources.StateStale
}

// Title names what is drawn, and says when any of it is stale.
func (m Chart) Title() string {
	ins := m.indicators()
	if len(ins) == 0 {
		return clean(strings.Join(m.names, " · "))
	}
	var parts []string
	stale := false
	for _, in := range ins {
		t := in.Title
		if t == "" {
			t = in.Name
		}
		parts = append(parts, clean(t))
		if Stale(in) {
			stale = true
		}
	}
	t := strings.Join(parts, " · ")
	if stale {
		t += " (STALE)"
	}
	return t
}

func (m *Chart) draw() string {
	st := m.opts.st()
	ins := m.indicators()
	if len(ins) == 0 {
		msg := "no data"
		if m.snap == nil {
			msg = "waiting…"
		}
		return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, []string{st.Dim.Render(msg)})
	}
	o := chartOptions(m.snap, ins, m.w-2, m.h-2, m.opts)
	body := strings.Split(chart.Render(o), "\n")
	return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, body)
}

// chartOptions is what a chart of ins shows in w×h cells: the window,
// the previous milestone's curve, thresholds of a single indicator and the
// stage-end markers. A zoomed stat pane draws the same chart.
func chartOptions(snap *sources.Snapshot, ins []sources.Indicator, w, h int, opts Options) chart.Options {
	o := chart.Options{
		Width:    max(w, 0),
		Height:   max(h, 0),
		Location: zone(snap),
		ASCII:    opts.ASCII,
		Styles:   opts.st().Chart,
		Palette:  opts.st().palette,
	}
	o.Start, o.End = ChartSpan(snap, ins)
	for _, in := range ins {
		s := in.Series
		if s.Name == "" || len(ins) > 1 {
			s.Name = in.Title
		}
		if s.Unit == "" {
			s.Unit = in.Value.Unit
		}
		o.Series = append(o.Series, s)
		if _, ok := in.Secondary.Last(); ok { // a point to draw: from before the log began it is all gaps
			sec := in.Secondary
			if sec.Name == "" {
				sec.Name = "prev"
			}
			o.Secondary = append(o.Secondary, sec)
		}
	}
	if len(ins) == 1 {
		if !math.IsNaN(ins[0].Warn) {
			o.Thresholds = append(o.Thresholds, chart.Threshold{Value: ins[0].Warn})
		}
		if !math.IsNaN(ins[0].Crit) {
			o.Thresholds = append(o.Thresholds, chart.Threshold{Value: ins[0].Crit, Crit: true})
		}
	}
	for _, mk := range snap.Markers {
		o.Markers = append(o.Markers, chart.Marker{At: mk.At, Hot: mk.Hot})
	}
	return o
}

// ChartSpan is the time span a chart of ins covers: the snapshot's window,
// its end moved back to a whole step of the series (the seconds one point
// stands for). A live window's end moves every second, but a column of
// the chart is several seconds wide and the points only change once a
// step: drawn over a span that moves a step at a time, the chart stays
// the same in between, and the screen can keep its last drawing.
func ChartSpan(snap *sources.Snapshot, ins []sources.Indicator) (time.Time, time.Time) {
	start, end := windowSpan(snap)
	if start.IsZero() {
		return start, end
	}
	var step time.Duration
	for _, in := range ins {
		if p := in.Series.Points; len(p) >= 2 {
			step = p[1].At.Sub(p[0].At)
			break
		}
	}
	st := int64(step / time.Second)
	if st < 2 || step%time.Second != 0 || step > snap.Window/20 {
		return start, end
	}
	q := end.Unix() % st
	if q == 0 && end.Nanosecond() == 0 {
		return start, end
	}
	e := time.Unix(end.Unix()-q, 0).In(end.Location())
	return e.Add(-snap.Window), e
}

// vsPrev compares the newest point of an indicator's window with the
// previous milestone's overlay at the same instant (or the last overlay
// point before it), as "vs prev +12%"; empty without an overlay or when
// the previous value is zero (no ratio to give).
func vsPrev(in sources.Indicator) string {
	last, ok := in.Series.Last()
	if !ok || len(in.Secondary.Points) == 0 {
		return ""
	}
	pts := in.Secondary.Points
	for i := len(pts) - 1; i >= 0; i-- {
		p := pts[i]
		if p.At.After(last.At) || math.IsNaN(p.V) {
			continue
		}
		if p.V == 0 || math.IsInf(p.V, 0) || math.IsNaN(last.V) {
			return ""
		}
		// rounded first, so a change under half a percent reads +0%, not -0%
		return fmt.Sprintf("vs prev %+.0f%%", math.Round((last.V/p.V-1)*100)+0)
	}
	return ""
}
