package pane

import (
	"strings"

	"charm.land/lipgloss/v2"

	"warroom/sources"
	"warroom/sources/units"
	"warroom/ui/chart"
)

// Stat shows one indicator: title, current value, a sparkline of its
// window, and why it is in its state. A value that is not current (stale,
// error, nothing yet) never looks like one: it carries a symbol and a word.
type Stat struct {
	base
	name string
}

// NewStat returns a stat pane for the indicator with the given name.
func NewStat(indicator string, o Options) *Stat { return &Stat{base: base{opts: o}, name: indicator} }

// SetSnapshot takes the snapshot to show and reports whether the pane
// changed: its indicator did, or the view moved into the past or back.
func (m *Stat) SetSnapshot(s *sources.Snapshot) bool { return m.show(s, m.same) }

func (m *Stat) same(a, b *sources.Snapshot) bool {
	if m.h-2 >= 10 {
		return false // zoomed: a chart of the window, which moves with the clock
	}
	if Moved(a) != Moved(b) {
		return false // the value at the window's end, or the live one
	}
	return sameIndicator(a, b, m.name)
}

// View renders the pane, or returns its last drawing when nothing changed.
func (m *Stat) View() string { return m.cached(m.draw) }

// Title is the indicator's display name.
func (m Stat) Title() string {
	if in, ok := m.indicator(); ok && in.Title != "" {
		return clean(in.Title)
	}
	return clean(m.name)
}

func (m Stat) indicator() (sources.Indicator, bool) {
	if m.snap == nil {
		return sources.Indicator{}, false
	}
	return m.snap.Indicator(m.name)
}

func (m *Stat) draw() string {
	st := m.opts.st()
	in, ok := m.indicator()
	iw := max(m.w-2, 0)
	if !ok {
		msg := "no data"
		if m.snap == nil {
			msg = "waiting…"
		}
		body := []string{st.Unknown.Render(Symbol(sources.StateUnknown, m.opts.ASCII) + " " + msg)}
		if m.h < 3 {
			return block([]string{st.Title.Render(m.Title()) + " " + body[0]}, m.w, m.h)
		}
		return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, body)
	}

	state := in.State
	stale := in.Value.Health == sources.HealthStale || state == sources.StateStale
	failed := in.Value.Health == sources.HealthError || in.Value.Health == sources.HealthUnreachable || state == sources.StateError
	unknown := in.Value.Health == sources.HealthUnknown
	switch {
	case failed:
		state = sources.StateError
	case stale && state != sources.StateCrit && state != sources.StateWarn:
		// a rule's crit on stale data (a silent log's absence) stays a
		// crit: the STALE label says the number is old
		state = sources.StateStale
	}
	ss := st.StateStyle(state)
	unit := in.Value.Unit
	if unit == "" {
		unit = in.Series.Unit
	}

	// A view moved into the past (m, M, a wheel) shows the value at its
	// end, as its sparkline does, and says when that was; the live value
	// goes to the note, named as such, so the two are never mixed up.
	moved := Moved(m.snap)

	var value, note string
	switch {
	case moved && !failed && !unknown:
		// the last point the window has (it stops at now when the view
		// reaches past it)
		then, at := "—", m.snap.WindowEnd
		if p, ok := in.Series.Last(); ok {
			then, at = units.Format(p.V, unit), p.At
		}
		value = st.Dim.Render("at "+at.In(zone(m.snap)).Format("15:04")) + " " + st.Value.Render(then)
		note = "now " + units.Format(in.Value.Value, unit)
		if stale {
			note += " (stale)"
		}
	case failed:
		value = st.Error.Render(Symbol(state, m.opts.ASCII) + " ERROR")
		note = clean(in.Value.Err)
	case unknown:
		// why there is no number, when the source says (no $request_time
		// in the format, the log's history still being read)
		why := "no data yet"
		if in.Value.Err != "" {
			why = clean(in.Value.Err)
		}
		value = st.Unknown.Render(Symbol(sources.StateUnknown, m.opts.ASCII) + " " + why)
	case stale:
		// The number stays readable but faint, after STALE and its age:
		// history must not pass for the present.
		label := "STALE"
		if !in.Value.At.IsZero() {
			label += " " + Age(m.snap.At.Sub(in.Value.At))
			note = "as of " + in.Value.At.In(zone(m.snap)).Format("15:04:05")
		}
		// The word comes first so a narrow pane cuts the number, not it.
		value = ss.Render(Symbol(state, m.opts.ASCII)+" "+label) + " " + st.Stale.Render(units.Format(in.Value.Value, unit))
	default:
		var reasonShown bool
		value, ss, reasonShown = m.judged(in, unit, m.valueWidth())
		// a current value with a caveat (a sum of several logs missing one)
		note = clean(in.Value.Err)
		switch {
		case reasonShown:
			in.Reason = "" // on the value line already
		case in.Pending != sources.StateUnknown && in.Reason == in.State.String():
			in.Reason = "" // "ok" beside "crit in 6s" says nothing more
		}
	}
	if in.Reason != "" && !moved {
		if note != "" {
			note += " · "
		}
		note += clean(in.Reason)
	}
	if vs := vsPrev(in); vs != "" && !failed && !stale && !unknown {
		note = strings.TrimPrefix(note+" · "+vs, " · ") // the previous milestone at the same instant
	}

	if m.h < 3 {
		// Too short for a border: one line per stat, so four key
		// indicators still fit a tmux pane of a dozen rows.
		lines := []string{m.lineTitle() + " " + value}
		if m.h == 2 {
			lines = append(lines, m.spark(in, ss, m.w, stale || failed))
		}
		return block(lines, m.w, m.h)
	}
	spark := m.spark(in, ss, iw, stale || failed)
	body := []string{value}
	inner := m.h - 2
	switch {
	case inner >= 10:
		// Zoomed (or given a tall row): the whole window as a chart
		// rather than a one-line sparkline.
		body = append(body, st.Dim.Render(note))
		c := chart.Render(chartOptions(m.snap, []sources.Indicator{in}, iw, inner-2, m.opts))
		body = append(body, strings.Split(c, "\n")...)
	case inner >= 3:
		body = append(body, spark, st.Dim.Render(note))
	case inner == 2 && (stale || failed):
		// Two rows: the why of a broken value beats the sparkline.
		body = append(body, st.Dim.Render(note))
	case inner == 2:
		body = append(body, spark)
	}
	return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, body)
}

// lineTitle is the title that leads a stat too short for a border.
func (m Stat) lineTitle() string {
	if m.focused {
		return m.opts.st().TitleFocused.Render(m.Title())
	}
	return m.opts.st().Title.Render(m.Title())
}

// valueWidth is the cells the value line has: the inner width of the
// box, or what the title leaves of a one-line stat.
func (m Stat) valueWidth() int {
	if m.h < 3 {
		return m.w - Width(m.lineTitle()) - 1
	}
	return m.w - 2
}

// judged is the value line of a current, judged value, the style of its
// sparkline, and whether the rule's reason went on the line.
//
// A value on its way to a worse state (its rule's `for` not yet over)
// shows that state's symbol marked pending, "✖… 7.8/s crit in 6s": never
// the symbol of the state it is leaving. The time left narrows to "in
// 6s", then "6s", then goes, before the value is cut. A value past a
// threshold that its rule still calls ok for another reason (a noise
// floor) gets a neutral mark and that reason, never the ok one.
func (m Stat) judged(in sources.Indicator, unit sources.Unit, w int) (string, lipgloss.Style, bool) {
	st := m.opts.st()
	num := units.Format(in.Value.Value, unit)
	if left, ok := in.PendingIn(m.snap.At); ok {
		ss := st.StateStyle(in.Pending)
		head := ss.Render(PendingSymbol(in.Pending, m.opts.ASCII)) + " " + st.Value.Inherit(ss).Render(num)
		secs := units.Format(left.Seconds(), sources.UnitSeconds)
		for _, tail := range []string{in.Pending.String() + " in " + secs, "in " + secs, secs} {
			if line := head + " " + ss.Render(tail); Width(line) <= w {
				return line, ss, false
			}
		}
		return head, ss, false
	}
	if in.State == sources.StateOK && in.Beyond() != sources.StateOK {
		head := st.Unknown.Render(HeldSymbol(m.opts.ASCII)) + " " + st.Value.Render(num)
		if in.Reason == "" || w < Width(head)+5 {
			return head, st.Unknown, false // a reason cut to a stub would cut the value with it
		}
		line := head + " " + st.Dim.Render(clean(in.Reason))
		return line, st.Unknown, Width(line) <= w
	}
	ss := st.StateStyle(in.State)
	return ss.Render(Symbol(in.State, m.opts.ASCII)) + " " + st.Value.Inherit(ss).Render(num), ss, false
}

// PendingSymbol marks a state that is coming, not here yet: the state's
// own symbol trailed by an ellipsis, "✖…" ("^.." in ASCII).
func PendingSymbol(s sources.State, ascii bool) string {
	if ascii {
		return Symbol(s, true) + ".."
	}
	return Symbol(s, false) + "…"
}

// HeldSymbol marks a value past a threshold that its rule judges ok: not
// trouble yet, not fine either.
func HeldSymbol(ascii bool) string {
	if ascii {
		return "o"
	}
	return "○"
}

func (m Stat) spark(in sources.Indicator, ss lipgloss.Style, w int, dim bool) string {
	spark := chart.Sparkline(in.Series.Points, w, m.opts.ASCII)
	if dim {
		return m.opts.st().Stale.Render(spark)
	}
	return ss.Render(spark)
}

// Moved reports whether snap is a view moved into the past (its window
// ends before its At), where stats show the value at the window's end.
func Moved(snap *sources.Snapshot) bool {
	return snap != nil && !snap.WindowEnd.IsZero() && !snap.WindowEnd.Equal(snap.At)
}
