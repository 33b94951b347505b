package pane

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"warroom/sources"
)

// Top shows one top-K table: the heaviest keys (IPs, paths) over its
// window with their requests, 499s and slow responses.
type Top struct {
	opts    Options
	table   string
	w, h    int
	focused bool
	snap    *sources.Snapshot
}

// NewTop returns a pane for the table with the given title ("IPs",
// "paths"); an empty title means the first table.
func NewTop(table string, o Options) Top { return Top{opts: o, table: table} }

// SetSize sets the outer size, border included.
func (m *Top) SetSize(w, h int) { m.w, m.h = w, h }

// SetStyles swaps the styles.
func (m *Top) SetStyles(s *Styles) { m.opts.Styles = s }

// Focus and Blur mark the pane the keys act on.
func (m *Top) Focus() { m.focused = true }
func (m *Top) Blur()  { m.focused = false }

// Focused reports whether the pane has focus.
func (m Top) Focused() bool { return m.focused }

// Update takes a SnapshotMsg.
func (m Top) Update(msg tea.Msg) (Top, tea.Cmd) {
	if s, ok := msg.(SnapshotMsg); ok {
		m.snap = s.Snapshot
	}
	return m, nil
}

func (m Top) data() (sources.TopTable, bool) {
	if m.snap == nil {
		return sources.TopTable{}, false
	}
	for _, t := range m.snap.Tops {
		if m.table == "" || t.Title == m.table {
			return t, true
		}
	}
	return sources.TopTable{}, false
}

// Title is "top <table> · <window> · <distinct> distinct".
func (m Top) Title() string {
	t, ok := m.data()
	if !ok {
		return "top " + clean(m.table)
	}
	title := "top " + clean(t.Title)
	if t.Window > 0 {
		title += " · " + fmtWindow(t.Window)
	}
	if t.Distinct > 0 {
		approx := "~"
		if t.Exact {
			approx = ""
		}
		title += " · " + approx + count(t.Distinct) + " distinct"
	}
	return title
}

// View renders the pane: columns drop from the right (slow, then 499)
// before the key column gets narrower than 12 cells.
func (m Top) View() string {
	st := m.opts.st()
	t, ok := m.data()
	if !ok {
		return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, []string{st.Dim.Render("no data")})
	}
	iw := m.w - 2
	const numW = 7
	cols := []string{"req", "499", "slow"}
	for len(cols) > 1 && iw-len(cols)*(numW+1) < 12 {
		cols = cols[:len(cols)-1]
	}
	keyW := max(iw-len(cols)*(numW+1), 1)
	head := Fit("key", keyW)
	for _, c := range cols {
		head += " " + fmt.Sprintf("%*s", numW, c)
	}
	body := []string{st.TableHeader.Render(head)}
	for _, r := range t.Rows {
		line := Fit(clean(r.Key), keyW)
		vals := []uint64{r.Count, r.S499, r.Slow}
		for i := range cols {
			c := count(vals[i])
			if atLeast(r, i, vals[i]) {
				c = "≥" + c // a lower bound
			}
			cell := strings.Repeat(" ", max(numW-utf8.RuneCountInString(c), 0)) + c // ≥ is one cell, three bytes
			if i > 0 && vals[i] > 0 {
				cell = st.Warn.Render(cell)
			}
			line += " " + cell
		}
		body = append(body, line)
	}
	if len(t.Rows) == 0 {
		body = append(body, st.Dim.Render("(no requests in window)"))
	}
	return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, body)
}

// atLeast says whether v, column i of r, is marked as a lower bound: when
// the true number may be higher by enough to read differently (up to
// r.Max − r.Count more). Without a Max only the count is marked.
func atLeast(r sources.TopRow, i int, v uint64) bool {
	switch {
	case !r.AtLeast:
		return false
	case r.Max < r.Count:
		return i == 0
	}
	return count(v+r.Max-r.Count) != count(v)
}

// count abbreviates an integer: 999, 12.3k, 4.5M.
func count(v uint64) string {
	switch {
	case v < 10000:
		return strconv.FormatUint(v, 10)
	case v < 1000000:
		return strings.TrimSuffix(strconv.FormatFloat(float64(v)/1000, 'f', 1, 64), ".0") + "k"
	}
	return strings.TrimSuffix(strconv.FormatFloat(float64(v)/1e6, 'f', 1, 64), ".0") + "M"
}
