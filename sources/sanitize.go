package sources

import (
	"strings"
	"unicode/utf8"
)

// Sanitize makes untrusted text (log lines, server messages) safe to put on
// a terminal or into a chat message: C0 controls (ESC, BEL, BS, CR, ...),
// DEL and C1 controls are shown as escapes like \x1b, invalid UTF-8 as
// \xHH, so nothing can move the cursor, set the title or ring the bell.
// Tabs and newlines become spaces. Emoji joiners (ZWJ), variation
// selectors, skin-tone modifiers and tag characters are dropped: terminals
// disagree on how wide the sequences they build are (tmux counts every
// part, the screen's layout counts one emoji), and one misjudged row
// pushes the panes beside it out of place. Clean input is returned
// unchanged without allocating.
func Sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\t' || c == '\n':
				b.WriteByte(' ')
			case c < 0x20 || c == 0x7f:
				writeHex(&b, c)
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeHex(&b, c)
		case r == 0x200d || (r >= 0xfe00 && r <= 0xfe0f) || (r >= 0x1f3fb && r <= 0x1f3ff) ||
			(r >= 0xe0020 && r <= 0xe007f) || (r >= 0xe0100 && r <= 0xe01ef):
			// dropped: see above
		case r >= 0x80 && r <= 0x9f: // C1 controls (CSI, OSC, ST as single code points)
			writeHex(&b, byte(r))
		case r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			// line separators and bidi overrides reorder what the eye sees
			b.WriteString("\\u")
			const hexd = "0123456789abcdef"
			b.WriteByte(hexd[r>>12&0xf])
			b.WriteByte(hexd[r>>8&0xf])
			b.WriteByte(hexd[r>>4&0xf])
			b.WriteByte(hexd[r&0xf])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func writeHex(b *strings.Builder, c byte) {
	const hexd = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(hexd[c>>4])
	b.WriteByte(hexd[c&0xf])
}
