package pane

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
)

// frame is a border set. Focus switches to the heavy set, so the focused
// pane is obvious even without colour.
type frame struct{ tl, tr, bl, br, h, v string }

var (
	frameLight      = frame{"╭", "╮", "╰", "╯", "─", "│"}
	frameHeavy      = frame{"┏", "┓", "┗", "┛", "━", "┃"}
	frameASCII      = frame{"+", "+", "+", "+", "-", "|"}
	frameASCIIFocus = frame{"#", "#", "#", "#", "=", "#"}
)

// box draws body inside a w×h border with the title set into the top
// edge. Every body line is cut or padded to the inner width, and missing
// lines are blank, so the result is exactly h lines of w cells. Too small
// for a border, it degrades to the bare body.
func box(st *Styles, ascii, focused bool, title string, w, h int, body []string) string {
	if w <= 0 || h <= 0 {
		return blank(w, h)
	}
	if w < 4 || h < 3 {
		lines := append([]string{st.Title.Render(title)}, body...)
		return block(lines, w, h)
	}
	f, bs, ts := frameLight, st.Border, st.Title
	switch {
	case ascii && focused:
		f = frameASCIIFocus
	case ascii:
		f = frameASCII
	case focused:
		f = frameHeavy
	}
	if focused {
		bs, ts = st.BorderFocused, st.TitleFocused
	}
	iw := w - 2
	var b strings.Builder
	b.Grow((w + 8) * h)

	t := ""
	if title != "" && iw >= 4 {
		t = " " + title + " "
		if Width(t) > iw-1 {
			t = Fit(" "+title, iw-2) + " "
		}
	}
	tw := Width(t)
	b.WriteString(bs.Render(f.tl + f.h))
	b.WriteString(ts.Render(t))
	b.WriteString(bs.Render(strings.Repeat(f.h, max(iw-1-tw, 0)) + f.tr))
	b.WriteByte('\n')

	side := bs.Render(f.v)
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(body) {
			line = body[i]
		}
		b.WriteString(side)
		b.WriteString(Fit(line, iw))
		b.WriteString(side)
		b.WriteByte('\n')
	}
	b.WriteString(bs.Render(f.bl + strings.Repeat(f.h, iw) + f.br))
	return b.String()
}

// Fit cuts s (which may hold styling) to w cells with an ellipsis, or pads
// it with spaces to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := Width(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = Width(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// Width is the cells one line (which may hold styling) takes, as
// ansi.StringWidth counts them. Most of what panes draw is ASCII, SGR
// sequences and one-cell symbols (box drawing, blocks, braille, arrows,
// punctuation), which are counted here without segmenting graphemes;
// anything else is left to ansi.StringWidth.
func Width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			// CSI: parameters and intermediates, then one final byte
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
				j++
			}
			if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return ansi.StringWidth(s)
			}
			i = j + 1
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !oneCell(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// oneCell reports whether r is always one cell and a grapheme of its own:
// no combining mark, joiner, variation selector or wide character is among
// these (TestWidthOneCell checks each against ansi.StringWidth).
func oneCell(r rune) bool {
	switch {
	case r >= 0xa1 && r <= 0xff && r != 0xad: // Latin-1 (· ° ± ×), not the soft hyphen
		return true
	case r >= 0x2010 && r <= 0x2027, r >= 0x2030 && r <= 0x203e: // dashes, quotes, • … ‰ ‱
		return true
	case r >= 0x2190 && r <= 0x2199: // arrows
		return true
	case r >= 0x2500 && r <= 0x25ff: // box drawing, blocks, geometric shapes
		return r < 0x25fd // ◽◾◿ are emoji-wide
	case r >= 0x2800 && r <= 0x28ff: // braille
		return true
	case r == 0x2714, r == 0x2716: // ✔ ✖
		return true
	}
	return false
}

// block fits lines into exactly h lines of w cells.
func block(lines []string, w, h int) string {
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			b.WriteString(Fit(lines[i], w))
		} else {
			b.WriteString(strings.Repeat(" ", max(w, 0)))
		}
	}
	return b.String()
}

func blank(w, h int) string { return block(nil, w, h) }

// clean is the one door snapshot text goes through on its way to the
// screen (most of it is sanitized already; this makes it certain).
func clean(s string) string { return sources.Sanitize(s) }

// Age says how long ago, short: 45s, 3m, 2h, 4d.
func Age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// Clock formats a countdown or elapsed time as hh:mm:ss (hours grow past
// 99 rather than wrap).
func Clock(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	s := int64(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// zone returns the snapshot's zone, defaulting to local time.
func zone(s *sources.Snapshot) *time.Location {
	if s == nil || s.Zone == nil {
		return time.Local
	}
	return s.Zone
}

// windowSpan is the [start, end] the snapshot's series cover.
func windowSpan(s *sources.Snapshot) (time.Time, time.Time) {
	end := s.WindowEnd
	if end.IsZero() {
		end = s.At
	}
	if s.Window <= 0 {
		return time.Time{}, end
	}
	return end.Add(-s.Window), end
}

// Box is box for the parent's own overlays (the help screen): exactly h
// lines of w cells, body cut to fit.
func Box(st *Styles, ascii, focused bool, title string, w, h int, body []string) string {
	return box(st, ascii, focused, title, w, h, body)
}

// Block fits lines into exactly h lines of w cells.
func Block(lines []string, w, h int) string { return block(lines, w, h) }
