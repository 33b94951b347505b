package pane

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
)

// Log shows one application-log source: a line of per-pattern rates, then
// the latest matching messages, newest at the bottom (like tail -f), each
// with how many entries it folds ("×120") and, in a short pane, cut to what
// matters (see fitMessage) rather than wrapped.
type Log struct {
	base
	source string
}

// NewLog returns a pane for the log source with the given name; an empty
// name means the first source.
func NewLog(source string, o Options) *Log { return &Log{base: base{opts: o}, source: source} }

// SetSnapshot takes the snapshot to show and reports whether its log
// changed: a new line, or a pattern's rate.
func (m *Log) SetSnapshot(s *sources.Snapshot) bool { return m.show(s, m.same) }

func (m *Log) same(a, b *sources.Snapshot) bool {
	la, oka := m.logOf(a)
	lb, okb := m.logOf(b)
	return oka == okb && la.Source == lb.Source && slices.Equal(la.Lines, lb.Lines) &&
		slices.EqualFunc(la.Patterns, lb.Patterns, func(x, y sources.PatternCount) bool {
			return x.Name == y.Name && sameFloat(x.PerMin, y.PerMin) && x.Total == y.Total && x.Pack == y.Pack && x.Group == y.Group
		})
}

// View renders the pane, or returns its last drawing when nothing changed.
func (m *Log) View() string { return m.cached(m.draw) }

func (m Log) data() (sources.LogView, bool) { return m.logOf(m.snap) }

func (m Log) logOf(s *sources.Snapshot) (sources.LogView, bool) {
	if s == nil {
		return sources.LogView{}, false
	}
	return named(s.Logs, m.source, func(l sources.LogView) string { return l.Source })
}

// Title is "log <source>".
func (m Log) Title() string {
	l, ok := m.data()
	if !ok {
		return "log " + clean(m.source)
	}
	return "log " + clean(l.Source)
}

func (m *Log) draw() string {
	st := m.opts.st()
	l, ok := m.data()
	if !ok {
		return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, []string{st.Dim.Render("no data")})
	}
	inner := max(m.h-2, 0)
	iw := max(m.w-2, 1)
	// A tall pane (zoomed, say) wraps each line so the whole message can
	// be read; a short one keeps a row per message, cut to what matters.
	wrap := inner >= wrapRows
	var body []string
	if bad, ok := m.unread(l.Source); ok {
		// its counts are not current: say why instead of showing them
		body = append(body, Fit(st.Error.Render(bad), iw))
	} else if len(l.Patterns) > 0 {
		body = append(body, patternSummary(st, l.Patterns, iw, wrap)...)
	}
	room := max(inner-len(body), 0)
	var rows []string // newest last
	for i := len(l.Lines) - 1; i >= 0 && len(rows) < room; i-- {
		var entry []string
		if wrap {
			entry = m.wrapped(l.Lines[i], iw)
		} else {
			entry = []string{m.cut(l.Lines[i], iw)}
		}
		rows = append(entry, rows...)
	}
	if len(rows) > room {
		rows = rows[len(rows)-room:] // the oldest entry's head is cut
	}
	// Pad above so the newest line sits on the bottom row.
	for i := len(rows); i < room; i++ {
		body = append(body, "")
	}
	if len(l.Lines) == 0 && room > 0 {
		body[len(body)-1] = st.Dim.Render("(no matching lines)")
	}
	body = append(body, rows...)
	return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, body)
}

// unread is why the log's source cannot be read now (down, failing,
// stale), from the snapshot's source status; false while it is read.
func (m *Log) unread(source string) (string, bool) {
	for _, st := range m.snap.Sources {
		if st.Name != source {
			continue
		}
		switch st.Health {
		case sources.HealthError, sources.HealthUnreachable, sources.HealthStale:
			why := "! " + clean(st.Name) + ": " + st.Health.String()
			if st.Detail != "" {
				why += ": " + clean(st.Detail)
			}
			return why + " · counts not current", true
		}
	}
	return "", false
}

// wrapRows is the inner height from which log lines wrap instead of
// being cut.
const wrapRows = 10

// timeCells is what the time before a line takes ("15:49:03 "); a pane
// narrower than timeCells+keyCells leaves it out, the words say more.
const timeCells, keyCells = 9, 16

// wrapped is a line whole, over as many rows of w cells as it takes.
func (m Log) wrapped(ln sources.LogLine, w int) []string {
	st := m.opts.st()
	text := st.Dim.Render(ln.At.In(zone(m.snap)).Format("15:04:05")) + " " + m.pattern(ln) + stripStamp(clean(ln.Text)) + folded(ln)
	if Width(text) <= w {
		return []string{text}
	}
	rows := strings.Split(ansi.Wrap(text, w-1, " "), "\n")
	for j := 1; j < len(rows); j++ {
		rows[j] = " " + rows[j] // continuation rows sit in by one
	}
	return rows
}

// cut is a line in one row of w cells: its time, what matters of its
// message (see fitMessage), and how many entries it folds.
func (m Log) cut(ln sources.LogLine, w int) string {
	st := m.opts.st()
	n := folded(ln)
	var at string
	if w >= timeCells+keyCells {
		at = st.Dim.Render(ln.At.In(zone(m.snap)).Format("15:04:05")) + " "
	}
	room := w - Width(at) - Width(n)
	if p := m.pattern(ln); p != "" {
		if whole := stripStamp(clean(ln.Text)); Width(p)+Width(whole) <= room {
			return at + p + whole + n
		}
	}
	return at + fitMessage(ln, room) + n
}

// pattern is the first pattern a line matched, in a wide pane: the
// message matters most, its pattern's name says the same in other words.
func (m Log) pattern(ln sources.LogLine) string {
	if m.w < 100 {
		return ""
	}
	return m.opts.st().Warn.Render(firstPattern(clean(ln.Pattern))) + " "
}

// firstPattern keeps the first of a line's matching pattern names ("+"
// says there were more): the message is what the engineer needs to read,
// and a narrow pane would otherwise show only names.
func firstPattern(names string) string {
	if i := strings.IndexByte(names, ','); i >= 0 {
		return names[:i] + "+"
	}
	return names
}

// stripStamp drops a leading "2006-01-02T15:04:05[.000][zone]" (or with a
// space, or in brackets, or Go's and nginx's "2006/01/02 15:04:05") from a
// line: the pane already shows the time.
func stripStamp(s string) string {
	t := strings.TrimPrefix(s, "[")
	if len(t) < 19 || t[4] != t[7] || t[4] != '-' && t[4] != '/' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':' {
		return s
	}
	i := 19
	for i < len(t) && t[i] != ' ' && t[i] != ']' {
		i++
	}
	if i < len(t) && t[i] == ']' {
		i++
	}
	if rest := strings.TrimLeft(t[i:], " "); rest != "" {
		return rest
	}
	return s
}
