package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// What the keys and the mouse wheel do to the screen.

// noticeTicks is how many refreshes a notice stays in the status bar.
const noticeTicks = 3

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if m.replayer != nil {
		if cmd, ok := m.replayKey(k); ok {
			return cmd
		}
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return tea.Quit
	case key.Matches(k, m.keys.Help):
		m.showHelp = !m.showHelp
		m.dirty = true
	case key.Matches(k, m.keys.Back):
		switch {
		case m.showHelp:
			m.showHelp = false
		case m.zoomed:
			m.zoomed = false
			m.relayout()
		case !m.end.IsZero():
			m.end = time.Time{}
			m.updateBadges()
			return m.fetch()
		}
		m.dirty = true
	case key.Matches(k, m.keys.Live):
		if !m.end.IsZero() {
			m.end = time.Time{}
			m.updateBadges()
			return m.fetch()
		}
	case key.Matches(k, m.keys.Next):
		m.moveFocus(1)
	case key.Matches(k, m.keys.Prev):
		m.moveFocus(-1)
	case key.Matches(k, m.keys.Up):
		m.moveFocusToward(0, -1)
	case key.Matches(k, m.keys.Down):
		m.moveFocusToward(0, 1)
	case key.Matches(k, m.keys.Left):
		m.moveFocusToward(-1, 0)
	case key.Matches(k, m.keys.Right):
		m.moveFocusToward(1, 0)
	case key.Matches(k, m.keys.Zoom):
		if m.focus < 0 {
			return m.say("tab to a pane first, then enter")
		}
		m.zoomed = !m.zoomed
		m.relayout()
		return m.fetch() // a zoomed chart wants more points
	case key.Matches(k, m.keys.Wider):
		return m.setWindow(m.windowIdx + 1)
	case key.Matches(k, m.keys.Narrower):
		return m.setWindow(m.windowIdx - 1)
	case key.Matches(k, m.keys.Pause):
		m.paused = !m.paused
		if !m.paused && m.latest != nil {
			m.show(m.latest, m.view())
		}
		m.updateBadges()
	case key.Matches(k, m.keys.PrevMilestone):
		return m.jumpMilestone(-1)
	case key.Matches(k, m.keys.NextMilestone):
		return m.jumpMilestone(1)
	case key.Matches(k, m.keys.Ack):
		if m.latest != nil && m.latest.Unacked == 0 {
			return m.say("nothing to acknowledge")
		}
		p := m.p
		return func() tea.Msg { p.Ack(); return ackedMsg{} }
	case key.Matches(k, m.keys.Refresh):
		if !m.hasPolled() {
			return m.say("nothing to poll: logs are read as written")
		}
		m.fetchSeq++
		p, v, seq := m.p, m.syncView(), m.fetchSeq
		notice := m.say("polling now")
		return tea.Batch(notice, func() tea.Msg {
			p.Refresh()
			return snapshotMsg{seq: seq, view: v, snap: p.Snapshot()}
		})
	}
	return nil
}

// say shows a notice in the status bar for noticeTicks refreshes: a key
// that did nothing says why rather than leaving the engineer to wonder.
func (m *Model) say(text string) tea.Cmd {
	m.status.SetNotice(text)
	m.dirty = true
	if m.replayer != nil {
		// a replay's snapshots come ten a second while it plays and none
		// while it is paused: its notices last noticeFor of the wall's time
		m.noticeLeft = 0
		m.noticeSeq++
		seq := m.noticeSeq
		return noticeTick(noticeFor, func(time.Time) tea.Msg { return noticeExpiredMsg{seq} })
	}
	m.noticeLeft = noticeTicks
	return nil
}

// noticeFor is how long a replay's notice stays in the status bar.
const noticeFor = 3 * time.Second

// noticeTick times a replay's notice; tests, which run every Cmd at once,
// replace it.
var noticeTick = tea.Tick

// noticeExpiredMsg ends the replay's notice seq, unless another came
// since.
type noticeExpiredMsg struct{ seq int }

// hasPolled says whether the newest snapshot has a source that is
// polled (Prometheus), which r polls at once.
func (m *Model) hasPolled() bool {
	if m.latest == nil {
		return true // not known yet: let r try
	}
	for _, s := range m.latest.Sources {
		if s.Polled {
			return true
		}
	}
	return false
}

// ageNotice counts a refresh against the notice showing, if any.
func (m *Model) ageNotice() {
	if m.noticeLeft > 0 {
		if m.noticeLeft--; m.noticeLeft == 0 {
			m.status.SetNotice("")
			m.dirty = true
		}
	}
}

func (m *Model) setWindow(i int) tea.Cmd {
	switch {
	case i >= len(m.o.Windows):
		return m.say("already the widest window")
	case i < 0:
		return m.say("already the narrowest window")
	}
	if i == m.windowIdx {
		return nil
	}
	m.windowIdx = i
	m.updateBadges()
	return m.fetch()
}

// jumpMilestone moves the window end to the previous (dir < 0) or next
// stage end relative to the current end (now when live). Stepping past the
// newest stage end that has happened returns to live.
func (m *Model) jumpMilestone(dir int) tea.Cmd {
	if m.latest == nil {
		return nil
	}
	if len(m.milestones) == 0 {
		return m.say("no stage ends: m and M need a schedule")
	}
	ref := m.end
	if ref.IsZero() {
		if dir > 0 {
			return m.say("already live")
		}
		ref = m.latest.At.Add(time.Nanosecond) // a stage end exactly now counts as previous
	}
	var target time.Time
	if dir < 0 {
		for i := len(m.milestones) - 1; i >= 0; i-- {
			if t := m.milestones[i]; t.Before(ref) && !t.After(m.latest.At) {
				target = t
				break
			}
		}
		if target.IsZero() {
			return m.say("no earlier stage end")
		}
	} else {
		for _, t := range m.milestones {
			if t.After(ref) {
				target = t
				break
			}
		}
		if target.After(m.latest.At) {
			target = time.Time{} // the future is live
		}
	}
	if target.Equal(m.end) {
		return nil
	}
	m.end = target
	m.updateBadges()
	return m.fetch()
}

func (m *Model) wheel(msg tea.MouseWheelMsg) tea.Cmd {
	for _, i := range m.focusOrder() {
		r := m.rects[i]
		if !m.slots[i].kind.timeAxis || msg.X < r.x || msg.X >= r.x+r.w || msg.Y < r.y || msg.Y >= r.y+r.h {
			continue
		}
		switch msg.Button {
		case tea.MouseWheelUp:
			return m.setWindow(m.windowIdx - 1)
		case tea.MouseWheelDown:
			return m.setWindow(m.windowIdx + 1)
		}
	}
	return nil
}
