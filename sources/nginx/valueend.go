package nginx

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Where a value ends in a line: the literal after it, found in place,
// and the values that may hold that literal themselves (lists, unquoted
// requests, JSON-escaped quotes), read by their kind.

// findEnd returns where the value starting at p ends (the index of s.after),
// or -1. For a plain value it finds the first occurrence of s.after as
// bytes.Index would, by scanning for its first byte and checking the rest in
// place; values that may hold that literal themselves are read by their kind.
func (f *Format) findEnd(line []byte, p int, s *step) int {
	if len(s.after) == 0 {
		return len(line)
	}
	switch s.kind {
	case kindList:
		if e := listEnd(line, p, s.after, s.item); e >= 0 {
			return e
		}
	case kindRequest:
		if e := requestEnd(line, p, s.after); e >= 0 {
			return e
		}
	case kindBeforeProto:
		if e := indexFrom(line, p, []byte(" HTTP/")); e >= 0 && restAt(line, e, s.after) {
			return e
		}
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
		if a0 == '"' && f.Escape == EscapeJSON && escaped(line, p, e) {
			from = e + 1
			continue
		}
		return e
	}
}

// listEnd reads a list as nginx writes $upstream_addr, $upstream_status and
// the upstream times ("10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80") and as
// proxies write X-Forwarded-For ("198.51.100.23, 10.0.0.1"): items with no
// space, comma or quote, joined by ", ", "," or " : ", each of the list's
// shape (a time, a status, a length, or anything) or "-". The list ends at
// the last place after follows it, so a literal that is itself ", " or
// " : " still ends it right when one more value comes next: in
// "$upstream_response_time, $request_time" the last number is the request
// time, and in "$upstream_response_time, $body_bytes_sent" the length is
// no time. An address may be followed by its literal with no space
// ("$upstream_addr: $request"). It returns -1 when after follows no item
// (a value of another shape: the caller falls back to the first occurrence).
func listEnd(line []byte, p int, after []byte, item uint8) int {
	best := -1
	n := len(line)
	a0 := after[0]
	for {
		q := p
		for q < n {
			c := line[q]
			if c == ',' || c == ' ' || c == '"' || c == '\t' {
				break
			}
			if c == a0 && item == itemAny && q > p && restAt(line, q, after) {
				best = q // "10.0.0.1:80: GET /": the literal inside the item's bytes
			}
			q++
		}
		if !isItem(line[p:q], item) {
			return best
		}
		if restAt(line, q, after) {
			best = q
		}
		switch {
		case q+1 < n && line[q] == ',' && line[q+1] == ' ':
			p = q + 2
		case q < n && line[q] == ',':
			p = q + 1
		case q+2 < n && line[q] == ' ' && line[q+1] == ':' && line[q+2] == ' ':
			p = q + 3
		default:
			return best
		}
	}
}

// isItem reports whether v is one item of a list of the given shape.
func isItem(v []byte, item uint8) bool {
	if len(v) == 0 {
		return item == itemAny // escape=json writes an unset variable as ""
	}
	if isDash(v) || item == itemAny {
		return true
	}
	dot := -1
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && item == itemTime && dot < 0 && i > 0:
			dot = i
		default:
			return false
		}
	}
	switch item {
	case itemTime:
		return dot > 0 && dot < len(v)-1
	case itemStatus:
		return len(v) == 3
	}
	return true
}

// requestEnd reads an unquoted $request, "GET /x HTTP/1.1": a method of
// capital letters, then words up to the first that starts with "HTTP/";
// the request ends at the first occurrence of after from there. It returns
// -1 for anything else ("-", a TLS hello sent to a plain port, HTTP/0.9),
// which then ends at after's first occurrence like any value.
func requestEnd(line []byte, p int, after []byte) int {
	n := len(line)
	q := p
	for q < n && line[q] >= 'A' && line[q] <= 'Z' {
		q++
	}
	if q == p || q >= n || line[q] != ' ' {
		return -1
	}
	// a target with spaces (older nginx let them through) is a few words
	q = indexByteFrom(line, q+1, ' ')
	for w := 0; w < 8 && q >= 0; w++ {
		if q+6 <= n && string(line[q+1:q+6]) == "HTTP/" {
			return indexFrom(line, q+6, after)
		}
		q = indexByteFrom(line, q+1, ' ')
	}
	return -1
}

// indexFrom is bytes.Index(line[from:], sep) as an index into line.
func indexFrom(line []byte, from int, sep []byte) int {
	if k := bytes.Index(line[from:], sep); k >= 0 {
		return from + k
	}
	return -1
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
