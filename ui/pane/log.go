package pane

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
	"warroom/sources/units"
)

// Log shows one application-log source: a line of per-pattern rates, then
// the latest matching lines, newest at the bottom (like tail -f), each cut
// to the width rather than wrapped.
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
			return x.Name == y.Name && sameFloat(x.PerMin, y.PerMin) && x.Total == y.Total
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
	var body []string
	if len(l.Patterns) > 0 {
		var parts []string
		for _, p := range l.Patterns {
			text := clean(p.Name) + " " + units.Format(p.PerMin, sources.UnitCount) + "/min (" + count(p.Total) + " total)"
			if p.PerMin > 0 {
				text = st.Warn.Render(text)
			} else {
				text = st.Dim.Render(text)
			}
			parts = append(parts, text)
		}
		body = append(body, strings.Join(parts, "  "))
	}
	room := max(inner-len(body), 0)
	z := zone(m.snap)
	// A tall pane (zoomed, say) wraps each line so the whole message can
	// be read; a short one keeps a line per entry, cut at the border.
	wrap := inner >= wrapRows
	iw := max(m.w-2, 1)
	var rows []string // newest last
	for i := len(l.Lines) - 1; i >= 0 && len(rows) < room; i-- {
		ln := l.Lines[i]
		// the message matters most; the matching pattern (its name says
		// the same in other words) only when there is room for both
		pat := ""
		if m.w >= 100 {
			pat = st.Warn.Render(firstPattern(clean(ln.Pattern))) + " "
		}
		text := st.Dim.Render(ln.At.In(z).Format("15:04:05")) + " " + pat + stripStamp(clean(ln.Text))
		entry := []string{text}
		if wrap && Width(text) > iw {
			entry = strings.Split(ansi.Wrap(text, iw-1, " "), "\n")
			for j := 1; j < len(entry); j++ {
				entry[j] = " " + entry[j] // continuation rows sit in by one
			}
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

// wrapRows is the inner height from which log lines wrap instead of
// being cut.
const wrapRows = 10

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
// space, or in brackets) from a line: the pane already shows the time.
func stripStamp(s string) string {
	t := strings.TrimPrefix(s, "[")
	if len(t) < 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':' {
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
