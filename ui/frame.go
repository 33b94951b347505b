package ui

import (
	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
)

// Frame renders one screen of snap at w×h as plain text (no escape
// sequences): for `warroom snapshot --frame`, scripts and README pictures.
// The layout, ASCII and window options apply; colour never does.
func Frame(snap *sources.Snapshot, w, h int, o Options) string {
	o.NoColor = true
	o.Styles = nil
	o.Mouse = false
	if snap != nil && snap.Window > 0 {
		o.Window = snap.Window
	}
	m := New(nil, o)
	m.w, m.h = w, h
	m.relayout()
	m.applySnapshot(snapshotMsg{seq: 1, view: m.view(), snap: snap})
	if snap != nil && !snap.WindowEnd.IsZero() && !snap.WindowEnd.Equal(snap.At) {
		m.end = snap.WindowEnd
		m.updateBadges()
	}
	return ansi.Strip(m.render())
}
