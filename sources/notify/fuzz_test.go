package notify

import (
	"strings"
	"testing"

	"warroom/sources"
)

// Whatever an indicator or milestone holds, the terminal gets exactly our
// framing: two OSCs (each introduced by our own ESC and ended by BEL) and
// a bell, with no control character and no ';' of the text's own in
// between.
func FuzzTerminalSequence(f *testing.F) {
	for _, s := range []string{"nginx.499_rate", "\x1b]0;x\x07", "a;b;c", "\x1b\\", "\u009d8;;http://x\u009c", "\xff\xfe", "é" + strings.Repeat(";", 300)} {
		f.Add(s, "stage 3", false)
		f.Add("app.db", s, true)
	}
	f.Fuzz(func(t *testing.T, indicator, milestone string, tmux bool) {
		tr := crit499()
		tr.Indicator, tr.Milestone = indicator, milestone
		seq := tell(terminal{bell: true, desktop: true, inTmux: tmux}, []sources.Transition{tr})[0]
		wantESC, wantSemi := 2, 4
		if tmux {
			wantESC, wantSemi = 8, 6 // ESC P, doubled ESC ], ESC \ — per OSC
		}
		if n := strings.Count(seq, "\x1b"); n != wantESC {
			t.Errorf("%d ESC, want %d: %q", n, wantESC, seq)
		}
		if n := strings.Count(seq, ";"); n != wantSemi {
			t.Errorf("%d ';', want %d: %q", n, wantSemi, seq)
		}
		if n := strings.Count(seq, "\a"); n != 3 {
			t.Errorf("%d BEL, want 3: %q", n, seq)
		}
		for _, r := range seq {
			if r != '\x1b' && r != '\a' && isControl(r) {
				t.Errorf("control %U in %q", r, seq)
			}
		}
	})
}
