package nginx

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Reading a log_format statement the way nginx's configuration reader
// (ngx_conf_read_token) reads it, so that what was pasted from nginx.conf
// means here what it means to nginx: words split by any whitespace, `#`
// comments where a word could start, quoted words with `\"`, `\'`, `\\`,
// `\t`, `\r` and `\n` escapes, a quoted word ended only by whitespace or
// `;`. Every byte of every word remembers where it stood in the text, so an
// error names the line and column the user wrote.

// word is one token of the statement, unescaped.
type word struct {
	text string
	at   []int // at[i] is the offset in the spec of text[i]; at[len(text)] is the word's end
}

// statement is a read log_format statement.
type statement struct {
	name   string
	escape Escape
	parts  []word // the format: quoted or bare parts, joined by nginx without separators
}

// specError is an error at a place in the user's text.
type specError struct {
	where string // "log_format main" or "format"
	line  int    // 1-based; 0 when the text is one line
	col   int    // 1-based, in characters
	msg   string
}

func (e *specError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("nginx: %s at line %d col %d: %s", e.where, e.line, e.col, e.msg)
	}
	return fmt.Sprintf("nginx: %s at col %d: %s", e.where, e.col, e.msg)
}

// errAt builds a specError for offset off of spec.
func errAt(spec, where string, off int, format string, args ...any) error {
	off = max(0, min(off, len(spec)))
	line, start := 0, 0
	if strings.IndexByte(spec, '\n') >= 0 {
		line = 1 + strings.Count(spec[:off], "\n")
		start = strings.LastIndexByte(spec[:off], '\n') + 1
	}
	return &specError{where: where, line: line, col: 1 + utf8.RuneCountInString(spec[start:off]), msg: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// readWords splits spec[from:] into words as nginx does, up to the `;` that
// ends the statement or the end of the text. It returns the words and the
// offset just past the `;` (len(spec) when there was none). Errors say
// where; inside a statement, once its name is read, they name it.
func readWords(spec string, from int, where string) ([]word, int, error) {
	var words []word
	i := from
	for i < len(spec) {
		c := spec[i]
		switch {
		case isSpace(c):
			i++
			continue
		case c == '#':
			// a comment runs to the end of the line, where a word could start
			for i < len(spec) && spec[i] != '\n' {
				i++
			}
			continue
		case c == ';':
			return words, i + 1, nil
		case c == '{' || c == '}':
			return nil, 0, errAt(spec, where, i, "unexpected %c: a log_format statement has no block", c)
		}
		if len(words) == 2 && where == "log_format" {
			where += " " + words[1].text // name errors after the name by it
		}
		w, next, err := readWord(spec, i, where)
		if err != nil {
			return nil, 0, err
		}
		words = append(words, w)
		i = next
		if i < len(spec) && spec[i] == ';' {
			return words, i + 1, nil
		}
	}
	return words, len(spec), nil
}

// readWord reads the word starting at spec[i]: quoted, up to its closing
// quote, which must be followed by whitespace, `;` or the end; or bare, up
// to whitespace or `;`. A backslash keeps the next byte from ending it.
func readWord(spec string, i int, where string) (word, int, error) {
	quote := byte(0)
	start := i
	if c := spec[i]; c == '"' || c == '\'' {
		quote = c
		i++
	}
	var b []byte
	var at []int
	for {
		if i >= len(spec) {
			if quote != 0 {
				return word{}, 0, errAt(spec, where, start, "unbalanced quote %c: no closing %c", quote, quote)
			}
			break
		}
		c := spec[i]
		if quote == 0 && (isSpace(c) || c == ';') {
			break
		}
		if quote != 0 && c == quote {
			i++
			if i < len(spec) && !isSpace(spec[i]) && spec[i] != ';' {
				return word{}, 0, errAt(spec, where, i, "unexpected %c after the closing %c (parts are separated by spaces)", spec[i], quote)
			}
			break
		}
		if c == '\\' && i+1 < len(spec) {
			switch spec[i+1] {
			case '"', '\'', '\\':
				b, at = append(b, spec[i+1]), append(at, i)
				i += 2
				continue
			case 't':
				b, at = append(b, '\t'), append(at, i)
				i += 2
				continue
			case 'r':
				b, at = append(b, '\r'), append(at, i)
				i += 2
				continue
			case 'n':
				b, at = append(b, '\n'), append(at, i)
				i += 2
				continue
			}
			// any other escape is kept as written, and the byte after the
			// backslash cannot end the word
			b, at = append(b, '\\', spec[i+1]), append(at, i, i+1)
			i += 2
			continue
		}
		b, at = append(b, c), append(at, i)
		i++
	}
	return word{text: string(b), at: append(at, i)}, i, nil
}

// readStatement reads `log_format name [escape=...] part...;` (spec starts
// with log_format). Anything after the `;` but whitespace and comments is an
// error: one statement, one format.
func readStatement(spec string) (*statement, error) {
	words, end, err := readWords(spec, 0, "log_format")
	if err != nil {
		return nil, err
	}
	if len(words) < 2 {
		return nil, errAt(spec, "log_format", len(spec), "missing name")
	}
	st := &statement{name: words[1].text}
	where := "log_format " + st.name
	if st.name == "" || strings.ContainsFunc(st.name, func(r rune) bool { return r < 0x20 || r == '$' }) {
		return nil, errAt(spec, "log_format", words[1].at[0], "%q is not a format name", st.name)
	}
	rest := words[2:]
	if len(rest) > 0 && strings.HasPrefix(rest[0].text, "escape=") {
		switch mode := strings.TrimPrefix(rest[0].text, "escape="); mode {
		case "default":
		case "json":
			st.escape = EscapeJSON
		case "none":
			st.escape = EscapeNone
		default:
			return nil, errAt(spec, where, rest[0].at[0], "unknown escape=%s (want escape=default, json or none)", mode)
		}
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return nil, errAt(spec, where, len(spec), "format is empty")
	}
	if more, _, err := readWords(spec, end, where); err != nil || len(more) > 0 {
		if err != nil {
			return nil, err
		}
		return nil, errAt(spec, where, more[0].at[0], "text after the statement's ';' (paste one log_format statement)")
	}
	st.parts = rest
	return st, nil
}
