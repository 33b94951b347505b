package nginx

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Readers of single values: requests, numbers, times and upstream lists,
// as nginx writes them.

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
