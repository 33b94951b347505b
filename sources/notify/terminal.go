package notify

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"warroom/sources"
)

// terminal turns transitions into terminal escape sequences: a bell and a
// desktop notification. It is a value with no IO of its own; the
// dispatcher's terminal notifier writes what it gives onto Options'
// TerminalOut (stderr or the tty in headless `warroom watch`; in the TUI
// a writer that hands the bytes to bubbletea, which puts them between
// frames).
//
// Desktop notifications are sent both as OSC 9 (iTerm2, WezTerm, kitty,
// Ghostty, Windows Terminal) and OSC 777 (urxvt, foot, Ghostty, WezTerm);
// a terminal that understands both may show two. Inside tmux each OSC is
// wrapped in DCS passthrough, which tmux ≥ 3.3 forwards only with
// `set -g allow-passthrough on`. The bell is never wrapped: tmux handles
// it itself, flagging the window in the status line and, with
// bell-action any, passing it to the outer terminal from a background
// window too.
type terminal struct {
	bell     bool   // BEL when an indicator gets worse and reaches minState
	desktop  bool   // OSC 9 + OSC 777 on every change the alerts let through
	minState Level  // default warn
	inTmux   bool   // wrap OSC sequences in tmux passthrough
	title    string // the notification's title; default "warroom"
}

// maxOSCText bounds the text in one OSC: terminals and tmux cap their
// sequence buffers, and a notification is read at a glance.
const maxOSCText = 240

// sequence returns the bytes that tell of b (transitions the notifier's
// alerts let through, taken together: one notification and at most one
// bell for a tick's worth), or "" when there is nothing to say.
func (t terminal) sequence(b burst) string {
	min := t.level()
	var ring bool
	worst := -1
	for i, tr := range b.trs {
		ring = ring || escalates(tr, min)
		if worst < 0 || severity(tr.To) > severity(b.trs[worst].To) {
			worst = i
		}
	}
	var s strings.Builder
	if t.desktop && worst >= 0 {
		body := Line(b.trs[worst])
		if len(b.trs) > 1 {
			body += fmt.Sprintf(" (+%d more)", len(b.trs)-1)
		}
		if n := len(b.stillFiring()); n > 0 {
			body += fmt.Sprintf(" · %d still firing", n)
		} else if b.allClear {
			body += " · all clear"
		}
		title := t.title
		if title == "" {
			title = "warroom"
		}
		title, body = oscText(title), oscText(body)
		s.WriteString(t.wrap("\x1b]9;" + oscText(title+": "+body) + "\a"))
		s.WriteString(t.wrap("\x1b]777;notify;" + title + ";" + body + "\a"))
	}
	if t.bell && ring {
		s.WriteByte('\a')
	}
	return s.String()
}

func (t terminal) level() Level {
	if t.minState == "" {
		return LevelWarn
	}
	return t.minState
}

// wrap puts seq in tmux's DCS passthrough when inside tmux: ESC P tmux;
// then seq with every ESC doubled, then ST.
func (t terminal) wrap(seq string) string {
	if !t.inTmux {
		return seq
	}
	return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
}

// oscText makes s safe inside an OSC: no control characters at all
// (Sanitize shows them as \x1b and the like), and no ';', which separates
// OSC 777's fields and would make "9;4;..." a ConEmu progress command.
func oscText(s string) string {
	s = strings.ReplaceAll(sources.Sanitize(s), ";", ",")
	if len(s) <= maxOSCText {
		return s
	}
	cut := maxOSCText - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
