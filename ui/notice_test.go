package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// The tests run every Cmd at once: a replay's notice timer would end each
// notice before it could be seen. Each test that wants the timer fires it
// itself (noticeExpiredMsg).
func init() {
	noticeTick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
}

// A replay's notice lasts noticeFor of wall time, not a count of
// snapshots (ten a second while it plays, none while it is paused), and
// the same words said again are a new notice.
func TestReplayNoticeLastsItsTime(t *testing.T) {
	var timers []time.Duration
	noticeTick = func(d time.Duration, f func(time.Time) tea.Msg) tea.Cmd {
		timers = append(timers, d)
		return nil
	}
	defer func() { noticeTick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil } }()
	p := newReplay()
	m := sizedOn(t, p, Options{Refresh: time.Millisecond}, 120, 40)
	const note = "no earlier stage end"
	p.setNote(note)
	m = tickOnce(t, m)
	for range 30 { // three seconds of playing: thirty snapshots
		m = tickOnce(t, m)
	}
	if !strings.Contains(plain(m), note) {
		t.Fatalf("the notice went with the snapshots, not with the time:\n%s", plain(m))
	}
	if len(timers) != 1 || timers[0] != noticeFor {
		t.Fatalf("timers %v, want one of %v", timers, noticeFor)
	}
	next, _ := m.Update(noticeExpiredMsg{seq: m.noticeSeq})
	m = next.(Model)
	if strings.Contains(plain(m), note) {
		t.Fatal("the notice outlived its time")
	}
	p.setNote(note) // m pressed again: the same words, a new note
	m = tickOnce(t, m)
	if !strings.Contains(plain(m), note) || len(timers) != 2 {
		t.Fatalf("the same note said again is not shown:\n%s", plain(m))
	}
}
