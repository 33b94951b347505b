// Package nginx turns nginx access-log lines into the indicators that matter
// on a milestone night: a log_format compiler producing an allocation-free
// line parser, path normalization and groups, and a per-second aggregator
// with bounded rings, latency histograms, top-K talkers and distinct counts.
package nginx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
)

// Builtin formats users may name instead of pasting a log_format.
var Builtin = map[string]string{
	"combined": `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
	"main":     `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_response_time`,
}

// Escape is the log_format escape= mode, which decides how quotes inside
// values are written and so how delimiters are found.
type Escape int

const (
	EscapeDefault Escape = iota // "\xHH" for quotes, backslash and control bytes
	EscapeJSON                  // JSON string escapes
	EscapeNone
)

// field is what a variable contributes to a Record.
type field uint8

const (
	fSkip field = iota
	fTimeLocal
	fTimeISO
	fMsec
	fRemoteAddr
	fXFF
	fXRealIP
	fRequest
	fMethod
	fRequestURI
	fURI
	fArgs
	fStatus
	fBodyBytes
	fBytesSent
	fRequestTime
	fUpstreamRT
	fUpstreamStatus
	fHost
	fServerName
	fUA
	fReferer
	fUpstreamList // any other $upstream_* variable: a list like fUpstreamRT
)

var fieldOf = map[string]field{
	"time_local":             fTimeLocal,
	"time_iso8601":           fTimeISO,
	"msec":                   fMsec,
	"remote_addr":            fRemoteAddr,
	"http_x_forwarded_for":   fXFF,
	"http_x_real_ip":         fXRealIP,
	"request":                fRequest,
	"request_method":         fMethod,
	"request_uri":            fRequestURI,
	"uri":                    fURI,
	"args":                   fArgs,
	"query_string":           fArgs,
	"status":                 fStatus,
	"body_bytes_sent":        fBodyBytes,
	"bytes_sent":             fBytesSent,
	"request_time":           fRequestTime,
	"upstream_response_time": fUpstreamRT,
	"upstream_status":        fUpstreamStatus,
	"host":                   fHost,
	"server_name":            fServerName,
	"http_user_agent":        fUA,
	"http_referer":           fReferer,
}

// step is one variable and the literal text that must follow it.
type step struct {
	field field
	name  string
	after []byte // literal after the variable; empty for the last variable at end of line
	list  bool   // value may be an nginx upstream list ("0.1, 0.2" or "0.1 : 0.2")

	// precomputed by compile for the per-line loop
	mode uint8 // endEOL, endSimple or endGeneral
	long bool  // values are usually long (a request, a user agent): search with IndexByte at once
	a0   byte  // after[0]
	// after as one little-endian word and its mask, when it is 1..8 bytes
	amask, apat uint64
	// jump > 0: this step and the jump-1 after it are skipped, and the
	// last one's after starts at the line's last '"' (planSteps)
	jump uint8
	// width > 0: every valid value is this many bytes, so the parser
	// first looks for after there ($time_local, whose value holds a space)
	width uint8
}

const (
	endEOL     = iota // the last variable: the value runs to the end of the line
	endSimple         // the first occurrence of after ends the value
	endGeneral        // findEnd: upstream lists, JSON-escaped quotes
)

// Format is a compiled log_format.
type Format struct {
	Name   string // builtin or statement name; empty for a pasted string
	Source string // the format text, quotes joined
	Escape Escape
	prefix []byte // literal before the first variable
	steps  []step
	has    [fUpstreamList + 1]bool
}

// Has reports whether the format carries the given kind of data, so consumers
// can tell "no slow requests" from "cannot know".
func (f *Format) HasRequestTime() bool { return f.has[fRequestTime] }

// HasTime reports whether lines carry a timestamp.
func (f *Format) HasTime() bool { return f.has[fTimeLocal] || f.has[fTimeISO] || f.has[fMsec] }

// HasUpstreamTime reports whether lines carry $upstream_response_time.
func (f *Format) HasUpstreamTime() bool { return f.has[fUpstreamRT] }

// Variables lists the variable names in order, for `warroom check`.
func (f *Format) Variables() []string {
	out := make([]string, len(f.steps))
	for i, s := range f.steps {
		out[i] = s.name
	}
	return out
}

// CompileFormat compiles a builtin name ("combined", "main"), a log_format
// statement as it stands in nginx.conf, or a bare format string.
func CompileFormat(spec string) (*Format, error) {
	s := strings.TrimSpace(spec)
	if b, ok := Builtin[s]; ok {
		f, err := compile(b, EscapeDefault)
		if err != nil {
			return nil, err
		}
		f.Name = s
		return f, nil
	}
	if strings.HasPrefix(s, "log_format") && len(s) > len("log_format") && isSpace(s[len("log_format")]) {
		return compileStatement(s)
	}
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') {
		// a pasted quoted format (possibly several quoted parts)
		text, err := joinQuoted(s, 0)
		if err != nil {
			return nil, err
		}
		return compile(text, EscapeDefault)
	}
	return compile(s, EscapeDefault)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// compileStatement handles: log_format name [escape=default|json|none] 'part' 'part' ...;
func compileStatement(s string) (*Format, error) {
	rest := strings.TrimSpace(s[len("log_format"):])
	rest = strings.TrimSuffix(strings.TrimSpace(rest), ";")
	name, rest, _ := strings.Cut(rest, " ")
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, `'"`) {
		return nil, fmt.Errorf("nginx: log_format statement: missing name")
	}
	rest = strings.TrimLeft(rest, " \t\r\n")
	esc := EscapeDefault
	if strings.HasPrefix(rest, "escape=") {
		var mode string
		mode, rest, _ = strings.Cut(rest, " ")
		switch strings.TrimPrefix(mode, "escape=") {
		case "default":
		case "json":
			esc = EscapeJSON
		case "none":
			esc = EscapeNone
		default:
			return nil, fmt.Errorf("nginx: log_format %s: unknown %s (want escape=default, json or none)", name, mode)
		}
	}
	text, err := joinQuoted(strings.TrimSpace(rest), len(s)-len(rest))
	if err != nil {
		return nil, fmt.Errorf("nginx: log_format %s: %w", name, err)
	}
	f, err := compile(text, esc)
	if err != nil {
		return nil, err
	}
	f.Name = name
	return f, nil
}

// joinQuoted concatenates 'a' "b" parts as nginx does. base is the column
// offset of s in the user's text, for error positions.
func joinQuoted(s string, base int) (string, error) {
	var b strings.Builder
	i := 0
	for i < len(s) {
		c := s[i]
		if isSpace(c) {
			i++
			continue
		}
		if c != '\'' && c != '"' {
			// an unquoted part: up to whitespace
			j := i
			for j < len(s) && !isSpace(s[j]) {
				j++
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		j := i + 1
		for j < len(s) && s[j] != c {
			if s[j] == '\\' && j+1 < len(s) {
				j++
			}
			j++
		}
		if j >= len(s) {
			return "", fmt.Errorf("format at col %d: unbalanced quote %c", base+i+1, c)
		}
		b.WriteString(s[i+1 : j])
		i = j + 1
	}
	return b.String(), nil
}

func isVarChar(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// compile turns format text into steps. Errors name the 1-based column.
func compile(text string, esc Escape) (*Format, error) {
	f := &Format{Source: text, Escape: esc}
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("nginx: format is empty")
	}
	if err := checkBalance(text); err != nil {
		return nil, err
	}
	var lit []byte
	lastVarEnd := -1
	i := 0
	for i < len(text) {
		c := text[i]
		if c != '$' {
			lit = append(lit, c)
			i++
			continue
		}
		start := i
		var name string
		if i+1 < len(text) && text[i+1] == '{' {
			end := strings.IndexByte(text[i+2:], '}')
			if end < 0 {
				return nil, fmt.Errorf("nginx: format at col %d: unclosed ${", start+1)
			}
			name = text[i+2 : i+2+end]
			i += 3 + end
		} else {
			j := i + 1
			for j < len(text) && isVarChar(text[j]) {
				j++
			}
			name = text[i+1 : j]
			i = j
		}
		if name == "" {
			return nil, fmt.Errorf("nginx: format at col %d: '$' without a variable name", start+1)
		}
		if lastVarEnd >= 0 && len(lit) == 0 {
			return nil, fmt.Errorf("nginx: format at col %d: variables $%s and $%s have no delimiter between them", start+1, f.steps[len(f.steps)-1].name, name)
		}
		if len(f.steps) == 0 {
			f.prefix = lit
		} else {
			f.steps[len(f.steps)-1].after = lit
		}
		lit = nil
		fd, ok := fieldOf[name]
		if !ok {
			fd = fSkip
			if strings.HasPrefix(name, "upstream_") {
				fd = fUpstreamList
			}
		}
		f.steps = append(f.steps, step{field: fd, name: name, list: fd == fUpstreamRT || fd == fUpstreamStatus || fd == fUpstreamList})
		f.has[fd] = true
		lastVarEnd = i
	}
	if len(f.steps) == 0 {
		return nil, fmt.Errorf("nginx: format has no variables")
	}
	f.steps[len(f.steps)-1].after = lit
	for i := range f.steps {
		st := &f.steps[i]
		switch {
		case len(st.after) == 0:
			st.mode = endEOL
		case (st.list && st.after[0] == ' ') || (st.after[0] == '"' && esc == EscapeJSON):
			st.mode, st.a0 = endGeneral, st.after[0]
		default:
			st.mode, st.a0 = endSimple, st.after[0]
		}
		switch st.field {
		case fRequest, fRequestURI, fUA, fReferer:
			st.long = true
		}
		// at the end of the line the value is the rest; $time_iso8601 is
		// not fixed ("Z", fractions of a second)
		if st.field == fTimeLocal && len(st.after) > 0 {
			st.width = uint8(len("10/Oct/2000:13:55:36 -0700"))
		}
		if n := len(st.after); n >= 1 && n <= 8 {
			for j := 0; j < n; j++ {
				st.amask |= 0xff << (8 * j)
				st.apat |= uint64(st.after[j]) << (8 * j)
			}
		}
	}
	return f, nil
}

// planSteps returns a copy of f's steps for a parser whose caller reads
// only the fields need accepts; the others become fSkip.
//
// With escape=default nginx writes a '"' inside any value as \x22, so the
// only raw quotes in a line are the format's own. When the format's last
// quote starts the literal after a run of skipped values, the parser finds
// the end of the run with one backward search from the end of the line
// instead of scanning the values: for "main" and "combined" that run is
// the referer and the user agent.
func planSteps(f *Format, need func(field) bool) []step {
	steps := append([]step(nil), f.steps...)
	for i := range steps {
		if !need(steps[i].field) {
			steps[i].field = fSkip
		}
	}
	if f.Escape != EscapeDefault {
		return steps
	}
	last := -1 // the step whose after holds the format's last quote
	for i := range steps {
		if bytes.IndexByte(steps[i].after, '"') >= 0 {
			last = i
		}
	}
	if last < 0 || steps[last].field != fSkip || steps[last].after[0] != '"' || bytes.IndexByte(steps[last].after[1:], '"') >= 0 {
		return steps
	}
	first := last
	for first > 0 && steps[first-1].field == fSkip && last-first+1 < 255 {
		first--
	}
	steps[first].jump = uint8(last - first + 1)
	return steps
}

// checkBalance rejects a format whose double quotes or brackets don't pair,
// which would make every line fail in a confusing way.
func checkBalance(text string) error {
	quote := -1
	bracket := -1
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"':
			if quote < 0 {
				quote = i
			} else {
				quote = -1
			}
		case '[':
			if quote < 0 {
				bracket = i
			}
		case ']':
			if quote < 0 {
				if bracket < 0 {
					return fmt.Errorf("nginx: format at col %d: ']' without '['", i+1)
				}
				bracket = -1
			}
		}
	}
	if quote >= 0 {
		return fmt.Errorf("nginx: format at col %d: unbalanced quote \"", quote+1)
	}
	if bracket >= 0 {
		return fmt.Errorf("nginx: format at col %d: '[' without ']'", bracket+1)
	}
	return nil
}

// findEnd returns where the value starting at p ends (the index of s.after),
// or -1. It finds the first occurrence of s.after as bytes.Index would, by
// scanning for its first byte and checking the rest in place.
func (f *Format) findEnd(line []byte, p int, s *step) int {
	if len(s.after) == 0 {
		return len(line)
	}
	a0, rest := s.after[0], s.after[1:]
	from := p
	for {
		e := indexByteFrom(line, from, a0)
		if e < 0 {
			return -1
		}
		if !restAt(line, e+1, rest) {
			from = e + 1
			continue
		}
		if s.list && a0 == ' ' {
			// "0.012, 0.034" and "0.010 : 0.020": the space is inside the list
			if e > p && line[e-1] == ',' {
				from = e + 1
				continue
			}
			if e+2 < len(line) && line[e+1] == ':' && line[e+2] == ' ' {
				from = e + 3
				continue
			}
		}
		if a0 == '"' && f.Escape == EscapeJSON && escaped(line, p, e) {
			from = e + 1
			continue
		}
		return e
	}
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// indexByteFrom is bytes.IndexByte(line[from:], c) as an index into line.
// Most values are a few bytes long (an address, a status, a duration), where
// the call and setup of the vector search cost more than the search: the
// first 32 bytes are tested 8 at a time in a word, the rest by IndexByte.
func indexByteFrom(line []byte, from int, c byte) int {
	i := from
	if end := min(from+32, len(line)-8); i <= end {
		pat := lsb * uint64(c)
		for ; i <= end; i += 8 {
			v := binary.LittleEndian.Uint64(line[i:]) ^ pat
			// The lowest set bit marks the first zero byte exactly (bits
			// above it may be false positives from the borrow).
			if z := (v - lsb) &^ v & msb; z != 0 {
				return i + bits.TrailingZeros64(z)>>3
			}
		}
	}
	if k := bytes.IndexByte(line[i:], c); k >= 0 {
		return i + k
	}
	return -1
}

// restAt reports whether line[at:] starts with rest; delimiters are a byte
// or two, shorter than the setup of a general compare.
func restAt(line []byte, at int, rest []byte) bool {
	if len(line)-at < len(rest) {
		return false
	}
	for j, c := range rest {
		if line[at+j] != c {
			return false
		}
	}
	return true
}

// escaped reports whether line[e] is preceded by an odd run of backslashes
// (at or after p).
func escaped(line []byte, p, e int) bool {
	n := 0
	for i := e - 1; i >= p && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}
