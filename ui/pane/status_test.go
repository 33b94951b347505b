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

// At 80 columns a failing output keeps its reason ("✖ oncall: HTTP 400"):
// the sources that are fine are cut to their names, and warroom's own
// figures go first.
func TestStatusKeepsTheReasonOfWhatFails(t *testing.T) {
	snap := &sources.Snapshot{Sources: []sources.SourceStatus{
		{Name: "nginx", Kind: "nginx", Health: sources.HealthOK, Note: "upstreaminfo, 985 of 1000 lines"},
		{Name: "app", Kind: "applog", Health: sources.HealthOK},
		{Name: "schedule", Kind: "schedule", Health: sources.HealthOK},
		{Name: "prom.db_connections", Kind: "prom", Health: sources.HealthOK},
		{Name: "oncall", Kind: "webhook", Health: sources.HealthError, Detail: "HTTP 400"},
		{Name: "slack", Kind: "webhook", Health: sources.HealthError, Detail: "refused"},
	}}
	snap.Self.RSSBytes = 80 << 20
	m := NewStatus(Options{Styles: PlainStyles()})
	m.SetHints("? help • q quit", "? help")
	m.SetSnapshot(snap)
	m.SetSize(80, 1)
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "oncall: HTTP 400") || !strings.Contains(v, "slack: refused") {
		t.Fatalf("80 wide: %q", v)
	}
	if strings.Contains(v, "rss") {
		t.Fatalf("80 wide: warroom's own figures before a failing output's reason: %q", v)
	}
}

// Without warroom's own figures (a frame printed by snapshot) the status
// bar does not claim "rss 0B cpu 0.0%".
func TestStatusWithoutSelfStats(t *testing.T) {
	m := NewStatus(Options{Styles: PlainStyles()})
	m.SetSize(80, 1)
	s := &sources.Snapshot{Sources: []sources.SourceStatus{{Name: "nginx", Kind: "nginx", Health: sources.HealthOK}}}
	m.SetSnapshot(s)
	if v := m.View(); strings.Contains(v, "rss") {
		t.Errorf("status bar without self stats: %q", v)
	}
	s2 := *s
	s2.Self = sources.ProcessStats{RSSBytes: 50 << 20, CPU: 0.01}
	m.SetSnapshot(&s2)
	if v := m.View(); !strings.Contains(v, "rss ") || !strings.Contains(v, "cpu 1.0%") {
		t.Errorf("status bar with self stats: %q", v)
	}
}

// An open prompt takes the whole bar, notice and hints included: what is
// typed with a cursor after it, the hint at the right while it fits, and
// the end of an input too long for the bar, where the typing is. Closed,
// the bar is as before.
func TestStatusPrompt(t *testing.T) {
	m := NewStatus(Options{Styles: PlainStyles()})
	m.SetSnapshot(&sources.Snapshot{Sources: []sources.SourceStatus{{Name: "nginx", Kind: "nginx", Health: sources.HealthOK}}})
	m.SetHints("? help • q quit", "? help")
	m.SetNotice("already the widest window")
	m.SetSize(80, 1)
	before := ansi.Strip(m.View())
	m.SetPrompt("go to: ", "00:05", "00:05 · 12-31 23:58 · -5m   enter go · esc cancel", "00:05 · -5m")
	if got := ansi.Strip(m.View()); !strings.HasPrefix(got, "go to: 00:05█") || strings.Contains(got, "widest") || strings.Contains(got, "nginx") {
		t.Errorf("the prompt does not take the whole bar: %q", got)
	}
	for _, c := range []struct {
		w    int
		want string
	}{
		{80, "go to: 00:05█                  00:05 · 12-31 23:58 · -5m   enter go · esc cancel"},
		{30, "go to: 00:05█      00:05 · -5m"},
		{14, "go to: 00:05█ "},
	} {
		m.SetSize(c.w, 1)
		v := m.View()
		check(t, v, c.w, 1)
		if got := ansi.Strip(v); got != c.want {
			t.Errorf("%d wide: got %q, want %q", c.w, got, c.want)
		}
	}
	m.SetSize(10, 1)
	if got := ansi.Strip(m.View()); got != "go to: 05█" {
		t.Errorf("10 wide: got %q, want the end of the input", got)
	}
	m.SetPrompt("", "")
	m.SetSize(80, 1)
	if got := ansi.Strip(m.View()); got != before {
		t.Errorf("closed: got %q, want %q", got, before)
	}
}
