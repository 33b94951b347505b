package ui

import (
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"warroom/sources"
)

// The keys of a replay (`warroom replay`): the provider is a
// sources.Replayer, whose clock space pauses, [ and ] slow down and speed
// up, m and M send to a stage end and g to a time typed into a prompt.
// The panes follow the replay clock; nothing freezes them here.

// goToLabel is the prompt g opens in the status bar; goToHints say what
// it takes, the longest first: the bar shows the first that fits.
const goToLabel = "go to: "

var goToHints = []string{
	"00:05 · 12-31 23:58 · 2026-12-31 23:58:30 · -5m   enter go · esc cancel",
	"00:05 · 12-31 23:58 · -5m   esc cancel",
	"00:05 · 12-31 23:58 · -5m",
	"00:05 · -5m",
}

const (
	// goToMax is the most a person can type there: the longest form,
	// RFC 3339 with fractions and an offset, is 35 characters.
	goToMax = 40
)

// replayKey answers k in a replay. It reports false for a key that is not
// a replay's, which then does what it does live. While the prompt is open
// it takes every key.
func (m *Model) replayKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	if m.prompting {
		return m.promptKey(k), true
	}
	switch {
	case key.Matches(k, m.keys.ReplayPause):
		m.replayer.TogglePause()
	case key.Matches(k, m.keys.Slower):
		m.replayer.Slower()
	case key.Matches(k, m.keys.Faster):
		m.replayer.Faster()
	case key.Matches(k, m.keys.PrevStage):
		m.replayer.SeekStage(-1)
	case key.Matches(k, m.keys.NextStage):
		m.replayer.SeekStage(1)
	case key.Matches(k, m.keys.GoTo):
		m.prompting, m.typed = true, nil
		m.showPrompt()
		return nil, true
	case key.Matches(k, m.keys.Live):
		return m.say("a replay has no live; g goes to a time"), true
	default:
		return nil, false
	}
	// the replayer answers at once; a snapshot now shows the new pace
	// rather than a second later
	return m.fetch(), true
}

// promptKey edits the go-to prompt: printable keys type, backspace
// erases, enter goes, esc (or ctrl+c, as in a shell) gives up. No other
// key acts while it is open: an "m" typed must not seek.
func (m *Model) promptKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case k.Code == tea.KeyEscape || k.String() == "ctrl+c":
		m.closePrompt()
	case k.Code == tea.KeyEnter:
		typed := string(m.typed)
		m.closePrompt()
		return m.goTo(typed)
	case k.Code == tea.KeyBackspace:
		if len(m.typed) > 0 {
			m.typed = m.typed[:len(m.typed)-1]
			m.showPrompt()
		}
	case k.Text != "" && k.Mod&(tea.ModCtrl|tea.ModAlt) == 0:
		for _, r := range k.Text {
			if unicode.IsPrint(r) && len(m.typed) < goToMax {
				m.typed = append(m.typed, r)
			}
		}
		m.showPrompt()
	}
	return nil
}

// goTo seeks to the instant typed, read near the replay clock in the
// event's zone; what cannot be read is said in the status bar.
func (m *Model) goTo(typed string) tea.Cmd {
	if m.latest == nil {
		return m.say("no replay clock yet: try again in a moment")
	}
	t, err := sources.ParseInstant(typed, m.latest.At, m.latest.Zone)
	if err != nil {
		return m.say(err.Error())
	}
	m.replayer.Seek(t)
	zone := m.latest.Zone
	if zone == nil {
		zone = t.Location()
	}
	// "00:05" could be either side of midnight: say which day it is (and
	// which year, when not the clock's: a mistyped year looks like the night)
	layout := "01-02 15:04:05 MST"
	if t.In(zone).Year() != m.latest.At.In(zone).Year() {
		layout = "2006-01-02 15:04:05 MST"
	}
	return tea.Batch(m.say("going to "+t.In(zone).Format(layout)), m.fetch())
}

func (m *Model) showPrompt() {
	m.status.SetPrompt(goToLabel, string(m.typed), goToHints...)
	m.dirty = true
}

func (m *Model) closePrompt() {
	m.prompting, m.typed = false, nil
	m.status.SetPrompt("", "")
	m.dirty = true
}

// noteReplay shows a note of the replayer's that the previous snapshot
// did not carry: what the last key did not do (no stage end that way, an
// instant outside the input).
func (m *Model) noteReplay(prev, s *sources.Snapshot) {
	if s.Replay == nil || s.Replay.Note == "" {
		return
	}
	if prev != nil && prev.Replay != nil && prev.Replay.NoteSeq == s.Replay.NoteSeq {
		return
	}
	m.later = m.say(s.Replay.Note)
}

// shortHelp and fullHelp are the keys the status bar and the help show:
// a replay's where the provider is a Replayer.
func (m *Model) shortHelp() []key.Binding {
	if m.replayer != nil {
		return m.keys.ReplayShortHelp()
	}
	return m.keys.ShortHelp()
}

func (m *Model) fullHelp() [][]key.Binding {
	if m.replayer != nil {
		return m.keys.ReplayFullHelp()
	}
	return m.keys.FullHelp()
}
