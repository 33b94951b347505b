package nginx

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

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
