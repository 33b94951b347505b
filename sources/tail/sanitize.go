// What a command prints on stderr is untrusted and ends up in the
// operator's status bar. Programs colour their errors and set terminal
// titles, so escape sequences (CSI, OSC, DCS, SOS, PM, APC and the short
// ESC ones, in their 7-bit and C1 forms) are recognised as wholes and
// dropped: "\x1b[31merror\x1b[0m" reads "error", not a row of escapes. That
// is the only rule of this package's own. Everything else, a lone control,
// a bidi override, a zero-width space, a byte that is not UTF-8, is shown
// by sources.Sanitize, the one policy every untrusted text goes through.

package tail

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"

	"warroom/sources"
)

// sanitize is one line of a command's stderr as it is shown.
func sanitize(line []byte) string {
	return sources.Sanitize(string(withoutSequences(nil, line)))
}

// withoutSequences appends s to dst without its terminal escape sequences.
// A sequence cut short by a byte that cannot continue it ends there, and
// that byte is text again (an ESC that starts nothing is kept, for
// sources.Sanitize to show); a string sequence (OSC, DCS, ...) left open
// runs to the end of the line, as on a terminal.
func withoutSequences(dst, s []byte) []byte {
	const (
		text     = iota
		esc      // after ESC
		escInter // after ESC and intermediate bytes, until a final byte
		csi      // inside a control sequence, until a final byte
		str      // inside a string (OSC, DCS, SOS, PM, APC), until BEL or ST
		strEsc   // after ESC inside a string: ST if '\\' follows
	)
	state := text
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		switch state {
		case esc:
			switch {
			case r == '[':
				state = csi
			case r == ']' || r == 'P' || r == 'X' || r == '^' || r == '_':
				state = str
			case r >= 0x20 && r <= 0x2f: // ESC ( B and the like
				state = escInter
			case r >= 0x30 && r <= 0x7e:
				state = text
			default:
				dst = append(dst, 0x1b)
				state = text
				continue // r is text
			}
		case escInter, csi:
			switch {
			case r >= 0x20 && r <= 0x2f, state == csi && r >= 0x30 && r <= 0x3f:
			case r >= 0x30 && r <= 0x7e:
				state = text
			default:
				state = text
				continue
			}
		case str:
			switch r {
			case 0x07, 0x9c:
				state = text
			case 0x1b:
				state = strEsc
			}
		case strEsc:
			if r != '\\' {
				state = esc // an ESC ends the string and starts a sequence
				continue
			}
			state = text
		default:
			switch r {
			case 0x1b:
				state = esc
			case 0x9b:
				state = csi
			case 0x90, 0x98, 0x9d, 0x9e, 0x9f:
				state = str
			default:
				dst = append(dst, s[i:i+size]...)
			}
		}
		i += size
	}
	if state == esc {
		dst = append(dst, 0x1b)
	}
	return dst
}

// stderrTail keeps the last few sanitized lines a command wrote to stderr.
// exec copies stderr on its own goroutine, hence the lock.
type stderrTail struct {
	mu      sync.Mutex
	partial []byte
	full    bool     // partial is cut at stderrLineBytes: the rest of the line is left out
	lines   []string // oldest first
	changed func()   // called after a line completes, without mu held
}

const (
	stderrKeepLines = 5
	stderrLineBytes = 300
)

func (s *stderrTail) Write(p []byte) (int, error) {
	n := len(p)
	completed := false
	s.mu.Lock()
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			s.add(p)
			break
		}
		s.add(p[:i])
		s.finish()
		completed = true
		p = p[i+1:]
	}
	s.mu.Unlock()
	if completed && s.changed != nil {
		s.changed()
	}
	return n, nil
}

func (s *stderrTail) add(p []byte) {
	if s.full {
		return
	}
	if room := stderrLineBytes - len(s.partial); room < len(p) {
		cut := room
		for cut > 0 && room-cut < utf8.UTFMax-1 && !utf8.RuneStart(p[cut]) { // do not split a character
			cut--
		}
		p, s.full = p[:cut], true
	}
	s.partial = append(s.partial, p...)
}

func (s *stderrTail) finish() {
	line := strings.TrimSpace(sanitize(s.partial))
	s.partial, s.full = s.partial[:0], false
	if line == "" {
		return
	}
	if len(s.lines) == stderrKeepLines {
		s.lines = append(s.lines[:0], s.lines[1:]...)
	}
	s.lines = append(s.lines, line)
}

// String is the kept lines, oldest first, including an unfinished one.
func (s *stderrTail) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := s.lines
	if len(s.partial) > 0 {
		if last := strings.TrimSpace(sanitize(s.partial)); last != "" {
			lines = append(lines[:len(lines):len(lines)], last)
		}
	}
	return strings.Join(lines, " | ")
}
