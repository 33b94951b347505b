package nginx

import (
	"bytes"
	"hash/maphash"
)

// Normalizer rewrites request paths into route-like keys so that
// /order/123?x=1 and /order/456 count as one path: query dropped, numeric
// ids, UUIDs, long hex and hashed asset names replaced by placeholders.
// It reuses one buffer; the result is valid until the next call.
type Normalizer struct {
	buf []byte
}

// maxPath caps the normalized key; longer paths are cut (their identity is
// still the cut prefix, which is what a person would group them by).
const maxPath = 256

// Byte classes for the single pass of Normalize; a segment's classes are
// ORed, so "all digits" is "no non-digit seen".
const (
	clDigit    = 1 << iota
	clNonDigit // any byte but 0-9
	clNonHex   // any byte but 0-9, a-f, A-F
	clSep      // '-', '.', '_': may start a hash or id run inside a segment
	clEnd      // '/', '?', '#': ends a segment
	clStop     // '?', '#': ends the path
)

var byteClass = func() (t [256]uint8) {
	for c := range t {
		t[c] = clNonDigit | clNonHex
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clDigit
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = clNonDigit
		t[c-'a'+'A'] = clNonDigit
	}
	t['-'], t['.'], t['_'] = clSep|clNonDigit|clNonHex, clSep|clNonDigit|clNonHex, clSep|clNonDigit|clNonHex
	t['/'] = clEnd
	t['?'], t['#'] = clEnd|clStop, clEnd|clStop
	return t
}()

// Normalize returns the normalized form of path.
//
// One pass classifies each segment while scanning for its end; runs of
// segments that stay as they are are copied in one append, and only a
// segment with both a digit and a separator needs the appendHashed scan.
func (n *Normalizer) Normalize(path []byte) []byte {
	if len(path) > maxPath {
		path = path[:maxPath] // a '?' or '#' past the cut ends the path anyway
	}
	if cap(n.buf) < maxPath+16 {
		n.buf = make([]byte, 0, maxPath*2)
	}
	out := n.buf[:0]
	copied := 0 // path[copied:start] is still to be copied verbatim
	start := 0  // of the current segment
	var any uint8
	i := 0
	for ; i <= len(path); i++ {
		var k uint8 = clEnd | clStop
		if i < len(path) {
			k = byteClass[path[i]]
		}
		if k&clEnd == 0 {
			any |= k
			continue
		}
		if i > start {
			seg := path[start:i]
			var rep string
			switch {
			case any&clNonDigit == 0:
				rep = ":id"
			case len(seg) == 36 && isUUID(seg):
				rep = ":uuid"
			case len(seg) >= 16 && any&clNonHex == 0:
				rep = ":hex"
			case any&clDigit != 0 && any&clSep != 0:
				out = append(out, path[copied:start]...)
				out = appendHashed(out, seg)
				copied = i
			}
			if rep != "" {
				out = append(out, path[copied:start]...)
				out = append(out, rep...)
				copied = i
			}
		}
		if k&clStop != 0 {
			break
		}
		start = i + 1
		any = 0
	}
	out = append(out, path[copied:i]...)
	if len(out) == 0 {
		out = append(out, '/')
	}
	n.buf = out
	return out
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func appendSegment(out, seg []byte) []byte {
	switch {
	case allDigits(seg):
		return append(out, ":id"...)
	case isUUID(seg):
		return append(out, ":uuid"...)
	case len(seg) >= 16 && allHex(seg):
		return append(out, ":hex"...)
	}
	return appendHashed(out, seg)
}

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func allHex(b []byte) bool {
	for _, c := range b {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isUUID(b []byte) bool {
	if len(b) != 36 || b[8] != '-' || b[13] != '-' || b[18] != '-' || b[23] != '-' {
		return false
	}
	for i, c := range b {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		if !isHex(c) {
			return false
		}
	}
	return true
}

// appendHashed replaces content hashes inside a file name: a run of ≥ 8 hex
// characters with at least one digit, after '-', '.' or '_' and before '.'
// (beanPay-77cc09a6.js → beanPay-:hash.js, app.3f2a9c1d.chunk.css →
// app.:hash.chunk.css). Long digit runs inside a segment become :id.
func appendHashed(out, seg []byte) []byte {
	i := 0
	for i < len(seg) {
		c := seg[i]
		if (c == '-' || c == '.' || c == '_') && i+1 < len(seg) {
			j := i + 1
			digits := 0
			for j < len(seg) && isHex(seg[j]) {
				if isDigit(seg[j]) {
					digits++
				}
				j++
			}
			run := j - i - 1
			if run >= 8 && digits > 0 && (j == len(seg) || seg[j] == '.' || seg[j] == '-' || seg[j] == '_') {
				out = append(out, c)
				out = append(out, ":hash"...)
				i = j
				continue
			}
			if run >= 6 && digits == run { // order-1234567 style ids
				out = append(out, c)
				out = append(out, ":id"...)
				i = j
				continue
			}
		}
		out = append(out, c)
		i++
	}
	return out
}

// globMatch matches b against a pattern where '*' matches any run of bytes
// (including '/') and '?' one byte. It allocates nothing.
func globMatch(pattern string, b []byte) bool {
	px, bx := 0, 0
	nextPx, nextBx := -1, -1
	for px < len(pattern) || bx < len(b) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				nextPx, nextBx = px, bx+1
				px++
				continue
			case '?':
				if bx < len(b) {
					px++
					bx++
					continue
				}
			default:
				if bx < len(b) && b[bx] == c {
					px++
					bx++
					continue
				}
			}
		}
		if nextBx > 0 && nextBx <= len(b) {
			px, bx = nextPx, nextBx
			continue
		}
		return false
	}
	return true
}

// pathCache remembers the normalized form (and its hash) of recent request
// paths, keyed by the bytes Normalize reads: the path cut at maxPath and
// then at its first '?'. Normalizing is a byte-by-byte pass; most lines of
// a busy log hit a few hundred routes and assets, where a hash and a
// compare are several times cheaper. Direct-mapped, fixed size; paths too
// long for an entry are normalized every time.
type pathCache struct {
	ents *[pathCacheN]pathEnt
}

const (
	pathCacheN  = 2048
	pathRawMax  = 61
	pathNormMax = 48
)

type pathEnt struct {
	h, nh      uint64 // hash of the raw key (0: empty) and of the normalized path
	rlen, nlen uint8
	hit        bool // hit since stored or last spared: a miss spares it once
	raw        [pathRawMax]byte
	norm       [pathNormMax]byte
}

// normalize returns Normalize(path) and its hash under seed. The result is
// valid until the next call.
func (c *pathCache) normalize(n *Normalizer, seed maphash.Seed, path []byte) ([]byte, uint64) {
	key := path
	if len(key) > maxPath {
		key = key[:maxPath]
	}
	if q := bytes.IndexByte(key, '?'); q >= 0 {
		key = key[:q]
	}
	if len(key) == 0 || len(key) > pathRawMax {
		np := n.Normalize(key)
		return np, maphash.Bytes(seed, np)
	}
	if c.ents == nil {
		c.ents = new([pathCacheN]pathEnt)
	}
	h := maphash.Bytes(seed, key) | 1
	e := &c.ents[h&(pathCacheN-1)]
	if e.h == h && string(e.raw[:e.rlen]) == string(key) {
		e.hit = true
		return e.norm[:e.nlen], e.nh
	}
	np := n.Normalize(key)
	nh := maphash.Bytes(seed, np)
	// second chance: one-off paths (/user/12345/...) don't push out an
	// entry that is being hit
	if e.hit {
		e.hit = false
	} else if len(np) <= pathNormMax {
		e.h, e.nh = h, nh
		e.rlen = uint8(copy(e.raw[:], key))
		e.nlen = uint8(copy(e.norm[:], np))
	}
	return np, nh
}
