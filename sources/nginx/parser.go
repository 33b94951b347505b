package nginx

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Record is one parsed line. Byte slices point into the line and are valid
// only until the next Parse.
type Record struct {
	Time         int64 // unix seconds; valid when HasTime
	Milli        int32 // milliseconds within the second when known
	HasTime      bool
	Client       []byte
	Method       []byte
	Path         []byte // request target with query string
	Proto        []byte
	Status       int
	Bytes        int64
	ReqTime      int64 // microseconds; -1 when the line has none
	UpTime       int64 // microseconds summed over upstream tries; -1 when none ("-")
	UpStatus     []byte
	Host         []byte
	UA           []byte
	Referer      []byte
	uri, args    []byte
	upstreamDash bool // $upstream_response_time was "-"
	xff, xrip    []byte
	remote       []byte
}

// Reason says why a line was not counted.
type Reason uint8

const (
	ReasonNone      Reason = iota
	ReasonTooLong          // over MaxLine bytes
	ReasonNUL              // contains NUL bytes (preallocated or corrupted file)
	ReasonTruncated        // ended before all fields
	ReasonLayout           // a literal of the format was not where expected
	ReasonTime             // timestamp missing or unreadable
	ReasonStatus           // status not a 3-digit code
	ReasonNumber           // a numeric field unreadable
	ReasonFuture           // timestamp too far ahead of the clock
	ReasonEmpty            // blank line
	numReasons
)

var reasonNames = [numReasons]string{"", "too_long", "nul_bytes", "truncated", "layout", "bad_time", "bad_status", "bad_number", "future_time", "empty"}

func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// Reasons lists every reason, for reports.
func Reasons() []Reason {
	out := make([]Reason, 0, numReasons-1)
	for r := ReasonTooLong; r < numReasons; r++ {
		out = append(out, r)
	}
	return out
}

// ClientField chooses which variable identifies the client.
type ClientField int

const (
	ClientRemoteAddr ClientField = iota
	ClientXFF                    // first hop of X-Forwarded-For
	ClientXRealIP
)

// MaxLine is the longest line parsed; longer ones are malformed (too_long).
const MaxLine = 64 << 10

// Parser parses lines of one Format. It is not safe for concurrent use; it
// keeps a one-entry timestamp cache so consecutive lines of the same second
// cost a compare instead of a parse.
type Parser struct {
	f      *Format
	steps  []step // f's steps, planned for what this parser's caller reads
	common bool   // steps start with nginx's own (commonPrefix)
	client ClientField
	tc     timeCache
}

// NewParser returns a parser for f that fills every field of Record.
func NewParser(f *Format, client ClientField) *Parser {
	return &Parser{f: f, steps: f.steps, client: client, common: hasCommonPrefix(f)}
}

// newCountingParser returns a parser that fills only what the aggregator
// reads: time, client, request target, status, bytes and the two times.
// Other variables are skipped unchecked, as unknown ones always were, and a
// run of them that ends at the format's last quote is not scanned at all
// (see planSteps): on the usual formats that is the referer and the user
// agent, half of a line's bytes.
func newCountingParser(f *Format, client ClientField) *Parser {
	return &Parser{f: f, steps: planSteps(f, func(fd field) bool {
		switch fd {
		case fUA, fReferer, fHost, fServerName, fUpstreamStatus, fUpstreamList:
			return false
		case fXFF:
			return client == ClientXFF
		case fXRealIP:
			return client == ClientXRealIP
		}
		return true
	}), client: client, common: hasCommonPrefix(f)}
}

// Format returns the parser's format.
func (p *Parser) Format() *Format { return p.f }

// Parse fills r from line (without its trailing newline). It allocates nothing.
func (p *Parser) Parse(line []byte, r *Record) Reason {
	return p.parse(line, r, false)
}

// parse is Parse; noNUL says the caller already knows line has no NUL byte
// (Ingest checks a whole batch in one pass, which is far cheaper than a
// call per line).
func (p *Parser) parse(line []byte, r *Record, noNUL bool) Reason {
	*r = Record{ReqTime: -1, UpTime: -1}
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) == 0 {
		return ReasonEmpty
	}
	if len(line) > MaxLine {
		return ReasonTooLong
	}
	if !noNUL && bytes.IndexByte(line, 0) >= 0 {
		return ReasonNUL
	}
	f := p.f
	if !bytes.HasPrefix(line, f.prefix) {
		return ReasonLayout
	}
	pos := len(f.prefix)
	steps := p.steps
	i0 := 0
	if p.common {
		if q := p.commonPrefix(line, r); q >= 0 {
			pos, i0 = q, commonSteps
		} else {
			*r = Record{ReqTime: -1, UpTime: -1} // the loop parses it all
		}
	}
	// The loop is written out by hand (no call per step to find the end or
	// to store the value): with a dozen steps a line, calls were a third
	// of the parse.
	for i := i0; i < len(steps); i++ {
		s := &steps[i]
		if s.jump > 0 {
			// skipped values up to the line's last quote (planSteps)
			i += int(s.jump) - 1
			s = &steps[i]
			// the last quote is usually in the line's last two words
			e := -1
			if n := len(line); n >= 16 {
				v := binary.LittleEndian.Uint64(line[n-8:]) ^ lsb*'"'
				v2 := binary.LittleEndian.Uint64(line[n-16:]) ^ lsb*'"'
				if z := zeroBytes(v); z != 0 {
					e = n - 8 + (63-bits.LeadingZeros64(z))>>3
				} else if z := zeroBytes(v2); z != 0 {
					e = n - 16 + (63-bits.LeadingZeros64(z))>>3
				}
			}
			if e < 0 {
				e = lastIndexByte(line, '"')
			}
			if e < pos || !restAt(line, e, s.after) {
				return ReasonTruncated
			}
			pos = e + len(s.after)
			continue
		}
		end := len(line)
		mode := s.mode
		if w := pos + int(s.width); s.width > 0 && restAt(line, w, s.after) {
			// a fixed-width value ends where it must: no search, and
			// "$time_local $status" works although the time holds a space;
			// an invalid value fails the time check either way
			end, mode = w, endEOL
		}
		switch mode {
		case endEOL:
		case endSimple:
			from := pos
			for {
				var e int
				if s.long {
					e = bytes.IndexByte(line[from:], s.a0)
					if e >= 0 {
						e += from
					}
				} else if from+8 <= len(line) {
					// most short values end within the first word
					w := binary.LittleEndian.Uint64(line[from:]) ^ lsb*uint64(s.a0)
					if z := (w - lsb) &^ w & msb; z != 0 {
						e = from + bits.TrailingZeros64(z)>>3
					} else {
						e = indexByteFrom(line, from+8, s.a0)
					}
				} else {
					e = indexByteFrom(line, from, s.a0)
				}
				if e < 0 {
					return ReasonTruncated
				}
				// the whole literal (up to 8 bytes) in one compare
				if e+8 <= len(line) && s.amask != 0 {
					if binary.LittleEndian.Uint64(line[e:])&s.amask == s.apat {
						end = e
						break
					}
				} else if restAt(line, e+1, s.after[1:]) {
					end = e
					break
				}
				from = e + 1
			}
		default:
			end = f.findEnd(line, pos, s)
			if end < 0 {
				return ReasonTruncated
			}
		}
		v := line[pos:end]
		pos = end + len(s.after)
		switch s.field {
		case fSkip, fUpstreamList:
		case fRemoteAddr:
			r.remote = v
		case fUA:
			r.UA = v
		case fReferer:
			r.Referer = v
		case fStatus:
			if len(v) != 3 || v[0] < '1' || v[0] > '9' || v[1] < '0' || v[1] > '9' || v[2] < '0' || v[2] > '9' {
				return ReasonStatus
			}
			r.Status = int(v[0]-'0')*100 + int(v[1]-'0')*10 + int(v[2]-'0')
		// the usual fields, here rather than in assign: a call in this loop
		// saves every live register (Go's ABI has no callee-saved ones)
		case fTimeLocal:
			if p.tc.hit26(v) {
				r.Time, r.HasTime = p.tc.unix, true // the second of the line before
				break
			}
			t, ok := p.tc.local(v)
			if !ok {
				return ReasonTime
			}
			r.Time, r.HasTime = t, true
		case fRequest:
			if !splitUsual(v, r) {
				splitRequest(v, r)
			}
		case fRequestTime:
			if len(v) == 5 && v[1] == '.' {
				// nginx writes %.3f: under 10 s that is d.ddd
				a, b, c, d := uint64(v[0]-'0'), uint64(v[2]-'0'), uint64(v[3]-'0'), uint64(v[4]-'0')
				if a > 9 || b > 9 || c > 9 || d > 9 {
					return ReasonNumber
				}
				r.ReqTime = int64(a*1e6 + b*1e5 + c*1e4 + d*1e3)
			} else if reason := p.assign(s.field, v, r); reason != ReasonNone {
				return reason
			}
		default:
			if reason := p.assign(s.field, v, r); reason != ReasonNone {
				return reason
			}
		}
	}
	if f.HasTime() && !r.HasTime {
		return ReasonTime
	}
	if r.Path == nil && r.uri != nil {
		r.Path = r.uri
	}
	switch p.client {
	case ClientXFF:
		if h := firstHop(r.xff); len(h) > 0 {
			r.Client = h
		}
	case ClientXRealIP:
		if len(r.xrip) > 0 && !isDash(r.xrip) {
			r.Client = r.xrip
		}
	}
	if r.Client == nil {
		r.Client = r.remote
	}
	return ReasonNone
}

// lastIndexByte is bytes.LastIndexByte, eight bytes at a time: the byte
// looked for is usually a dozen bytes from the end, where a byte loop
// costs a mispredicted exit and most of a word compare's time.
func lastIndexByte(b []byte, c byte) int {
	i := len(b)
	pat := lsb * uint64(c)
	for ; i >= 8; i -= 8 {
		v := binary.LittleEndian.Uint64(b[i-8:]) ^ pat
		if z := zeroBytes(v); z != 0 {
			return i - 8 + (63-bits.LeadingZeros64(z))>>3
		}
	}
	return bytes.LastIndexByte(b[:i], c)
}

// commonSteps is how many steps commonPrefix reads: the start of nginx's
// own formats, `$remote_addr - $remote_user [$time_local] "$request"
// $status $body_bytes_sent "`, which most log_formats keep.
const commonSteps = 6

func hasCommonPrefix(f *Format) bool {
	want := [commonSteps]struct{ name, after string }{
		{"remote_addr", " - "}, {"remote_user", " ["}, {"time_local", `] "`},
		{"request", `" `}, {"status", " "}, {"body_bytes_sent", ` "`},
	}
	// with escape=json a `\"` does not end the request, which the loop's
	// search knows (findEnd) and commonPrefix does not
	if f.Escape == EscapeJSON || len(f.prefix) != 0 || len(f.steps) < commonSteps {
		return false
	}
	for i, w := range want {
		if f.steps[i].name != w.name || string(f.steps[i].after) != w.after {
			return false
		}
	}
	return true
}

// commonPrefix reads the common start of a line in straight-line code
// when it has its usual shape: an address followed by " - - [" (no remote
// user), a time of the right width, a request whose first quote ends it, a
// status of three digits and a byte count of digits. It returns where the
// next value starts, or -1 for any other line, which the step loop then
// parses from the start; the two agree on every line this accepts (each
// value here holds no byte of the literal that ends it, so its end is
// where the loop's search would stop).
func (p *Parser) commonPrefix(line []byte, r *Record) int {
	n := len(line)
	if n < 64 {
		return -1
	}
	// the address ends at the first space: most are in the first two words
	var sp int
	w := binary.LittleEndian.Uint64(line) ^ lsb*' '
	w2 := binary.LittleEndian.Uint64(line[8:]) ^ lsb*' '
	if z := (w - lsb) &^ w & msb; z != 0 {
		sp = bits.TrailingZeros64(z) >> 3
	} else if z := (w2 - lsb) &^ w2 & msb; z != 0 {
		sp = 8 + bits.TrailingZeros64(z)>>3
	} else if sp = indexByteFrom(line, 16, ' '); sp < 0 || sp+8+29 > n {
		return -1
	}
	const dashes = ' ' | '-'<<8 | ' '<<16 | '-'<<24 | ' '<<32 | '['<<40 // " - - ["
	if sp == 0 || binary.LittleEndian.Uint64(line[sp:])&(1<<48-1) != dashes {
		return -1
	}
	t := sp + 6
	v := line[t : t+26]
	if line[t+26] != ']' || line[t+27] != ' ' || line[t+28] != '"' {
		return -1
	}
	if p.tc.hit26(v) {
		r.Time = p.tc.unix
	} else if tt, ok := p.tc.local(v); ok {
		r.Time = tt
	} else {
		return -1
	}
	r.HasTime = true
	q := t + 29
	e := bytes.IndexByte(line[q:], '"')
	if e < 0 {
		return -1
	}
	e += q
	if e+7 > n || line[e+1] != ' ' || line[e+5] != ' ' {
		return -1
	}
	v = line[q:e]
	if !splitUsual(v, r) {
		splitRequest(v, r)
	}
	a, b, c := line[e+2]-'0', line[e+3]-'0', line[e+4]-'0'
	if a < 1 || a > 9 || b > 9 || c > 9 {
		return -1
	}
	r.Status = int(a)*100 + int(b)*10 + int(c)
	k := e + 6
	var nb int64
	for ; k < n && k-(e+6) < 18 && line[k]-'0' <= 9; k++ { // parseUint's 18 digits
		nb = nb*10 + int64(line[k]-'0')
	}
	if k == e+6 || k+2 > n || line[k] != ' ' || line[k+1] != '"' {
		return -1
	}
	r.Bytes = nb
	r.remote = line[:sp]
	return k + 2
}

// zeroBytes has the top bit of each zero byte of v and no other bit: no
// false positives above a zero byte, as the shorter (v-lsb)&^v&msb has, so
// the highest set bit marks the last zero byte.
func zeroBytes(v uint64) uint64 {
	return ^((v&(lsb*0x7f) + lsb*0x7f) | v | lsb*0x7f)
}

func isDash(b []byte) bool { return len(b) == 1 && b[0] == '-' }

func firstHop(b []byte) []byte {
	if len(b) == 0 || isDash(b) {
		return nil
	}
	if i := bytes.IndexByte(b, ','); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimSpace(b)
}

func (p *Parser) assign(fd field, v []byte, r *Record) Reason {
	switch fd {
	case fSkip, fUpstreamList:
	case fTimeLocal:
		t, ok := p.tc.local(v)
		if !ok {
			return ReasonTime
		}
		r.Time, r.HasTime = t, true
	case fTimeISO:
		t, ok := p.tc.iso(v)
		if !ok {
			return ReasonTime
		}
		r.Time, r.HasTime = t, true
	case fMsec:
		sec, ms, ok := parseMsec(v)
		if !ok {
			return ReasonTime
		}
		r.Time, r.Milli, r.HasTime = sec, ms, true
	case fRemoteAddr:
		r.remote = v
	case fXFF:
		r.xff = v
	case fXRealIP:
		r.xrip = v
	case fRequest:
		splitRequest(v, r)
	case fMethod:
		r.Method = v
	case fRequestURI:
		r.Path = v
	case fURI:
		r.uri = v
	case fArgs:
		r.args = v
	case fStatus:
		if len(v) != 3 || v[0] < '1' || v[0] > '9' || v[1] < '0' || v[1] > '9' || v[2] < '0' || v[2] > '9' {
			return ReasonStatus
		}
		r.Status = int(v[0]-'0')*100 + int(v[1]-'0')*10 + int(v[2]-'0')
	case fBodyBytes, fBytesSent:
		if isDash(v) {
			break
		}
		n, ok := parseUint(v)
		if !ok {
			return ReasonNumber
		}
		if fd == fBodyBytes || r.Bytes == 0 {
			r.Bytes = n
		}
	case fRequestTime:
		if isDash(v) {
			break
		}
		us, ok := parseSeconds(v)
		if !ok {
			return ReasonNumber
		}
		r.ReqTime = us
	case fUpstreamRT:
		us, ok := parseUpstreamTimes(v)
		if !ok {
			return ReasonNumber
		}
		r.UpTime = us
		r.upstreamDash = us < 0
	case fUpstreamStatus:
		r.UpStatus = v
	case fHost:
		r.Host = v
	case fServerName:
		if r.Host == nil {
			r.Host = v
		}
	case fUA:
		r.UA = v
	case fReferer:
		r.Referer = v
	}
	return ReasonNone
}

// splitUsual splits the usual request, "GET /path HTTP/1.1" with the
// method in the first word and the protocol the last 8 bytes, as
// splitRequest would; it reports false, doing nothing, for any other.
// It is small enough to be inlined into the parse loop and commonPrefix,
// where a call costs the spill of every live register.
func splitUsual(v []byte, r *Record) bool {
	n := len(v)
	if n < 16 || v[n-9] != ' ' || string(v[n-8:n-3]) != "HTTP/" || v[n-3] == ' ' || v[n-2] == ' ' || v[n-1] == ' ' {
		return false
	}
	w := binary.LittleEndian.Uint64(v) ^ lsb*' '
	z := (w - lsb) &^ w & msb
	sp := bits.TrailingZeros64(z) >> 3
	if z == 0 || sp >= n-9 {
		return false
	}
	r.Method, r.Path, r.Proto = v[:sp], v[sp+1:n-9], v[n-8:]
	return true
}

// splitRequest splits "GET /path HTTP/1.1". Garbage (a TLS hello sent to
// port 80) keeps the whole value as the path.
func splitRequest(v []byte, r *Record) {
	sp := indexByteFrom(v, 0, ' ') // a method is a few bytes: no vector search
	if sp < 0 {
		r.Path = v
		return
	}
	r.Method = v[:sp]
	rest := v[sp+1:]
	if n := len(rest); n >= 9 && rest[n-9] == ' ' && string(rest[n-8:n-3]) == "HTTP/" && rest[n-3] != ' ' && rest[n-2] != ' ' && rest[n-1] != ' ' {
		// "HTTP/1.1", "HTTP/2.0": the usual protocol, found without a search
		r.Proto = rest[n-8:]
		r.Path = rest[:n-9]
		return
	}
	if last := bytes.LastIndexByte(rest, ' '); last >= 0 && bytes.HasPrefix(rest[last+1:], []byte("HTTP/")) {
		r.Proto = rest[last+1:]
		rest = rest[:last]
	}
	r.Path = rest
}

func parseUint(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseSeconds reads "12.345" (seconds with up to 6 decimals) as microseconds.
func parseSeconds(v []byte) (int64, bool) {
	// nginx writes %.3f: under 10 s that is d.ddd
	if len(v) == 5 && v[1] == '.' {
		a, b, c, d := uint64(v[0]-'0'), uint64(v[2]-'0'), uint64(v[3]-'0'), uint64(v[4]-'0')
		if a <= 9 && b <= 9 && c <= 9 && d <= 9 {
			return int64(a*1e6 + b*1e5 + c*1e4 + d*1e3), true
		}
		return 0, false
	}
	if len(v) == 0 || len(v) > 24 {
		return 0, false
	}
	var whole, frac int64
	i := 0
	for ; i < len(v) && v[i] != '.'; i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		whole = whole*10 + int64(c-'0')
	}
	if i == 0 || whole > 1e11 {
		return 0, false
	}
	digits := 0
	if i < len(v) {
		i++ // '.'
		if i == len(v) {
			return 0, false
		}
		for ; i < len(v); i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			if digits < 6 {
				frac = frac*10 + int64(c-'0')
				digits++
			}
		}
	}
	for ; digits < 6; digits++ {
		frac *= 10
	}
	return whole*1e6 + frac, true
}

// parseUpstreamTimes sums an nginx upstream list: "0.012", "0.012, 0.034",
// "0.010 : 0.020", "-" (no upstream) and mixes like "-, 0.5". It returns -1
// when no try has a time.
func parseUpstreamTimes(v []byte) (int64, bool) {
	// the usual single try, "0.012", or no upstream, "-"
	if len(v) == 5 && v[1] == '.' {
		return parseSeconds(v)
	}
	if isDash(v) {
		return -1, true
	}
	total := int64(-1)
	for len(v) > 0 {
		end := 0
		for end < len(v) && v[end] != ',' && v[end] != ':' {
			end++
		}
		item := bytes.TrimSpace(v[:end])
		if len(item) > 0 && !isDash(item) {
			us, ok := parseSeconds(item)
			if !ok {
				return 0, false
			}
			if total < 0 {
				total = 0
			}
			total += us
		}
		if end == len(v) {
			break
		}
		v = v[end+1:]
	}
	return total, true
}

func parseMsec(v []byte) (int64, int32, bool) {
	us, ok := parseSeconds(v)
	if !ok {
		return 0, 0, false
	}
	return us / 1e6, int32(us % 1e6 / 1000), true
}
