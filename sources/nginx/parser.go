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
	Upstream     []byte // the server that answered: $upstream_addr's last try
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
	strict bool // detection: times must be written as nginx writes them (%.3f)

	// where the last Parse stopped, for diagnostics (never read per line)
	at     int // on failure: the byte where the line stopped fitting
	atStep int // on failure: the step being read, -1 for the prefix
	end    int // on success: the bytes read
	rest   int // on success: the bytes after them, which no variable read
}

// failed records where a line stopped fitting the format.
func (p *Parser) failed(r Reason, at, step int) Reason {
	p.at, p.atStep = at, step
	return r
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
		case fUA, fReferer, fHost, fServerName, fUpstreamStatus, fUpstreamList, fUpstreamAddr, fProto:
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
		k := 0
		for k < len(line) && k < len(f.prefix) && line[k] == f.prefix[k] {
			k++
		}
		return p.failed(ReasonLayout, k, -1)
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
				return p.failed(ReasonTruncated, pos, i)
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
					return p.failed(ReasonTruncated, pos, i)
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
				return p.failed(ReasonTruncated, pos, i)
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
				return p.failed(ReasonStatus, end-len(v), i)
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
				return p.failed(ReasonTime, end-len(v), i)
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
					return p.failed(ReasonNumber, end-len(v), i)
				}
				r.ReqTime = int64(a*1e6 + b*1e5 + c*1e4 + d*1e3)
			} else if reason := p.assign(s.field, v, r); reason != ReasonNone {
				return p.failed(reason, end-len(v), i)
			}
		default:
			if reason := p.assign(s.field, v, r); reason != ReasonNone {
				return p.failed(reason, end-len(v), i)
			}
		}
	}
	p.end, p.rest = pos, len(line)-pos
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

// zeroBytes has the top bit of each zero byte of v and no other bit: no
// false positives above a zero byte, as the shorter (v-lsb)&^v&msb has, so
// the highest set bit marks the last zero byte.
func zeroBytes(v uint64) uint64 {
	return ^((v&(lsb*0x7f) + lsb*0x7f) | v | lsb*0x7f)
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
		if p.strict && bytes.IndexByte(v, '.') < 0 {
			return ReasonNumber // nginx writes %.3f: "123" is another variable
		}
		us, ok := parseSeconds(v)
		if !ok {
			return ReasonNumber
		}
		r.ReqTime = us
	case fUpstreamRT:
		if p.strict && len(v) > 0 && !isDash(v) && bytes.IndexByte(v, '.') < 0 {
			return ReasonNumber
		}
		us, ok := parseUpstreamTimes(v)
		if !ok {
			return ReasonNumber
		}
		r.UpTime = us
		r.upstreamDash = us < 0
	case fUpstreamStatus:
		r.UpStatus = v
	case fProto:
		r.Proto = v
	case fHost:
		r.Host = v
	case fServerName:
		if r.Host == nil {
			r.Host = v
		}
	case fUpstreamAddr:
		r.Upstream = lastTry(v)
	case fUA:
		r.UA = v
	case fReferer:
		r.Referer = v
	}
	return ReasonNone
}

// lastTry is the server that answered of an $upstream_addr list: its last
// item ("10.0.0.1:80, 10.0.0.2:80 : 10.0.1.1:80" → "10.0.1.1:80"); nil for
// "-" or empty (no upstream: answered by nginx itself).
func lastTry(v []byte) []byte {
	if i := bytes.LastIndexByte(v, ' '); i >= 0 {
		v = v[i+1:]
	}
	if len(v) == 0 || isDash(v) {
		return nil
	}
	return v
}
