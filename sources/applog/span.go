package applog

import "strings"

// Where a matched entry's message is in its display text. A narrow screen
// cuts the line, and what it must keep is the error — the class and the
// words a pattern matched — not the stamp, level, logger and request id
// written before it.

// spans finds in text (an entry's display text) where its message starts
// and the span to keep in sight: the match, among the patterns the entry
// hit, that ends last, widened to whole words (and to the close of a
// parenthesis it opens, as in nginx's "upstream timed out (110:
// Connection timed out)"). The message starts at the earliest match and
// takes in the error chain before it (see chainStart). to is 0 when no
// match is in text: it was in a stack frame, or past the cut.
func (w *Watcher) spans(text string) (msg, from, to int) {
	first := -1
	for _, i := range w.hits {
		s, e := w.patterns[i].find(text)
		if e <= s {
			continue
		}
		s, e = widen(text, s, e)
		if e > to || e == to && s < from {
			from, to = s, e
		}
		// a class's package is the message's too:
		// "org.springframework.jdbc.CannotGetJdbcConnectionException"
		for s > 1 && text[s-1] == '.' && wordByte(text[s-2]) {
			for s--; s > 0 && wordByte(text[s-1]); s-- {
			}
		}
		if first < 0 || s < first {
			first = s
		}
	}
	if first < 0 {
		return 0, 0, 0
	}
	return chainStart(text, first), from, to
}

// find returns where p matches text, or -1, -1.
func (p *Pattern) find(text string) (int, int) {
	if p.re != nil {
		if loc := p.re.FindStringIndex(text); loc != nil {
			return loc[0], loc[1]
		}
		return -1, -1
	}
	if i := strings.Index(text, p.Substring); i >= 0 {
		return i, i + len(p.Substring)
	}
	return -1, -1
}

// widen grows [s, e) to whole words, and past the ')' that closes a '('
// it holds when that comes soon: "upstream timed out (110" reads as
// "upstream timed out (110: Connection timed out)".
func widen(text string, s, e int) (int, int) {
	for s > 0 && wordByte(text[s-1]) {
		s--
	}
	for e < len(text) && wordByte(text[e]) {
		e++
	}
	if strings.Count(text[s:e], "(") > strings.Count(text[s:e], ")") {
		if j := strings.IndexByte(text[e:], ')'); j >= 0 && j < 60 {
			e += j + 1
		}
	}
	return s, e
}

// wordByte is a byte of a word: ASCII letters, digits and '_', and every
// byte of a non-ASCII rune (so a span never splits one).
func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

// chainStart walks back from at over the error chain before it, segment
// by segment — "SequelizeDatabaseError: " before "read ECONNRESET", "query
// failed: dial tcp 10.0.0.5:3306: connect: " before "connection refused"
// in Go — and returns where the chain starts. A segment ends in a colon
// right after a word and a space; it stops at a delimiter (a bracket,
// quote, '=', ',' or ';': the logger's fields and the line's structure),
// and a level word ("error: ") or a stamp in it ends the chain there.
func chainStart(text string, at int) int {
	for {
		j := at
		for j > 0 && text[j-1] == ' ' {
			j--
		}
		// "word: " right before: a segment of the chain ends there
		if j == at || j < 2 || text[j-1] != ':' || text[j-2] == ' ' {
			return at
		}
		colon := j - 1
		start := colon
		for start > 0 {
			c := text[start-1]
			if delimiter(c) || c == ' ' && start >= 2 && text[start-2] == ':' {
				break
			}
			start--
		}
		// the segment's words after the last level word or stamp, and
		// after an unquoted value ("req=7 failed: ")
		seg := start
		if start > 0 && text[start-1] == '=' {
			if sp := strings.IndexByte(text[start:colon], ' '); sp >= 0 {
				seg = start + sp
			}
		}
		for p := start; p < colon; {
			for p < colon && text[p] == ' ' {
				p++
			}
			q := p
			for q < colon && text[q] != ' ' {
				q++
			}
			if levelWord(text[p:q]) || stampWord(text[p:q]) {
				seg = max(seg, q)
			}
			p = q
		}
		for seg < colon && text[seg] == ' ' {
			seg++
		}
		if seg >= colon {
			return at // nothing but a level ("error: ") or a stamp
		}
		at = seg
		if seg > start {
			return at // a level or stamp before it: the head of the line
		}
	}
}

// delimiter is a byte that separates a log line's fields rather than the
// words of a message.
func delimiter(c byte) bool {
	switch c {
	case '[', ']', '(', ')', '{', '}', '<', '>', '"', '\'', '`', '=', '|', ',', ';':
		return true
	}
	return false
}

// levelWord reports whether w is a log level, as loggers write them.
func levelWord(w string) bool {
	switch strings.ToLower(w) {
	case "error", "err", "warn", "warning", "fatal", "crit", "critical", "panic",
		"info", "notice", "debug", "trace", "alert", "emerg", "severe":
		return true
	}
	return false
}

// stampWord reports whether w reads as a date or a time of day
// ("2026/11/24", "2026-11-24T15:49:03", "15:49:03.123"), not an address
// ("10.0.0.5:3306").
func stampWord(w string) bool {
	digit := func(i int) bool { return i < len(w) && w[i] >= '0' && w[i] <= '9' }
	sep := func(i int, set string) bool { return i < len(w) && strings.IndexByte(set, w[i]) >= 0 }
	switch {
	case digit(0) && digit(1) && sep(2, ":") && digit(3) && digit(4):
		return true
	case digit(0) && digit(1) && digit(2) && digit(3) && sep(4, "-/") && digit(5) && digit(6) && sep(7, "-/"):
		return true
	}
	return false
}
