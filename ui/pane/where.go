package pane

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
	"warroom/sources/units"
)

// Where is one line under the key stats that says where the trouble comes
// from: the driver (sources.Driver) of the worst access-log indicator,
//
//	✖ 499 ← /api/yearend/result 71% · 268 IPs · top 10.99.0.5 (288)
//
// and, while nothing with a driver is wrong, where the traffic comes from,
// dimmed. Given more rows (zoomed) it lists every indicator's driver, worst
// first, and the span they were counted over. It has no border: a line is
// all the room an 80×24 screen has for it.
type Where struct {
	base
}

// NewWhere returns a where pane.
func NewWhere(o Options) *Where { return &Where{base: base{opts: o}} }

// SetSnapshot takes the snapshot to show and reports whether the line
// changed: a driver, or the state of an indicator that has one.
func (m *Where) SetSnapshot(s *sources.Snapshot) bool { return m.show(s, sameWhere) }

func sameWhere(a, b *sources.Snapshot) bool {
	if Moved(a) != Moved(b) || len(a.Indicators) != len(b.Indicators) {
		return false
	}
	for i, x := range a.Indicators {
		y := b.Indicators[i]
		if (x.Driver == nil) != (y.Driver == nil) {
			return false
		}
		if x.Driver != nil && (x.Name != y.Name || x.State != y.State || x.Pending != y.Pending || *x.Driver != *y.Driver) {
			return false
		}
	}
	return true
}

// View renders the pane, or returns its last drawing when nothing changed.
func (m *Where) View() string { return m.cached(m.draw) }

// driven is one indicator with something to say about its driver.
type driven struct {
	in   sources.Indicator
	line string // the driver's Line, sanitized
}

// bad says whether the indicator is in trouble or on its way to it.
func (d driven) bad() bool { return badness(d.in) > 0 }

// badness orders indicators worst first: crit, warn, then on their way
// to crit, then to warn; a warn on its way to crit before a plain warn.
func badness(in sources.Indicator) int {
	rank := func(s sources.State) int {
		switch s {
		case sources.StateCrit:
			return 2
		case sources.StateWarn:
			return 1
		}
		return 0
	}
	return 3*rank(in.State) + rank(in.Pending)
}

// drivers lists the indicators whose driver has a line, worst first and
// in display order among equals, and whether any indicator has a driver
// at all.
func drivers(s *sources.Snapshot) ([]driven, bool) {
	if s == nil {
		return nil, false
	}
	var out []driven
	has := false
	srcs := map[string]bool{}
	for _, in := range s.Indicators {
		if in.Driver != nil {
			srcs[in.Driver.Source] = true
		}
	}
	for _, in := range s.Indicators {
		if in.Driver == nil {
			continue
		}
		has = true
		if in.Value.Health != sources.HealthOK {
			// a source that cannot be read (down, silent, stale) has no
			// current driver: the last one would read as current
			continue
		}
		if line := clean(in.Driver.Line()); line != "" {
			if len(srcs) > 1 {
				// several logs (hosts): say whose requests these are
				line = clean(in.Driver.Source) + ": " + line
			}
			out = append(out, driven{in, line})
		}
	}
	slices.SortStableFunc(out, func(a, b driven) int { return badness(b.in) - badness(a.in) })
	return out, has
}

// current says whether some indicator with a driver can be read now: when
// none can (its source down or silent), there is nothing to say where
// requests come from, which is not "no requests".
func current(s *sources.Snapshot) bool {
	for _, in := range s.Indicators {
		if in.Driver != nil && in.Value.Health == sources.HealthOK {
			return true
		}
	}
	return false
}

func (m *Where) draw() string {
	if m.w <= 0 || m.h <= 0 {
		return blank(m.w, m.h)
	}
	st := m.opts.st()
	list, has := drivers(m.snap)
	switch {
	case !has:
		return blank(m.w, m.h)
	case len(list) == 0 && !current(m.snap):
		return block([]string{st.Dim.Render("where: no current data")}, m.w, m.h)
	case len(list) == 0:
		return block([]string{st.Dim.Render("where: no requests this minute")}, m.w, m.h)
	case m.h == 1:
		return block([]string{m.row(list[0], m.w)}, m.w, 1)
	}
	// More room: every driver, worst first, then the span they count.
	var lines []string
	for _, d := range list[:min(len(list), m.h-1)] {
		lines = append(lines, m.row(d, m.w))
	}
	lines = append(lines, st.Dim.Render(span(m.snap, list)))
	return block(lines, m.w, m.h)
}

// row is one driver in w cells. A bad indicator's line starts with its
// state's symbol (the pending one for a state on its way, as its stat
// shows it) and its mark in the state's style; a good one's is dim. When
// the line is too wide the top client, the client count, the host and the
// upstream go, in that order, then the path is cut in its middle, keeping
// its end (the part that tells endpoints apart), then the share.
func (m *Where) row(d driven, w int) string {
	st := m.opts.st()
	in := d.in
	prefix := ""
	if Moved(m.snap) {
		// a view moved into the past: say when the driver was counted,
		// so it is never taken for the window's end
		prefix = st.Dim.Render(clock(m.snap, in.Driver.From)+"–"+clock(m.snap, in.Driver.To)) + " "
	}
	mark := clean(in.Driver.Mark)
	markStyle, rest := st.Dim, st.Dim
	if d.bad() {
		ss := st.StateStyle(in.State)
		sym := Symbol(in.State, m.opts.ASCII)
		if in.Pending != sources.StateUnknown {
			ss = st.StateStyle(in.Pending)
			sym = PendingSymbol(in.Pending, m.opts.ASCII)
		}
		if w <= Width(prefix+sym) {
			return Fit(prefix+ss.Render(sym), w) // the symbol is what a sliver keeps
		}
		prefix += ss.Render(sym) + " "
		markStyle, rest = ss, st.Text
	}
	if m.focused {
		markStyle, rest = st.TitleFocused, st.TitleFocused
	}
	paint := func(text string) string {
		if t, ok := strings.CutPrefix(text, mark); ok && mark != "" {
			return prefix + markStyle.Render(mark) + rest.Render(t)
		}
		return prefix + rest.Render(text)
	}
	line := d.line
	if src := clean(in.Driver.Source) + ": "; strings.HasPrefix(line, src) {
		prefix += rest.Render(src) // whose requests, when several logs have drivers
		line = line[len(src):]
	}
	room := w - Width(prefix)
	arrow := " ← "
	if m.opts.ASCII {
		arrow = " <- "
		line = strings.Replace(line, " ← ", arrow, 1)
	}
	parts := strings.Split(line, " · ")
	// what goes first when the line is too wide: the top client (often a
	// few of a crowd's requests), the client count, the host, and last
	// the upstream — the server that failed, as often as not the answer
	keep := make([]bool, len(parts))
	for i := range keep {
		keep[i] = true
	}
	order := []func(string) bool{
		func(p string) bool { return strings.HasPrefix(p, "top ") },
		func(p string) bool { return strings.HasSuffix(p, " IPs") || strings.HasSuffix(p, " IP") },
		func(p string) bool { return strings.HasPrefix(p, "host ") },
		func(p string) bool { return strings.HasPrefix(p, "upstream ") },
	}
	joined := func() string {
		var kept []string
		for i, p := range parts {
			if keep[i] {
				kept = append(kept, p)
			}
		}
		return strings.Join(kept, " · ")
	}
	if text := joined(); Width(text) <= room {
		return paint(text)
	}
	var dropped []int
	for _, is := range order {
		for i := 1; i < len(parts); i++ {
			if keep[i] && is(parts[i]) {
				keep[i] = false
				dropped = append(dropped, i)
			}
		}
		if Width(joined()) > room {
			continue
		}
		// it fits: take back what still fits, the most telling first
		for j := len(dropped) - 1; j >= 0; j-- {
			keep[dropped[j]] = true
			if Width(joined()) > room {
				keep[dropped[j]] = false
			}
		}
		return paint(joined())
	}
	// The path and its share alone are too wide: cut the path.
	lead, path := mark+arrow, clean(in.Driver.Path.Key)
	share, ok := strings.CutPrefix(parts[0], lead+path+" ")
	if !ok {
		return Fit(paint(parts[0]), w) // not the shape Line writes: cut its end
	}
	const least = 6 // a path cut shorter says nothing
	if r := room - Width(lead) - 1 - Width(share); r >= least {
		return paint(lead + cutMiddle(path, r) + " " + share)
	}
	if r := room - Width(lead); r >= least {
		return paint(lead + cutMiddle(path, r))
	}
	return Fit(paint(lead+path), w)
}

// cutMiddle cuts s to w cells with an ellipsis in its middle, keeping
// twice as much of its end as of its start: "/api/y…ranking/result".
func cutMiddle(s string, w int) string {
	sw := Width(s)
	if sw <= w {
		return s
	}
	if w < 3 {
		return ansi.Truncate(s, w, "")
	}
	head := (w - 1) / 3
	tail := w - 1 - head
	return ansi.Truncate(s, head, "") + "…" + ansi.TruncateLeft(s, sw-tail, "")
}

// span is the dim last line of a zoomed where pane: the minutes the
// drivers were counted over, in the event's zone and labelled, and what
// "≥" means when a count is a lower bound.
func span(s *sources.Snapshot, list []driven) string {
	var from, to time.Time
	exact := true
	for _, d := range list {
		dr := d.in.Driver
		if !dr.From.IsZero() && (from.IsZero() || dr.From.Before(from)) {
			from = dr.From
		}
		if dr.To.After(to) {
			to = dr.To
		}
		exact = exact && dr.Exact
	}
	out := "where: requests of each kind by path and client"
	if !from.IsZero() && !to.IsZero() {
		t := to.In(zone(s))
		out = "counted " + from.In(zone(s)).Format("15:04") + "–" + t.Format("15:04 ") + units.ZoneLabel(t)
	}
	if !exact {
		out += " · ≥ at least: too many clients to count each exactly"
	}
	return out
}

// clock is t's minute in the snapshot's zone.
func clock(s *sources.Snapshot, t time.Time) string { return t.In(zone(s)).Format("15:04") }
