package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"warroom/ui/internal/fixture"
)

// BenchmarkView measures one frame at 200×60 in colour: "cached" is what
// the program pays per View call between snapshots, "uncached" the frame
// composed again from the panes' views, "snapshot" the whole Update for a
// new snapshot (panes fed, frame rebuilt), "tick" one for the next
// second's snapshot, "resize" one for a new width.
func BenchmarkView(b *testing.B) {
	p := &fixture.Provider{}
	m := sized(b, p, Options{}, 200, 60)
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			_ = m.View()
		}
	})
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			_ = m.render()
		}
	})
	msg := m.fetchCmd(2)()
	b.Run("snapshot", func(b *testing.B) {
		seq := m.gotSeq // -count reruns this closure with the same model
		for b.Loop() {
			seq++
			sm := msg.(snapshotMsg)
			sm.seq = seq
			next, _ := m.Update(sm)
			m = next.(Model)
		}
	})
	// two snapshots a second apart, in turn: what a live screen gets every
	// tick (the clock and a value move, most panes' data does not)
	ticks := [2]tea.Msg{m.fetchCmd(3)(), m.fetchCmd(4)()}
	b.Run("tick", func(b *testing.B) {
		seq := m.gotSeq
		for b.Loop() {
			seq++
			sm := ticks[seq%2].(snapshotMsg)
			sm.seq = seq
			next, _ := m.Update(sm)
			m = next.(Model)
		}
	})
	b.Run("resize", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			next, _ := m.Update(tea.WindowSizeMsg{Width: 200 - i%2, Height: 60})
			m = next.(Model)
		}
	})
}
