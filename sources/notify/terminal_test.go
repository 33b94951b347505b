package notify

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"warroom/sources"
)

var at = time.Date(2025, 1, 1, 0, 2, 13, 0, time.UTC)

func crit499() sources.Transition {
	return sources.Transition{At: at, Indicator: "nginx.499_rate", From: sources.StateOK, To: sources.StateCrit,
		Value: 12.3, Threshold: 5, Phase: sources.PhaseHot, Milestone: "stage 3"}
}

const critLine = "✖ CRIT nginx.499_rate = 12.3 (> 5) · HOT · stage 3 · 00:02:13"

func TestTerminalSequenceExact(t *testing.T) {
	term := Terminal{Bell: true, Desktop: true, MinState: LevelWarn}
	want := "\x1b]9;warroom: " + critLine + "\a" +
		"\x1b]777;notify;warroom;" + critLine + "\a" +
		"\a"
	if got := term.Sequence(crit499()); got != want {
		t.Errorf("outside tmux\n got %q\nwant %q", got, want)
	}

	term.InTmux = true
	want = "\x1bPtmux;\x1b\x1b]9;warroom: " + critLine + "\a\x1b\\" +
		"\x1bPtmux;\x1b\x1b]777;notify;warroom;" + critLine + "\a\x1b\\" +
		"\a"
	if got := term.Sequence(crit499()); got != want {
		t.Errorf("inside tmux\n got %q\nwant %q", got, want)
	}

	var buf bytes.Buffer
	if err := term.Write(&buf, crit499()); err != nil || buf.String() != want {
		t.Errorf("Write = %q, %v", buf.String(), err)
	}
}

func TestTerminalWhatSpeaks(t *testing.T) {
	tr := func(from, to sources.State) sources.Transition {
		return sources.Transition{At: at, Indicator: "app.db", From: from, To: to, Value: math.NaN(), Threshold: math.NaN()}
	}
	osc9 := func(body string) string { return "\x1b]9;warroom: " + body + "\a" }
	cases := []struct {
		name string
		term Terminal
		trs  []sources.Transition
		want string // the OSC 9 part, then whether BEL ends it
		bell bool
	}{
		{"warn at min warn rings", Terminal{Bell: true, Desktop: true}, []sources.Transition{tr(sources.StateOK, sources.StateWarn)},
			osc9("▲ WARN app.db no value · 00:02:13"), true},
		{"warn below min crit is quiet", Terminal{Bell: true, Desktop: true, MinState: LevelCrit}, []sources.Transition{tr(sources.StateOK, sources.StateWarn)},
			"", false},
		{"recovery shows, does not ring", Terminal{Bell: true, Desktop: true}, []sources.Transition{tr(sources.StateCrit, sources.StateOK)},
			osc9("✔ OK app.db no value · was CRIT · 00:02:13"), false},
		{"crit easing to warn shows", Terminal{Bell: true, Desktop: true}, []sources.Transition{tr(sources.StateCrit, sources.StateWarn)},
			osc9("▲ WARN app.db no value · was CRIT · 00:02:13"), false},
		{"stale is below warn", Terminal{Bell: true, Desktop: true}, []sources.Transition{tr(sources.StateOK, sources.StateStale)},
			"", false},
		{"bell only", Terminal{Bell: true}, []sources.Transition{tr(sources.StateOK, sources.StateCrit)},
			"", true},
		{"a tick's burst is one notification, the worst shown", Terminal{Bell: true, Desktop: true},
			[]sources.Transition{tr(sources.StateOK, sources.StateWarn), tr(sources.StateWarn, sources.StateCrit), tr(sources.StateOK, sources.StateWarn)},
			osc9("✖ CRIT app.db no value · was WARN · 00:02:13 (+2 more)"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.term.Sequence(c.trs...)
			// An OSC ends in BEL too: the bell is a BEL after that, or alone.
			if bell := got == "\a" || strings.HasSuffix(got, "\a\a"); bell != c.bell {
				t.Errorf("bell = %v, want %v: %q", bell, c.bell, got)
			}
			if c.want == "" {
				if strings.Contains(got, "\x1b") {
					t.Errorf("unexpected notification %q", got)
				}
				return
			}
			if !strings.HasPrefix(got, c.want) {
				t.Errorf("got %q\nwant prefix %q", got, c.want)
			}
			if n := strings.Count(got, "\x1b]"); n != 2 {
				t.Errorf("%d OSC sequences, want 2 (9 and 777): %q", n, got)
			}
		})
	}
}

// Untrusted text cannot end the OSC early, start a new one, or add OSC
// 777 fields.
func TestTerminalInjection(t *testing.T) {
	tr := crit499()
	tr.Indicator = "nginx\x1b]0;x\x07.rate;pwned\x9b31m"
	tr.Milestone = "stage\x1b\\ 3\r\n"
	for _, tmux := range []bool{false, true} {
		term := Terminal{Bell: true, Desktop: true, InTmux: tmux}
		seq := term.Sequence(tr)
		// Remove our own framing; what is left is payload.
		payload := seq
		for _, frame := range []string{"\x1bPtmux;", "\x1b\\", "\x1b\x1b]9;", "\x1b\x1b]777;notify;", "\x1b]9;", "\x1b]777;notify;"} {
			payload = strings.ReplaceAll(payload, frame, "|")
		}
		payload = strings.ReplaceAll(payload, "\a", "|")
		for _, bad := range []string{"\x1b", "\x07", "\r", "\n", "\u009b", "\x9b"} {
			if strings.Contains(payload, bad) {
				t.Errorf("tmux=%v: raw %q inside the OSC payload: %q", tmux, bad, seq)
			}
		}
		// 9; and 777;notify;title; (and tmux; twice) — none from the text
		if got := strings.Count(seq, ";"); tmux && got != 6 || !tmux && got != 4 {
			t.Errorf("tmux=%v: %d ';' in %q", tmux, got, seq)
		}
		if !strings.Contains(seq, `nginx\x1b]0,x\x07.rate,pwned\x9b31m`) {
			t.Errorf("tmux=%v: indicator not shown escaped: %q", tmux, seq)
		}
	}
}

func TestOSCTextBounded(t *testing.T) {
	s := oscText(strings.Repeat("é", 300))
	if len(s) > maxOSCText || !strings.HasSuffix(s, "…") || !strings.HasPrefix(s, "éé") {
		t.Errorf("len %d: %q", len(s), s)
	}
	if !utf8Valid(s) {
		t.Errorf("cut inside a rune: %q", s)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "?") == s }
