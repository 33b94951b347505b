package tail

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"
)

// sanitize appends s to dst without terminal escape sequences (CSI, OSC,
// DCS and the like, in their 7-bit and C1 forms) or control characters, with
// tabs as spaces and invalid UTF-8 as U+FFFD: what a command prints on stderr
// is untrusted and ends up on the operator's terminal.
func sanitize(dst, s []byte) []byte {
	const (
		text = iota
		esc  // after ESC
		csi  // inside a control sequence, until a final byte
		str  // inside a string (OSC, DCS, SOS, PM, APC), until BEL or ST
		strEsc
	)
	state := text
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		switch state {
		case esc:
			switch r {
			case '[':
				state = csi
			case ']', 'P', 'X', '^', '_':
				state = str
			default:
				state = text
			}
			continue
		case csi:
			if r >= 0x40 && r <= 0x7e {
				state = text
			}
			continue
		case str:
			switch r {
			case 0x07, 0x9c:
				state = text
			case 0x1b:
				state = strEsc
			}
			continue
		case strEsc:
			if r == '\\' {
				state = text
			} else {
				state = str
			}
			continue
		}
		switch {
		case r == 0x1b:
			state = esc
		case r == 0x9b:
			state = csi
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
			state = str
		case r == '\t':
			dst = append(dst, ' ')
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		case r == utf8.RuneError && size == 1:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// stderrTail keeps the last few sanitized lines a command wrote to stderr.
// exec copies stderr on its own goroutine, hence the lock.
type stderrTail struct {
	mu      sync.Mutex
	partial []byte
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
	if room := stderrLineBytes - len(s.partial); room > 0 {
		s.partial = append(s.partial, p[:min(room, len(p))]...)
	}
}

func (s *stderrTail) finish() {
	line := strings.TrimSpace(string(sanitize(nil, s.partial)))
	s.partial = s.partial[:0]
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
		if last := strings.TrimSpace(string(sanitize(nil, s.partial))); last != "" {
			lines = append(lines[:len(lines):len(lines)], last)
		}
	}
	return strings.Join(lines, " | ")
}
