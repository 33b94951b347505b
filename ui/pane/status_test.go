package pane

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
)

// An ok source's note (NUL runs its follower skipped) shows after its name
// while there is room, and goes before the symbols do.
func TestStatusShowsNoteOfOkSource(t *testing.T) {
	note := "/var/log/app.log: skipped 1 NUL run (10.2 MB) at offset 0"
	snap := &sources.Snapshot{Sources: []sources.SourceStatus{
		{Name: "app", Kind: "applog", Health: sources.HealthOK, Detail: note},
		{Name: "nginx", Kind: "nginx", Health: sources.HealthOK},
	}}
	m := NewStatus(Options{Styles: PlainStyles()})
	m.SetSnapshot(snap)
	m.SetSize(160, 1)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "app: "+note) || strings.Contains(v, "nginx:") {
		t.Fatalf("160 wide: %q", v)
	}
	m.SetSize(40, 1)
	if v := ansi.Strip(m.View()); strings.Contains(v, "NUL") || !strings.Contains(v, "app") || !strings.Contains(v, "nginx") {
		t.Fatalf("40 wide: %q", v)
	}
}
