package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"warroom/sources"
	"warroom/ui/internal/fixture"
)

// TestPaneViewsReusedOnlyWhenSame feeds snapshots that change one thing at
// a time and checks every frame against one drawn by a new screen, whose
// panes have drawn nothing yet.
func TestPaneViewsReusedOnlyWhenSame(t *testing.T) {
	p := &fixture.Provider{}
	for _, size := range [][2]int{{200, 60}, {80, 24}} {
		m := sized(t, p, Options{}, size[0], size[1])
		changes := []func(s *sources.Snapshot){
			func(s *sources.Snapshot) {},
			func(s *sources.Snapshot) { s.Indicators[1].Value.Value = 99 },
			func(s *sources.Snapshot) { s.Indicators[2].State = sources.StateOK; s.Indicators[2].Reason = "" },
			func(s *sources.Snapshot) { s.Indicators[3].Series.Points[10].V = 1e6 },
			func(s *sources.Snapshot) { s.Tops[0].Rows[0].Count += 7000 }, // 18.2k → 25.2k
			func(s *sources.Snapshot) {
				s.Logs[0].Lines = append(s.Logs[0].Lines, sources.LogLine{At: s.At, Text: "new line"})
			},
			func(s *sources.Snapshot) { s.Timeline = s.Timeline[:len(s.Timeline)-1] },
			func(s *sources.Snapshot) { s.At = s.At.Add(time.Minute) }, // stale ages move
			// when a current value was true is not shown: panes may be reused
			func(s *sources.Snapshot) { moveAt(s, false, -3*time.Second) },
			// a stale value's "as of" moves by a second, its age does not
			func(s *sources.Snapshot) { moveAt(s, true, -time.Second) },
			// charts do not show the value, but do show that it went stale
			func(s *sources.Snapshot) { s.Indicators[0].Value.Value *= 3; s.Indicators[0].Reason = "x" },
			func(s *sources.Snapshot) { s.Indicators[0].State = sources.StateStale },
			func(s *sources.Snapshot) { s.Indicators[0].Warn = 1 },
			// a pending state, then the same a second later: its time left moves
			func(s *sources.Snapshot) { pend(s, 0) },
			func(s *sources.Snapshot) { pend(s, time.Second) },
			// the same value past its threshold, or not, by the rule's direction
			func(s *sources.Snapshot) { s.Indicators[3].Value.Value = 40 },
			func(s *sources.Snapshot) { s.Indicators[3].Value.Value = 40; s.Indicators[3].Below = true },
		}
		for i, change := range changes {
			s := fixture.Snapshot()
			change(s)
			m = update(t, m, snapshotMsg{seq: m.gotSeq + 1, view: m.view(), snap: s})
			fresh := update(t, New(p, Options{}), tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			fresh = update(t, fresh, snapshotMsg{seq: 1, view: fresh.view(), snap: s})
			if got, want := m.frame, fresh.frame; got != want {
				t.Fatalf("%dx%d change %d: cached frame differs from a fresh one:\n%s\n---\n%s", size[0], size[1], i, got, want)
			}
		}
	}
}

// moveAt moves Value.At of every stale (or every current) indicator.
func moveAt(s *sources.Snapshot, stale bool, d time.Duration) {
	n := 0
	for i := range s.Indicators {
		v := &s.Indicators[i].Value
		if (v.Health == sources.HealthStale || s.Indicators[i].State == sources.StateStale) == stale {
			v.At = v.At.Add(d)
			n++
		}
	}
	if n == 0 {
		panic("the fixture has no such indicator: the change tests nothing")
	}
}

// pend puts the 499 rate on its way to crit, 6 s after the fixture's At,
// seen d later.
func pend(s *sources.Snapshot, d time.Duration) {
	in := &s.Indicators[2]
	in.State, in.Pending, in.PendingAt = sources.StateOK, sources.StateCrit, s.At.Add(6*time.Second)
	s.At = s.At.Add(d)
	s.WindowEnd = s.At
}
