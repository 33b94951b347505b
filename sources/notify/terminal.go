package notify

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"warroom/sources"
)

// Terminal turns transitions into terminal escape sequences: a bell and a
// desktop notification. It is a value with no IO of its own: Sequence
// gives the bytes for a caller that owns the terminal (the TUI emits them
// through bubbletea, e.g. tea.Raw), Write puts them on a writer (headless
// `warroom watch`, to stderr or the tty).
//
// Desktop notifications are sent both as OSC 9 (iTerm2, WezTerm, kitty,
// Ghostty, Windows Terminal) and OSC 777 (urxvt, foot, Ghostty, WezTerm);
// a terminal that understands both may show two. Inside tmux each OSC is
// wrapped in DCS passthrough, which tmux ≥ 3.3 forwards only with
// `set -g allow-passthrough on`. The bell is never wrapped: tmux handles
// it itself, flagging the window in the status line and, with
// bell-action any, passing it to the outer terminal from a background
// window too.
type Terminal struct {
	Bell     bool   // BEL when an indicator gets worse and reaches MinState
	Desktop  bool   // OSC 9 + OSC 777 on escalations and recoveries
	MinState Level  // default warn
	InTmux   bool   // wrap OSC sequences in tmux passthrough
	Title    string // the notification's title; default "warroom"
}

// NewTerminal returns the terminal notifier the config describes.
func NewTerminal(cfg Config, title string, inTmux bool) Terminal {
	return Terminal{Bell: cfg.Bell, Desktop: cfg.Desktop, MinState: cfg.MinState, InTmux: inTmux, Title: title}
}

// maxOSCText bounds the text in one OSC: terminals and tmux cap their
// sequence buffers, and a notification is read at a glance.
const maxOSCText = 240

// Sequence returns the bytes that notify of trs, taken together (one
// notification and at most one bell for a tick's worth of transitions),
// or "" when none reaches MinState.
func (t Terminal) Sequence(trs ...sources.Transition) string {
	min := t.minState()
	var ring bool
	var shown []sources.Transition
	worst := -1
	for _, tr := range trs {
		esc, eas := escalates(tr, min), eases(tr, min)
		if !esc && !eas {
			continue
		}
		ring = ring || esc
		shown = append(shown, tr)
		if worst < 0 || severity(tr.To) > severity(shown[worst].To) {
			worst = len(shown) - 1
		}
	}
	var b strings.Builder
	if t.Desktop && len(shown) > 0 {
		body := Line(shown[worst])
		if len(shown) > 1 {
			body += fmt.Sprintf(" (+%d more)", len(shown)-1)
		}
		title := t.Title
		if title == "" {
			title = "warroom"
		}
		title, body = oscText(title), oscText(body)
		b.WriteString(t.wrap("\x1b]9;" + oscText(title+": "+body) + "\a"))
		b.WriteString(t.wrap("\x1b]777;notify;" + title + ";" + body + "\a"))
	}
	if t.Bell && ring {
		b.WriteByte('\a')
	}
	return b.String()
}

// Write writes Sequence(trs) to w; nothing when it is empty.
func (t Terminal) Write(w io.Writer, trs ...sources.Transition) error {
	s := t.Sequence(trs...)
	if s == "" {
		return nil
	}
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("notify: terminal: %w", err)
	}
	return nil
}

func (t Terminal) minState() Level {
	if t.MinState == "" {
		return LevelWarn
	}
	return t.MinState
}

// wrap puts seq in tmux's DCS passthrough when inside tmux: ESC P tmux;
// then seq with every ESC doubled, then ST.
func (t Terminal) wrap(seq string) string {
	if !t.InTmux {
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
