package sources

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is the one policy for untrusted text (log lines, server
// answers, config values) on its way to a terminal, a report or a chat:
// it stays readable, and nothing invisible or terminal-active passes raw.
// Sanitize renders text by it; MarshalJSON and EncodeJSON (json.go) escape
// the same runes in JSON; the command follower's stderr (sources/tail) and
// Prometheus' messages (sources/prom) go through Sanitize.

// Sanitize makes untrusted text safe to show:
//
//   - C0 controls (ESC, BEL, BS, CR, ...), DEL, C1 controls and bytes that
//     are not UTF-8 are shown as \xHH, so nothing can move the cursor, set
//     the title or ring the bell; tabs and newlines become spaces;
//   - format characters (Unicode category Cf: zero-width space, joiners,
//     bidi embeddings, overrides and isolates, BOM, soft hyphen, tag
//     characters, ...), other default-ignorable characters (Hangul fillers,
//     the combining grapheme joiner) and the line and paragraph separators
//     are shown as \uXXXX (\UXXXXXXXX above U+FFFF): they are invisible or
//     reorder what the eye sees, so "/admin\u200b" must not read as
//     "/admin";
//   - variation selectors and emoji skin-tone modifiers are dropped: they
//     are harmless glue, but terminals disagree on how wide the sequences
//     they build are (tmux counts every part, the screen's layout counts
//     one emoji), and one misjudged row pushes the panes beside it out of
//     place. An emoji joined by ZWJ is no longer one glyph either: the
//     joiner, being a format character, is shown as \u200d.
//
// Input that needs none of this, ASCII or not, is returned unchanged
// without allocating.
func Sanitize(s string) string {
	i := firstUnsafe(s)
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
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
		case r <= 0x9f: // C1 controls (CSI, OSC, ST as single code points)
			writeHex(&b, byte(r))
		case hidden(r):
			writeRune(&b, r)
		case glue(r):
			// dropped: see above
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe is the index of the first byte Sanitize changes, len(s) when
// there is none.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || hidden(r) || glue(r) {
			return i
		}
		i += size
	}
	return len(s)
}

// hidden reports whether r must never pass raw: C0 and C1 controls, DEL,
// format characters, other default-ignorables and the line and paragraph
// separators.
func hidden(r rune) bool {
	switch {
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return true
	case r < 0xad, r >= 0x3165 && r < 0xfeff, r > 0x1d17a && r < 0xe0000:
		// shortcuts past the tables for most letters, CJK and emoji
		// (TestHiddenShortcuts checks them against the tables)
		return false
	}
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point)
}

// glue reports whether r is a variation selector or an emoji skin-tone
// modifier, which Sanitize drops.
func glue(r rune) bool {
	return (r >= 0x1f3fb && r <= 0x1f3ff) || unicode.Is(unicode.Variation_Selector, r)
}

const hexDigits = "0123456789abcdef"

func writeHex(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}

// writeRune writes r as \uXXXX, or \UXXXXXXXX above U+FFFF (as Go and
// Python spell them).
func writeRune(b *strings.Builder, r rune) {
	n := 4
	if r > 0xffff {
		b.WriteString(`\U`)
		n = 8
	} else {
		b.WriteString(`\u`)
	}
	for shift := 4 * (n - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[r>>shift&0xf])
	}
}

// SanitizeMax is Sanitize, cut to at most n bytes (whole characters) with
// an ellipsis: a server's message shown in a status line.
func SanitizeMax(s string, n int) string {
	clean := Sanitize(s)
	if len(clean) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(clean[cut]) { // do not split a character
			cut--
		}
		clean = clean[:cut] + "…"
	}
	return clean
}
