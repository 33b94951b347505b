package pane

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"warroom/sources"
)

// Top shows one top-K table: the heaviest keys (IPs, paths) over its
// window with their requests, 499s, slow responses and 5xx answers.
type Top struct {
	base
	table string
}

// NewTop returns a pane for the table with the given title ("IPs",
// "paths"); an empty title means the first table.
func NewTop(table string, o Options) *Top { return &Top{base: base{opts: o}, table: table} }

// SetSnapshot takes the snapshot to show and reports whether its table
// changed.
func (m *Top) SetSnapshot(s *sources.Snapshot) bool { return m.show(s, m.same) }

// same compares the whole table, every field: it is all shown, and small.
func (m *Top) same(a, b *sources.Snapshot) bool {
	ta, oka := m.tableOf(a)
	tb, okb := m.tableOf(b)
	return oka == okb && reflect.DeepEqual(ta, tb)
}

// View renders the pane, or returns its last drawing when nothing changed.
func (m *Top) View() string { return m.cached(m.draw) }

func (m Top) data() (sources.TopTable, bool) { return m.tableOf(m.snap) }

func (m Top) tableOf(s *sources.Snapshot) (sources.TopTable, bool) {
	if s == nil {
		return sources.TopTable{}, false
	}
	return named(s.Tops, m.table, func(t sources.TopTable) string { return t.Title })
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

// draw renders the pane: columns drop (a column of zeros first, else from
// the right: 5xx, slow, 499) before the key column gets narrower than 12
// cells.
func (m *Top) draw() string {
	st := m.opts.st()
	t, ok := m.data()
	if !ok {
		return box(st, m.opts.ASCII, m.focused, m.Title(), m.w, m.h, []string{st.Dim.Render("no data")})
	}
	iw := m.w - 2
	const numW = 7
	// columns by index into vals below; a column of zeros goes first,
	// then from the right: in a 5xx incident the 5xx column stays
	cols := []int{0, 1, 2, 3}
	names := []string{"req", "499", "slow", "5xx"}
	zero := func(c int) bool {
		for _, r := range t.Rows {
			if rowVals(r)[c] > 0 {
				return false
			}
		}
		return true
	}
	for len(cols) > 1 && iw-len(cols)*(numW+1) < 12 {
		drop := len(cols) - 1
		for i := len(cols) - 1; i >= 1; i-- {
			if zero(cols[i]) {
				drop = i
				break
			}
		}
		cols = append(cols[:drop], cols[drop+1:]...)
	}
	keyW := max(iw-len(cols)*(numW+1), 1)
	head := Fit("key", keyW)
	for _, c := range cols {
		head += " " + fmt.Sprintf("%*s", numW, names[c])
	}
	body := []string{st.TableHeader.Render(head)}
	for _, r := range t.Rows {
		// a key too long keeps its end: what tells /api/yearend/result
		// from /api/yearend/rank, and one upstream port from another
		line := Fit(cutMiddle(clean(r.Key), keyW), keyW)
		vals := rowVals(r)
		for _, i := range cols {
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

// rowVals are r's columns: requests, 499s, slow, 5xx.
func rowVals(r sources.TopRow) []uint64 { return []uint64{r.Count, r.S499, r.Slow, r.S5xx} }

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
