package notify

import (
	"math"
	"strings"
	"testing"
	"time"

	"warroom/sources"
)

var at = time.Date(2025, 1, 1, 0, 2, 13, 0, time.UTC)

func crit499() sources.Transition {
	return sources.Transition{At: at, Indicator: "nginx.499_rate", From: sources.StateOK, To: sources.StateCrit,
		Value: 12.3, Threshold: 5, Unit: sources.UnitPerSecond, Phase: sources.PhaseHot, Milestone: "stage 3"}
}

const critLine = "✖ CRIT nginx.499_rate = 12.3/s (> 5/s) · HOT · stage 3 · 00:02:13 UTC"

// tell is what the terminal notifier writes for each tick of trs, its
// alerts kept across the ticks as the dispatcher keeps them.
func tell(term terminal, ticks ...[]sources.Transition) []string {
	a := newAlerts(term.level(), term.desktop)
	var out []string
	for _, trs := range ticks {
		var b burst
		for _, tr := range trs {
			if a.pass(tr) {
				b.trs = append(b.trs, tr)
			}
		}
		a.close(&b)
		out = append(out, term.sequence(b))
	}
	return out
}

func TestTerminalSequenceExact(t *testing.T) {
	term := terminal{bell: true, desktop: true, minState: LevelWarn}
	want := "\x1b]9;warroom: " + critLine + "\a" +
		"\x1b]777;notify;warroom;" + critLine + "\a" +
		"\a"
	if got := tell(term, []sources.Transition{crit499()})[0]; got != want {
		t.Errorf("outside tmux\n got %q\nwant %q", got, want)
	}

	term.inTmux = true
	want = "\x1bPtmux;\x1b\x1b]9;warroom: " + critLine + "\a\x1b\\" +
		"\x1bPtmux;\x1b\x1b]777;notify;warroom;" + critLine + "\a\x1b\\" +
		"\a"
	if got := tell(term, []sources.Transition{crit499()})[0]; got != want {
		t.Errorf("inside tmux\n got %q\nwant %q", got, want)
	}
}

func TestTerminalWhatSpeaks(t *testing.T) {
	tr := func(ind string, from, to sources.State) sources.Transition {
		return sources.Transition{At: at, Indicator: ind, From: from, To: to, Value: math.NaN(), Threshold: math.NaN()}
	}
	one := func(trs ...sources.Transition) []sources.Transition { return trs }
	const ok, warn, crit, stale = sources.StateOK, sources.StateWarn, sources.StateCrit, sources.StateStale
	osc9 := func(body string) string { return "\x1b]9;warroom: " + body + "\a" }
	cases := []struct {
		name  string
		term  terminal
		ticks [][]sources.Transition
		want  string // the OSC 9 part of the last tick, then whether BEL ends it
		bell  bool
	}{
		{"warn at min warn rings", terminal{bell: true, desktop: true}, [][]sources.Transition{one(tr("app.db", ok, warn))},
			osc9("▲ WARN app.db no value · 00:02:13 UTC"), true},
		{"warn below min crit is quiet", terminal{bell: true, desktop: true, minState: LevelCrit}, [][]sources.Transition{one(tr("app.db", ok, warn))},
			"", false},
		{"the all-clear shows, does not ring", terminal{bell: true, desktop: true},
			[][]sources.Transition{one(tr("app.db", ok, crit)), one(tr("app.db", crit, ok))},
			osc9("✔ OK app.db no value · was CRIT · 00:02:13 UTC · all clear"), false},
		{"crit easing to warn shows", terminal{bell: true, desktop: true},
			[][]sources.Transition{one(tr("app.db", ok, crit)), one(tr("app.db", crit, warn))},
			osc9("▲ WARN app.db no value · was CRIT · 00:02:13 UTC"), false},
		{"under min crit the all-clear follows warn", terminal{bell: true, desktop: true, minState: LevelCrit},
			[][]sources.Transition{one(tr("app.db", ok, warn)), one(tr("app.db", warn, crit)), one(tr("app.db", crit, warn)), one(tr("app.db", warn, ok))},
			osc9("✔ OK app.db no value · was WARN · 00:02:13 UTC · all clear"), false},
		{"a recovery of what was never told is quiet", terminal{bell: true, desktop: true, minState: LevelCrit},
			[][]sources.Transition{one(tr("app.db", ok, warn)), one(tr("app.db", warn, ok))},
			"", false},
		{"stale is below warn", terminal{bell: true, desktop: true}, [][]sources.Transition{one(tr("prom.q", ok, stale))},
			"", false},
		{"what is still firing is counted", terminal{bell: true, desktop: true},
			[][]sources.Transition{one(tr("app.db", ok, crit), tr("nginx.qps", ok, warn)), one(tr("app.db", crit, ok))},
			osc9("✔ OK app.db no value · was CRIT · 00:02:13 UTC · 1 still firing"), false},
		{"bell only", terminal{bell: true}, [][]sources.Transition{one(tr("app.db", ok, crit))},
			"", true},
		{"a tick's burst is one notification, the worst shown", terminal{bell: true, desktop: true},
			[][]sources.Transition{one(tr("a", ok, warn), tr("b", warn, crit), tr("c", ok, warn))},
			osc9("✖ CRIT b no value · was WARN · 00:02:13 UTC (+2 more)"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seqs := tell(c.term, c.ticks...)
			got := seqs[len(seqs)-1]
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
		term := terminal{bell: true, desktop: true, inTmux: tmux}
		seq := tell(term, []sources.Transition{tr})[0]
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
