package pane

import (
	"fmt"
	"strings"

	"warroom/sources"
	"warroom/sources/units"
)

// Timeline lists state transitions newest first, so the morning reader
// sees what happened and when; unacknowledged crits are marked.
type Timeline struct {
	base
}

// NewTimeline returns an empty timeline.
func NewTimeline(o Options) *Timeline { return &Timeline{base: base{opts: o}} }

// SetSnapshot takes the snapshot to show and reports whether the
// timeline changed: a transition came, went or was acknowledged, or the
// unit of one of its indicators moved.
func (m *Timeline) SetSnapshot(s *sources.Snapshot) bool { return m.show(s, sameTimeline) }

func sameTimeline(a, b *sources.Snapshot) bool {
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

// View renders the pane, or returns its last drawing when nothing changed.
func (m *Timeline) View() string { return m.cached(m.draw) }

// Title counts the unacknowledged crits.
func (m Timeline) Title() string {
	if m.snap != nil && m.snap.Unacked > 0 {
		return fmt.Sprintf("timeline · %d unacked", m.snap.Unacked)
	}
	return "timeline"
}

func (m *Timeline) draw() string {
	st := m.opts.st()
	if m.snap == nil {
		return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, []string{st.Dim.Render("waiting…")})
	}
	s := m.snap
	z := zone(s)
	room := max(m.h-2, 0)
	var body []string
	unackedMark := "●"
	if m.opts.ASCII {
		unackedMark = "*"
	}
	arrow := "→"
	if m.opts.ASCII {
		arrow = ">"
	}
	// Show the date only when the timeline spans more than one day.
	layout := "15:04:05"
	if n := len(s.Timeline); n > 0 && s.Timeline[0].At.In(z).YearDay() != s.Timeline[n-1].At.In(z).YearDay() {
		layout = "01-02 15:04:05"
	}
	for i := len(s.Timeline) - 1; i >= 0 && len(body) < room; i-- {
		t := s.Timeline[i]
		mark := " "
		if !t.Acked && t.To == sources.StateCrit {
			mark = st.Unacked.Render(unackedMark)
		}
		unit := sources.Unit("")
		if in, ok := s.Indicator(t.Indicator); ok {
			unit = in.Value.Unit
			if unit == "" {
				unit = in.Series.Unit
			}
		}
		ss := st.StateStyle(t.To)
		parts := []string{
			mark,
			st.Dim.Render(t.At.In(z).Format(layout)),
			ss.Render(Symbol(t.To, m.opts.ASCII)),
			clean(t.Indicator),
			st.StateStyle(t.From).Render(t.From.String()) + arrow + ss.Render(strings.ToUpper(t.To.String())),
			units.Format(t.Value, unit),
		}
		if t.Threshold == t.Threshold && t.To != sources.StateOK { // not NaN
			parts = append(parts, st.Dim.Render("(thr "+units.Format(t.Threshold, unit)+")"))
		}
		if t.Phase != "" && t.Phase != sources.PhaseNormal {
			parts = append(parts, st.Dim.Render(strings.ToUpper(clean(string(t.Phase)))))
		}
		if t.Milestone != "" {
			parts = append(parts, st.Dim.Render(clean(t.Milestone)))
		}
		body = append(body, strings.Join(parts, " "))
	}
	if len(s.Timeline) == 0 {
		body = append(body, st.Dim.Render("no transitions yet"))
	}
	return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, body)
}
