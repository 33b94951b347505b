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
