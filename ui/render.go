package ui

import (
	"maps"
	"math"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"warroom/sources"
	"warroom/ui/pane"
)

// relayout recomputes every pane's place after a size, layout or zoom
// change and hands each pane its size (panes never see WindowSizeMsg).
func (m *Model) relayout() {
	m.dirty = true
	if m.focus >= len(m.slots) {
		m.focus = -1
	}
	if m.zoomed && m.focus < 0 {
		m.zoomed = false
	}
	headerH := 1
	if m.h >= 20 && m.w >= 60 && m.bigClock {
		headerH = 3 // room for the big countdown
	}
	fixed := func(k string) int {
		if k == KindHeader {
			return headerH
		}
		return 1
	}
	var rows []row
	i := 0
	for _, rc := range m.rows {
		var r row
		r.weight = max(rc.Height, 1)
		for _, pc := range rc.Panes {
			s := &m.slots[i]
			it := s.item(i, pc.Weight)
			switch {
			case !s.focusable():
				it.fixedH = fixed(s.kind)
			case m.zoomed && i == m.focus:
				it.minW, it.minH, it.maxH, it.prio = 1, 1, 0, prioKey
			case m.zoomed:
				i++
				continue
			}
			r.items = append(r.items, it)
			i++
		}
		if len(r.items) > 0 {
			rows = append(rows, r)
		}
	}
	m.rects, m.bands = arrange(rows, len(m.slots), m.w, m.h)
	for i := range m.slots {
		r := m.rects[i]
		switch m.slots[i].kind {
		case KindHeader:
			m.header.SetSize(r.w, r.h)
		case KindStatus:
			m.status.SetSize(r.w, r.h)
		default:
			m.slots[i].setSize(r.w, r.h)
		}
	}
	if m.focus >= 0 && m.rects[m.focus].w == 0 {
		m.slots[m.focus].setFocus(false)
		m.focus = -1
	}
	m.status.SetHints(m.help.ShortHelpView(m.keys.ShortHelp()), m.help.ShortHelpView([]key.Binding{m.keys.Help}))
	m.forgetViews()
}

// render composes the frame: every band's panes side by side, then the
// help overlay. Every line is exactly w cells and there are exactly h.
func (m Model) render() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	lines := make([]string, 0, m.h)
	bodyTop, bodyBottom := 0, m.h
	var parts [][]string
	for _, b := range m.bands {
		parts = parts[:0]
		for _, it := range b.items {
			var v string
			switch m.slots[it.slot].kind {
			case KindHeader:
				v = m.header.View()
				if len(lines) == 0 {
					bodyTop = b.h
				}
			case KindStatus:
				v = m.status.View()
				bodyBottom = len(lines)
			default:
				v = m.paneView(it.slot)
			}
			parts = append(parts, strings.Split(v, "\n"))
		}
		for r := 0; r < b.h; r++ {
			var sb strings.Builder
			for k, p := range parts {
				if r < len(p) {
					sb.WriteString(p[r])
				} else {
					sb.WriteString(strings.Repeat(" ", m.rects[b.items[k].slot].w))
				}
			}
			lines = append(lines, sb.String())
		}
	}
	if m.showHelp && bodyBottom > bodyTop {
		m.overlayHelp(lines[bodyTop:min(bodyBottom, len(lines))])
	}
	var out strings.Builder
	out.Grow(m.w * m.h * 2)
	for i := 0; i < m.h; i++ {
		if i > 0 {
			out.WriteByte('\n')
		}
		if i < len(lines) {
			// Every pane returns exactly its rect (TestEverySizeFits holds
			// them to it), so the lines are not measured again here.
			out.WriteString(lines[i])
		} else {
			out.WriteString(strings.Repeat(" ", m.w))
		}
	}
	return out.String()
}

// overlayHelp draws the full key help, and what the state symbols mean,
// centred over the body.
func (m Model) overlayHelp(body []string) {
	if len(body) == 0 {
		return
	}
	st := m.styles
	text := strings.Split(m.help.FullHelpView(m.keys.FullHelp()), "\n")
	legend := ""
	for _, s := range []sources.State{sources.StateOK, sources.StateWarn, sources.StateCrit, sources.StateStale, sources.StateError} {
		if legend != "" {
			legend += "  "
		}
		legend += st.StateStyle(s).Render(pane.Symbol(s, m.o.ASCII) + " " + s.String())
	}
	text = append(text, "", legend, st.Dim.Render("window: 5m 15m 1h 6h 24h · PAUSED freezes the panes, not the header"))
	width := func() int {
		cw := 0
		for _, l := range text {
			cw = max(cw, lipgloss.Width(l))
		}
		return cw
	}
	if width()+4 > m.w {
		// too narrow for the help's own columns: every key in as many
		// columns as fit, and the legend
		text = append(compactHelp(m.keys.FullHelp(), m.w-4), legend)
	}
	bw, bh := min(width()+4, m.w), min(len(text)+2, len(body))
	box := strings.Split(pane.Box(st, m.o.ASCII, true, "keys", bw, bh, padLeft(text)), "\n")
	// at the bottom of the body: the rows above it, the key indicators
	// first among them, stay on screen while the help is read
	x, y := (m.w-bw)/2, len(body)-bh
	left, right := strings.Repeat(" ", x), strings.Repeat(" ", m.w-bw-x)
	for i, l := range box {
		body[y+i] = left + l + right
	}
}

// compactHelp lays every binding out as "key desc" in as many columns as
// fit w cells.
func compactHelp(groups [][]key.Binding, w int) []string {
	var items []string
	iw := 0
	for _, g := range groups {
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			it := b.Help().Key + " " + b.Help().Desc
			items = append(items, it)
			iw = max(iw, lipgloss.Width(it))
		}
	}
	cols := max(1, (w+2)/(iw+2))
	rows := (len(items) + cols - 1) / cols
	out := make([]string, rows)
	for i, it := range items {
		r := i % rows
		if i >= rows {
			out[r] += "  "
		}
		out[r] += it + strings.Repeat(" ", iw-lipgloss.Width(it))
	}
	for i := range out {
		out[i] = strings.TrimRight(out[i], " ")
	}
	return out
}

func padLeft(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = " " + l
	}
	return out
}

// paneView is a pane's last View and the snapshot it showed. A new
// snapshot every second mostly repeats the previous one (static logs,
// quiet tables), so a pane is drawn again only when what it shows
// changed; size, focus, zoom and style changes forget every paneView.
type paneView struct {
	ok   bool
	snap *sources.Snapshot
	out  string
}

// forgetViews drops every cached pane view.
func (m *Model) forgetViews() { m.views = make([]paneView, len(m.slots)) }

// paneView returns slot i's view, drawn again only when its data changed.
func (m Model) paneView(i int) string {
	if i >= len(m.views) {
		return m.slots[i].view()
	}
	pv := &m.views[i]
	if pv.ok && (pv.snap == m.shown || sameData(&m.slots[i], m.rects[i].h, pv.snap, m.shown)) {
		pv.snap = m.shown
		return pv.out
	}
	out := m.slots[i].view()
	*pv = paneView{ok: true, snap: m.shown, out: out}
	return out
}

// sameData reports whether a pane of slot s (h rows high) shows the same
// in snapshots a and b: everything its View reads is compared. When in
// doubt it says no, which only costs a redraw.
func sameData(s *slot, h int, a, b *sources.Snapshot) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Zone != b.Zone {
		return false
	}
	switch s.kind {
	case KindStat:
		if h-2 >= 10 {
			return false // zoomed: a chart of the window, which moves with the clock
		}
		if pane.Moved(a) != pane.Moved(b) {
			return false // the value at the window's end, or the live one
		}
		return sameIndicator(a, b, s.cfg.Indicator)
	case KindChart:
		if a.Window != b.Window || !slices.Equal(a.Markers, b.Markers) {
			return false
		}
		names := s.cfg.Indicators
		if s.cfg.Indicator != "" {
			names = []string{s.cfg.Indicator}
		}
		var ia, ib []sources.Indicator
		for _, n := range names {
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
		sa, ea := pane.ChartSpan(a, ia)
		sb, eb := pane.ChartSpan(b, ib)
		return sa.Equal(sb) && ea.Equal(eb)
	case KindTop:
		ta, oka := topTable(a, s.cfg.Table)
		tb, okb := topTable(b, s.cfg.Table)
		return oka == okb && ta.Title == tb.Title && ta.Window == tb.Window && ta.Distinct == tb.Distinct &&
			ta.Exact == tb.Exact && slices.Equal(ta.Rows, tb.Rows)
	case KindLog:
		la, oka := logView(a, s.cfg.Source)
		lb, okb := logView(b, s.cfg.Source)
		return oka == okb && la.Source == lb.Source && slices.Equal(la.Lines, lb.Lines) &&
			slices.EqualFunc(la.Patterns, lb.Patterns, func(x, y sources.PatternCount) bool {
				return x.Name == y.Name && sameFloat(x.PerMin, y.PerMin) && x.Total == y.Total
			})
	case KindTimeline:
		if a.Unacked != b.Unacked || len(a.Timeline) != len(b.Timeline) {
			return false
		}
		for i, x := range a.Timeline {
			y := b.Timeline[i]
			if x.At != y.At || x.Indicator != y.Indicator || x.From != y.From || x.To != y.To ||
				!sameFloat(x.Value, y.Value) || !sameFloat(x.Threshold, y.Threshold) ||
				x.Phase != y.Phase || x.Milestone != y.Milestone || x.Acked != y.Acked ||
				!sameIndicator(a, b, x.Indicator) {
				return false
			}
		}
		return true
	}
	return false
}

// sameIndicator compares everything a pane can show of one indicator,
// including how old a stale value reads (its age is counted from At).
func sameIndicator(a, b *sources.Snapshot, name string) bool {
	x, oka := a.Indicator(name)
	y, okb := b.Indicator(name)
	if oka != okb {
		return false
	}
	if !oka {
		return true
	}
	if x.Name != y.Name || x.Title != y.Title || x.State != y.State || x.Reason != y.Reason ||
		!sameFloat(x.Warn, y.Warn) || !sameFloat(x.Crit, y.Crit) ||
		x.Value.Name != y.Value.Name || !sameFloat(x.Value.Value, y.Value.Value) || x.Value.Unit != y.Value.Unit ||
		x.Value.Health != y.Value.Health || x.Value.Err != y.Value.Err ||
		!sameSeries(x.Series, y.Series) || !sameSeries(x.Secondary, y.Secondary) ||
		x.Below != y.Below || x.Pending != y.Pending || !x.PendingAt.Equal(y.PendingAt) {
		return false
	}
	// a pending state counts down from At: "crit in 6s", then "in 5s"
	if lx, ok := x.PendingIn(a.At); ok {
		if ly, _ := y.PendingIn(b.At); lx != ly {
			return false
		}
	}
	// When a value was true shows only on a stale one ("STALE 2m as of
	// 00:03:10"); a current value's At moves with every tick, and comparing
	// it redrew every pane of a quiet indicator (no DB errors) every second.
	if pane.Stale(x) {
		return x.Value.At == y.Value.At && pane.Age(a.At.Sub(x.Value.At)) == pane.Age(b.At.Sub(y.Value.At))
	}
	return true
}

// sameChart compares what a chart shows of one indicator: its curves,
// thresholds, unit, title and whether it is stale — not the current value,
// its state or its reason, which only a stat pane shows (a chart redrawn
// for those was redrawn every tick a value moved).
func sameChart(x, y sources.Indicator) bool {
	return x.Name == y.Name && x.Title == y.Title && pane.Stale(x) == pane.Stale(y) && x.Value.Unit == y.Value.Unit &&
		sameFloat(x.Warn, y.Warn) && sameFloat(x.Crit, y.Crit) &&
		sameSeries(x.Series, y.Series) && sameSeries(x.Secondary, y.Secondary)
}

func sameSeries(a, b sources.Series) bool {
	return a.Name == b.Name && a.Unit == b.Unit && maps.Equal(a.Labels, b.Labels) &&
		slices.EqualFunc(a.Points, b.Points, func(p, q sources.Point) bool { return p.At == q.At && sameFloat(p.V, q.V) })
}

// sameFloat is == that also holds for two NaNs.
func sameFloat(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || a == b }

func topTable(s *sources.Snapshot, title string) (sources.TopTable, bool) {
	for _, t := range s.Tops {
		if title == "" || t.Title == title {
			return t, true
		}
	}
	return sources.TopTable{}, false
}

func logView(s *sources.Snapshot, source string) (sources.LogView, bool) {
	for _, l := range s.Logs {
		if source == "" || l.Source == source {
			return l, true
		}
	}
	return sources.LogView{}, false
}
