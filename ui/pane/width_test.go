package pane

import (
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestWidthOneCell(t *testing.T) {
	for r := rune(0x80); r < 0x3000; r++ {
		if !oneCell(r) {
			continue
		}
		s := string(r)
		if w := ansi.StringWidth(s); w != 1 {
			t.Errorf("%U %q: ansi.StringWidth %d, oneCell says 1", r, s, w)
		}
		for _, next := range []string{"a", "─", "\u0301", "\ufe0f", "\u200d", "✔"} {
			if got, want := Width(s+next), ansi.StringWidth(s+next); got != want {
				t.Errorf("Width(%q) = %d, ansi.StringWidth %d", s+next, got, want)
			}
		}
	}
}

func TestWidthMatchesAnsi(t *testing.T) {
	st := DefaultStyles(true)
	cases := []string{
		"", "abc", "\t", "a\x1b", "\x1b[", "\x1b[31", "\x1b]8;;http://x\x07link\x1b]8;;\x07",
		st.Title.Render("QPS ‱"), st.Warn.Render("▲ 12.5/s") + " " + st.Dim.Render("· ok"),
		"⣀⣀⡰⢤⠃━━━┄", "日本語", "e\u0301", "✔\ufe0f", "👍🏽", "x\u200dy", "\x00", "café", "→ ←",
		lipgloss.NewStyle().Bold(true).Underline(true).Render("both") + "\x1b[0m",
	}
	for _, s := range cases {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, ansi.StringWidth %d", s, got, want)
		}
	}
}
