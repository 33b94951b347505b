package pane

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"warroom/sources"
)

// Timeline lists state transitions newest first, so the morning reader
// sees what happened and when; unacknowledged crits are marked.
type Timeline struct {
	base
}

// NewTimeline returns an empty timeline.
func NewTimeline(o Options) *Timeline { return &Timeline{base: base{opts: o}} }

// SetSnapshot takes the snapshot to show and reports whether the
// timeline changed: a transition came, went or was acknowledged, the
// unit of one of its indicators moved, or the indicators' names did
// (which decide whether a name reads short).
func (m *Timeline) SetSnapshot(s *sources.Snapshot) bool { return m.show(s, sameTimeline) }

func sameTimeline(a, b *sources.Snapshot) bool {
	if a.Unacked != b.Unacked || len(a.Timeline) != len(b.Timeline) {
		return false
	}
	for i, x := range a.Timeline {
		y := b.Timeline[i]
		if x.At != y.At || x.Indicator != y.Indicator || x.From != y.From || x.To != y.To ||
			!sameFloat(x.Value, y.Value) || !sameFloat(x.Threshold, y.Threshold) ||
			x.Unit != y.Unit || x.Reason != y.Reason ||
			x.Phase != y.Phase || x.Milestone != y.Milestone || x.Acked != y.Acked ||
			!sameIndicator(a, b, x.Indicator) {
			return false
		}
	}
	// a name is written short unless another indicator would read the same
	return slices.EqualFunc(a.Indicators, b.Indicators, func(x, y sources.Indicator) bool { return x.Name == y.Name })
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
	room := max(m.h-2, 0)
	iw := max(m.w-2, 0)
	var body []string
	// The date only once the oldest row is a day old: newest first, a
	// younger timeline reads unambiguously without it, across midnight too
	// (where the stage ends are, and where a date would cost the row its
	// value).
	layout := "15:04:05"
	if len(s.Timeline) > 0 && s.At.Sub(s.Timeline[0].At) >= 24*time.Hour {
		layout = "01-02 15:04:05"
	}
	for _, i := range shownRows(s.Timeline, room) {
		body = append(body, m.row(s.Timeline[i], layout, iw))
	}
	if len(s.Timeline) == 0 {
		body = append(body, st.Dim.Render("no transitions yet"))
	}
	return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, body)
}

// shownRows picks the rows that fit in room, newest first: the newest
// ones, but a crit still firing and not acknowledged (its indicator's
// latest change, into crit) stays in sight however many changes came
// after it, in place of the oldest of those.
func shownRows(tl []sources.Transition, room int) []int {
	var rows []int
	for i := len(tl) - 1; i >= 0 && len(rows) < room; i-- {
		rows = append(rows, i)
	}
	if len(rows) == len(tl) || room <= 0 {
		return rows
	}
	latest := map[string]bool{}
	var firing []int
	for i := len(tl) - 1; i >= 0; i-- {
		t := tl[i]
		if latest[t.Indicator] {
			continue
		}
		latest[t.Indicator] = true
		if t.To == sources.StateCrit && !t.Acked {
			firing = append(firing, i)
		}
	}
	shown := map[int]bool{}
	for _, i := range rows {
		shown[i] = true
	}
	for _, f := range firing {
		if shown[f] {
			continue
		}
		// replace the oldest row that is not itself a firing crit
		for k := len(rows) - 1; k >= 0; k-- {
			if !slices.Contains(firing, rows[k]) {
				shown[rows[k]] = false
				rows[k] = f
				shown[f] = true
				break
			}
		}
	}
	slices.SortFunc(rows, func(a, b int) int { return b - a })
	return rows
}

// row writes one transition in w cells. Whole it reads
//
//	● 23:57:40 ✖ nginx.499_rate warn→CRIT 6.1/s > 5/s APPROACHING day 1
//
// and when it must shrink the milestone, the phase, the source prefix,
// the state it came from and the "_ratio" or "_rate" the unit says go in
// that order (a prefix kept to tell two logs apart is shortened letter by
// letter, then dropped), then the name is cut: the time, the state, what
// went wrong and by how much stay to the last — "● 23:57:40 ✖ 499 6.1/s >
// 5/s".
func (m Timeline) row(t sources.Transition, layout string, w int) string {
	st := m.opts.st()
	s := m.snap
	mark, arrow := "●", "→"
	if m.opts.ASCII {
		mark, arrow = "*", ">"
	}
	if t.Acked || t.To != sources.StateCrit {
		mark = " "
	} else {
		mark = st.Unacked.Render(mark)
	}
	ss := st.StateStyle(t.To)
	head := mark + " " + st.Dim.Render(t.At.In(zone(s)).Format(layout)) + " " + ss.Render(Symbol(t.To, m.opts.ASCII)) + " "
	from := st.StateStyle(t.From).Render(t.From.String()) + arrow + ss.Render(strings.ToUpper(t.To.String()))
	level := levelText(st, s, t)
	var phase, milestone string
	if t.Phase != "" && t.Phase != sources.PhaseNormal {
		phase = st.Dim.Render(strings.ToUpper(clean(string(t.Phase))))
	}
	if t.Milestone != "" {
		milestone = st.Dim.Render(clean(t.Milestone))
	}
	short := shortName(s, t.Indicator)
	full, bare := clean(t.Indicator), clean(bareName(short, t, transitionUnit(s, t)))
	short = clean(short)
	forms := [][]string{
		{full, from, level, phase, milestone},
		{full, from, level, phase},
		{full, from, level},
		{short, from, level},
		{short, level},
		{bare, level},
	}
	// a source prefix kept to tell two logs apart gives way letter by
	// letter before the name itself is cut: "c.499", then "499"
	if src, rest, ok := strings.Cut(bare, "."); ok && rest != "" {
		for k := len([]rune(src)) - 1; k >= 1; k-- {
			forms = append(forms, []string{string([]rune(src)[:k]) + "." + rest, level})
		}
		bare = rest
		forms = append(forms, []string{bare, level})
	}
	for _, f := range forms {
		if line := head + join(f); Width(line) <= w {
			return line
		}
	}
	// cut the name, down to two cells and an ellipsis; a pane narrower
	// than that keeps the name and loses the end of the line in the box
	rest := " " + level
	if room := w - Width(head) - Width(rest); room >= 3 {
		return head + Fit(bare, room) + rest
	}
	return head + bare + rest
}

// join joins the non-empty parts with single spaces.
func join(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}
