package pane

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"warroom/sources"
)

// A row whose count is a lower bound (the window's sketch could not keep
// every client) says so; an exact one does not.
func TestTopMarksLowerBounds(t *testing.T) {
	snap := &sources.Snapshot{Tops: []sources.TopTable{{Title: "IPs", Window: 5 * time.Minute, Rows: []sources.TopRow{
		{Key: "10.9.9.9", Count: 1500, AtLeast: true},
		{Key: "10.0.0.1", Count: 7},
	}}}}
	m := NewTop("IPs", Options{})
	m.SetSize(40, 6)
	m.SetSnapshot(snap)
	var heavy, exact string
	for _, l := range strings.Split(m.View(), "\n") {
		switch {
		case strings.Contains(l, "10.9.9.9"):
			heavy = l
		case strings.Contains(l, "10.0.0.1"):
			exact = l
		}
	}
	if !strings.Contains(heavy, "≥1500") {
		t.Errorf("lower-bound row %q lacks ≥1500", heavy)
	}
	// the columns stay aligned: the mark takes one cell
	if i, j := strings.Index(heavy, "1500")+4, strings.Index(exact, " 7 ")+2; utf8.RuneCountInString(heavy[:i]) != utf8.RuneCountInString(exact[:j]) {
		t.Errorf("columns misaligned:\n%s\n%s", heavy, exact)
	}
	if exact == "" || strings.Contains(exact, "≥") {
		t.Errorf("exact row %q", exact)
	}
}

// A row with bounds marks each number that could read higher: not one
// whose bound reads the same once abbreviated.
func TestTopMarksBoundsThatShow(t *testing.T) {
	snap := &sources.Snapshot{Tops: []sources.TopTable{{Title: "IPs", Window: 5 * time.Minute, Rows: []sources.TopRow{
		{Key: "10.99.0.5", Count: 250, AtLeast: true, Max: 253, S499: 0, Slow: 30},
		{Key: "10.99.0.6", Count: 12340, AtLeast: true, Max: 12342, S499: 20000, Slow: 9, S5xx: 10000},
	}}}}
	m := NewTop("IPs", Options{})
	m.SetSize(60, 6)
	m.SetSnapshot(snap)
	want := map[string][]string{"10.99.0.5": {"≥250", "≥0", "≥30", "≥0"}, "10.99.0.6": {"12.3k", "20k", "≥9", "10k"}}
	for _, l := range strings.Split(m.View(), "\n") {
		for key, cells := range want {
			if !strings.Contains(l, key+" ") {
				continue
			}
			if got := strings.Fields(strings.Trim(l, "│ "))[1:]; strings.Join(got, " ") != strings.Join(cells, " ") {
				t.Errorf("%s: %q, want %q", key, got, cells)
			}
			delete(want, key)
		}
	}
	if len(want) > 0 {
		t.Errorf("rows missing: %v\n%s", want, m.View())
	}
}

// Narrow, the pane drops a column of zeros before one with counts (a 5xx
// incident keeps its 5xx column), and cuts a long key in its middle,
// keeping the end that tells the rows apart.
func TestTopNarrowKeepsWhatTellsRowsApart(t *testing.T) {
	snap := &sources.Snapshot{Tops: []sources.TopTable{{Title: "upstreams", Window: 5 * time.Minute, Exact: true, Rows: []sources.TopRow{
		{Key: "127.0.0.1:18083", Count: 1547, S5xx: 1547},
		{Key: "127.0.0.1:18082", Count: 5088},
	}}}}
	m := NewTop("upstreams", Options{})
	m.SetSize(38, 5)
	m.SetSnapshot(snap)
	v := m.View()
	if !strings.Contains(v, "5xx") || strings.Contains(v, "slow") || !strings.Contains(v, "1547") {
		t.Errorf("the 5xx column is gone, or a column of zeros stayed:\n%s", v)
	}
	if !strings.Contains(v, ":18083 ") || !strings.Contains(v, ":18082 ") {
		t.Errorf("the keys lost the ports that tell them apart:\n%s", v)
	}
}
