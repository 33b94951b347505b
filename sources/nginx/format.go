// Package nginx turns nginx access-log lines into the indicators that matter
// on a milestone night: a log_format compiler producing an allocation-free
// line parser, path normalization and groups, and a per-second aggregator
// with bounded rings, latency histograms, top-K talkers and distinct counts.
package nginx

import (
	"bytes"
	"fmt"
	"strings"
)

// Builtin formats users may name instead of pasting a log_format.
// Each means what it means where it comes from.
var Builtin = map[string]string{
	// nginx's own, predefined in every nginx (Debian's default access_log)
	"combined": `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
	// the "main" of nginx's stock nginx.conf and of the official Docker image
	"main": `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"`,
	// combined with the two times a war room needs (warroom's "main" before
	// it took nginx's meaning; what `warroom generate` writes)
	"timed": `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_response_time`,
	// ingress-nginx's default log-format-upstream
	"upstreaminfo": `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`,
}

// MustBuiltin is the compiled builtin format name; it panics on a name
// Builtin lacks (a bug).
func MustBuiltin(name string) *Format {
	if _, ok := Builtin[name]; !ok {
		panic("nginx: no builtin format " + name)
	}
	f, err := CompileFormat(name)
	if err != nil {
		panic(fmt.Sprintf("nginx: builtin %s: %v", name, err))
	}
	return f
}

// BuiltinNames lists the builtin formats in a fixed order: the order
// auto-detection tries them and help text names them.
var BuiltinNames = []string{"combined", "main", "timed", "upstreaminfo"}

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
	fProto        // $server_protocol
	fUpstreamAddr // $upstream_addr: the servers tried, the last one answered
	numFields
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
	"server_protocol":        fProto,
	"upstream_addr":          fUpstreamAddr,
}

// step is one variable and the literal text that must follow it.
type step struct {
	field field
	name  string
	after []byte // literal after the variable; empty for the last variable at end of line
	list  bool   // value may be a list ("0.1, 0.2" or "0.1 : 0.2"; an X-Forwarded-For chain)
	kind  uint8  // how findEnd reads a value that may hold its own delimiter
	item  uint8  // kindList: what one item looks like (itemAny, itemTime, ...)

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
	endGeneral        // findEnd: lists, unquoted requests, JSON-escaped quotes
)

// Values that may hold the literal that ends them (findEnd).
const (
	kindPlain       = iota
	kindList        // items joined by ", " or " : " (upstream tries, proxy chains)
	kindRequest     // an unquoted "GET /x HTTP/1.1"
	kindBeforeProto // a decoded $uri followed by " $server_protocol"
)

// What one item of a list looks like, besides "-" (no try).
const (
	itemAny    = iota // an address, an upstream name, a forwarded-for hop
	itemTime          // seconds as nginx writes them: 0.012
	itemStatus        // 502
	itemLength        // 512
)

// itemOf is the item shape of a list variable.
func itemOf(name string) uint8 {
	switch name {
	case "upstream_response_time", "upstream_connect_time", "upstream_header_time", "upstream_queue_time":
		return itemTime
	case "upstream_status":
		return itemStatus
	case "upstream_response_length", "upstream_bytes_received", "upstream_bytes_sent":
		return itemLength
	}
	return itemAny
}

// Format is a compiled log_format.
type Format struct {
	Name   string // builtin or statement name; empty for a pasted string
	Source string // the format text, quotes joined
	Escape Escape
	prefix []byte // literal before the first variable
	steps  []step
	has    [numFields]bool
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

// CompileFormat compiles a builtin name (see Builtin), a log_format
// statement as it stands in nginx.conf (comments, escapes and line breaks
// read as nginx reads them), quoted parts as they stand after the name, or
// a bare format string.
func CompileFormat(spec string) (*Format, error) {
	s := strings.TrimSpace(spec)
	if b, ok := Builtin[s]; ok {
		f, err := compile(b, "format", []word{bare(b)}, EscapeDefault)
		if err != nil {
			return nil, err
		}
		f.Name = s
		return f, nil
	}
	if isStatement(spec) {
		st, err := readStatement(spec)
		if err != nil {
			return nil, err
		}
		f, err := compile(spec, "log_format "+st.name, st.parts, st.escape)
		if err != nil {
			return nil, err
		}
		f.Name = st.name
		return f, nil
	}
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') {
		// quoted parts pasted without the name: read as nginx reads them
		words, end, err := readWords(spec, 0, "format")
		if err != nil {
			return nil, err
		}
		if more, _, err := readWords(spec, end, "format"); err != nil || len(more) > 0 {
			if err != nil {
				return nil, err
			}
			return nil, errAt(spec, "format", more[0].at[0], "text after the format's ';'")
		}
		return compile(spec, "format", words, EscapeDefault)
	}
	if s != "" && !strings.ContainsAny(s, "$ \t\n") {
		// a word: a builtin's name mistyped, or one warroom does not have
		return nil, fmt.Errorf("nginx: format %q is not a builtin (auto, %s) and has no $variables: give a builtin name or paste your log_format statement", s, strings.Join(BuiltinNames, ", "))
	}
	lead := len(spec) - len(strings.TrimLeft(spec, " \t\r\n"))
	w := bare(s)
	for i := range w.at {
		w.at[i] += lead
	}
	return compile(spec, "format", []word{w}, EscapeDefault)
}

// bare is text taken as it is, each byte at its own offset.
func bare(text string) word {
	at := make([]int, len(text)+1)
	for i := range at {
		at[i] = i
	}
	return word{text: text, at: at}
}

// isStatement reports whether spec, after blank lines and comments, starts
// with the log_format directive.
func isStatement(spec string) bool {
	i := 0
	for i < len(spec) {
		switch c := spec[i]; {
		case isSpace(c):
			i++
		case c == '#':
			for i < len(spec) && spec[i] != '\n' {
				i++
			}
		default:
			rest := spec[i:]
			return strings.HasPrefix(rest, "log_format") && len(rest) > len("log_format") && isSpace(rest[len("log_format")])
		}
	}
	return false
}

func isVarChar(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// compile turns the parts of a format into steps. As in nginx, a variable
// name ends at the end of its part, and literal text runs on across parts.
// Errors name the place in spec where the offending text was written.
func compile(spec, where string, parts []word, esc Escape) (*Format, error) {
	var text strings.Builder
	var at []int
	for _, p := range parts {
		text.WriteString(p.text)
		at = append(at, p.at[:len(p.text)]...)
	}
	errf := func(i int, format string, args ...any) error {
		off := len(spec)
		if i < len(at) {
			off = at[i]
		}
		return errAt(spec, where, off, format, args...)
	}
	f := &Format{Source: text.String(), Escape: esc}
	if strings.TrimSpace(f.Source) == "" {
		return nil, fmt.Errorf("nginx: format is empty")
	}
	if i, msg := checkBalance(f.Source); i >= 0 {
		return nil, errf(i, "%s", msg)
	}
	var lit []byte
	lastVarEnd := -1
	base := 0 // offset in f.Source of the current part
	for _, part := range parts {
		t := part.text
		i := 0
		for i < len(t) {
			c := t[i]
			if c != '$' {
				lit = append(lit, c)
				i++
				continue
			}
			start := i
			var name string
			if i+1 < len(t) && t[i+1] == '{' {
				end := strings.IndexByte(t[i+2:], '}')
				if end < 0 {
					return nil, errf(base+start, "unclosed ${")
				}
				name = t[i+2 : i+2+end]
				for j := 0; j < len(name); j++ {
					if !isVarChar(name[j]) {
						return nil, errf(base+i+2+j, "%q cannot be in a variable name", name[j])
					}
				}
				i += 3 + end
			} else {
				j := i + 1
				for j < len(t) && isVarChar(t[j]) {
					j++
				}
				name = t[i+1 : j]
				i = j
			}
			if name == "" {
				return nil, errf(base+start, "'$' without a variable name")
			}
			name = strings.ToLower(name) // nginx's variable names ignore case
			if lastVarEnd >= 0 && len(lit) == 0 {
				return nil, errf(base+start, "variables $%s and $%s have no delimiter between them", f.steps[len(f.steps)-1].name, name)
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
			f.steps = append(f.steps, step{field: fd, name: name, list: fd == fUpstreamRT || fd == fUpstreamStatus || fd == fUpstreamList || fd == fUpstreamAddr || fd == fXFF})
			f.has[fd] = true
			lastVarEnd = i
		}
		base += len(t)
	}
	if len(f.steps) == 0 {
		return nil, fmt.Errorf("nginx: %s has no variables", where)
	}
	// a format that ends with "\n" writes a blank line after each entry,
	// which is read as one; a newline anywhere else splits entries
	f.steps[len(f.steps)-1].after = bytes.TrimRight(lit, "\r\n")
	if i := strings.IndexByte(strings.TrimRight(f.Source, "\r\n"), '\n'); i >= 0 {
		return nil, errf(i, "a newline inside the format splits each entry over two lines; warroom reads an entry per line")
	}
	for i := range f.steps {
		planEnd(f, i)
	}
	return f, nil
}

// planEnd decides how the parser finds where step i's value ends.
func planEnd(f *Format, i int) {
	st := &f.steps[i]
	switch {
	case len(st.after) == 0:
		st.mode = endEOL
	case st.list && (st.after[0] == ' ' || st.after[0] == ',' || st.after[0] == ':'):
		// "0.012, 0.034" and "0.010 : 0.020": the list's own separators
		// hold the bytes the literal after it starts with
		st.mode, st.a0, st.kind, st.item = endGeneral, st.after[0], kindList, itemOf(st.name)
	case st.field == fRequest && st.after[0] == ' ':
		// unquoted "GET /x HTTP/1.1": three words
		st.mode, st.a0, st.kind = endGeneral, st.after[0], kindRequest
	case st.field == fURI && st.after[0] == ' ' && i+1 < len(f.steps) && f.steps[i+1].field == fProto:
		// "$uri $server_protocol": a decoded path may hold spaces; the
		// protocol is the last word
		st.mode, st.a0, st.kind = endGeneral, st.after[0], kindBeforeProto
	case st.after[0] == '"' && f.Escape == EscapeJSON:
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

// checkBalance finds a double quote or a bracket that does not pair,
// which would make every line fail in a confusing way (a part lost in
// pasting, most often). It returns its index and what is wrong, or -1.
func checkBalance(text string) (int, string) {
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
					return i, "']' without '['"
				}
				bracket = -1
			}
		}
	}
	if quote >= 0 {
		return quote, `unbalanced quote "`
	}
	if bracket >= 0 {
		return bracket, "'[' without ']'"
	}
	return -1, ""
}
