package pane

import (
	"testing"

	"warroom/sources"
	"warroom/ui/internal/fixture"
)

// TestSetSnapshotReportsWhatChanged: a pane handed a snapshot that differs
// only where it does not look says so and keeps its drawing; one that
// differs where it looks says so, and draws what a new pane would. A
// change of size, focus or styles is drawn too.
func TestSetSnapshotReportsWhatChanged(t *testing.T) {
	o := Options{Styles: DefaultStyles(true)}
	kinds := []struct {
		name  string
		new   func() Pane
		moved func(s *sources.Snapshot) // something this pane shows
	}{
		{"stat", func() Pane { return NewStat("nginx.qps", o) },
			func(s *sources.Snapshot) { s.Indicators[0].Value.Value = 4321 }},
		{"chart", func() Pane { return NewChart([]string{"nginx.499_rate"}, o) },
			func(s *sources.Snapshot) { s.Indicators[2].Crit = 3 }},
		{"top", func() Pane { return NewTop("paths", o) },
			func(s *sources.Snapshot) { s.Tops[1].Rows[0].Key = "/api/v3/else" }},
		{"log", func() Pane { return NewLog("", o) },
			func(s *sources.Snapshot) { s.Logs[0].Lines[len(s.Logs[0].Lines)-1].Text = "something else" }},
		{"timeline", func() Pane { return NewTimeline(o) },
			func(s *sources.Snapshot) { s.Timeline[len(s.Timeline)-1].Acked = true }},
		{"where", func() Pane { return NewWhere(o) },
			func(s *sources.Snapshot) { s.Indicators[2].Driver.Path.Key = "/api/v2/ranking/final" }},
	}
	// what none of these panes shows
	elsewhere := func(s *sources.Snapshot) { s.Indicators[4].Title = "elsewhere"; s.Self.CPU = 0.5 }
	drawn := func(p Pane, s *sources.Snapshot) string {
		p.SetSize(40, 8) // a zoomed stat (10 rows inside) draws again every time
		p.SetSnapshot(s)
		return p.View()
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			p := k.new()
			first := drawn(p, fixture.Snapshot())
			quiet := fixture.Snapshot()
			elsewhere(quiet)
			if p.SetSnapshot(quiet) {
				t.Error("a snapshot that moved nothing this pane shows was reported as a change")
			}
			if p.View() != first {
				t.Error("the drawing changed with nothing it shows")
			}
			moved := fixture.Snapshot()
			k.moved(moved)
			if !p.SetSnapshot(moved) {
				t.Error("a snapshot that moved what the pane shows was not reported")
			}
			if got, want := p.View(), drawn(k.new(), moved); got != want || got == first {
				t.Errorf("after the change the pane shows\n%s\nwant\n%s", got, want)
			}
			p.Focus()
			if got, want := p.View(), focusedView(k.new(), moved); got != want {
				t.Errorf("focused, the pane shows\n%s\nwant\n%s", got, want)
			}
			p.SetSize(60, 14)
			fresh := k.new()
			fresh.Focus()
			fresh.SetSize(60, 14)
			fresh.SetSnapshot(moved)
			if got, want := p.View(), fresh.View(); got != want {
				t.Errorf("resized, the pane shows\n%s\nwant\n%s", got, want)
			}
			p.SetStyles(PlainStyles())
			plain := k.new()
			plain.SetStyles(PlainStyles())
			plain.Focus()
			plain.SetSize(60, 14)
			plain.SetSnapshot(moved)
			if got, want := p.View(), plain.View(); got != want {
				t.Errorf("with new styles the pane shows\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func focusedView(p Pane, s *sources.Snapshot) string {
	p.Focus()
	p.SetSize(40, 8)
	p.SetSnapshot(s)
	return p.View()
}

// The bars change with every snapshot (the clock, warroom's own CPU), and
// with what the root sets on them.
func TestBarsRedrawOnTheirSettings(t *testing.T) {
	s := fixture.Snapshot()
	h := NewHeader(Options{})
	h.SetSize(120, 1)
	if !h.SetSnapshot(s) || h.SetSnapshot(s) {
		t.Error("the header reports a change only for a new snapshot")
	}
	before := h.View()
	h.SetWindow(0, fixture.PrevEnd)
	if h.View() == before {
		t.Error("a window moved to a past milestone did not show")
	}
	st := NewStatus(Options{})
	st.SetSize(120, 1)
	st.SetSnapshot(s)
	before = st.View()
	st.SetNotice("polling Prometheus now")
	if st.View() == before {
		t.Error("a notice did not show")
	}
	before = st.View()
	st.SetNotice("")
	st.SetHints("? help • q quit", "? help")
	if st.View() == before {
		t.Error("new key hints did not show")
	}
}
