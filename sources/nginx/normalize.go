package nginx

import (
	"bytes"
	"encoding/binary"
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
//
// Most paths differ only in their ids (/v1/user/7563/progress), so an
// entry is keyed by the path's shape when that is enough: the path with
// every digit of a run of two or more made '0'. Normalize decides on byte
// classes, where all digits are alike, so two paths of one shape normalize
// alike except for digits it copies to the output. An entry is stored by
// shape only when no digit the shape changes is copied (checked on the
// miss by normalizing the path with those digits changed), and by the
// path itself otherwise (/img/banner_12.png).
type pathCache struct {
	ents *[pathCacheN]pathEnt
	buf  [pathKeyMax]byte  // the key with its runs changed, on a miss
	norm [pathNormMax]byte // the result of a miss
}

const (
	pathCacheN  = 2048
	pathKeyMax  = 64 // bytes; 8 words
	pathNormMax = 48
)

type pathEnt struct {
	h, nh      uint64 // hash of the key (0: empty) and of the normalized path
	klen, nlen uint8
	shape      bool // key is the path's shape, not the path
	hit        bool // hit since stored or last spared: a miss spares it once
	key        [pathKeyMax / 8]uint64
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
	if len(key) == 0 || len(key) > pathKeyMax {
		np := n.Normalize(key)
		return np, maphash.Bytes(seed, np)
	}
	if c.ents == nil {
		c.ents = new([pathCacheN]pathEnt)
	}
	// the key as zero-padded words, its digits and their runs
	const nwMax = pathKeyMax / 8
	var raw, shape, runs [nwMax]uint64
	var dig [nwMax + 1]uint64
	nw := (len(key) + 7) / 8
	for i := 0; i < nw; i++ {
		raw[i] = wordAt(key, i*8)
		dig[i] = digitBytes(raw[i])
	}
	hs := uint64(len(key))
	var prev, anyRun uint64
	for i := 0; i < nw; i++ {
		d := dig[i]
		// a digit with a digit before or after it, across words too
		r := d & (d<<8 | prev>>56 | d>>8 | dig[i+1]<<56)
		prev = d
		runs[i] = r
		anyRun |= r
		shape[i] = raw[i] &^ (r >> 7 * 0x0f) // '0'..'9' are 0x30..0x39
		hs = (hs ^ shape[i]) * hashMul
		hs ^= hs >> 29
	}
	hs = hs*hashMul | 1 // nonzero: 0 marks an empty entry
	if e := &c.ents[hs>>(64-pathCacheBits)]; e.h == hs && e.shape && int(e.klen) == len(key) && e.key == shape {
		e.hit = true
		return e.norm[:e.nlen], e.nh
	}
	hr := hs // the same key when no digit changed
	if anyRun != 0 {
		hr = uint64(len(key))
		for i := 0; i < nw; i++ {
			hr = (hr ^ raw[i]) * hashMul
			hr ^= hr >> 29
		}
		hr = hr*hashMul | 1
		if e := &c.ents[hr>>(64-pathCacheBits)]; e.h == hr && !e.shape && int(e.klen) == len(key) && e.key == raw {
			e.hit = true
			return e.norm[:e.nlen], e.nh
		}
	}
	np := n.Normalize(key)
	if len(np) > pathNormMax {
		return np, maphash.Bytes(seed, np)
	}
	nlen := copy(c.norm[:], np) // the check below reuses n's buffer
	np = c.norm[:nlen]
	nh := maphash.Bytes(seed, np)
	h, k, byShape := hs, shape, true
	if anyRun != 0 {
		switch digits(np) {
		case 2: // a run copied, surely: /img/banner_12.png
			h, k, byShape = hr, raw, false
		case 1:
			// every digit of a run changed: the same output means none
			// is copied
			for i := 0; i < nw; i++ {
				binary.LittleEndian.PutUint64(c.buf[i*8:], raw[i]^runs[i]>>7) // '0'↔'1', … '8'↔'9'
			}
			if string(n.Normalize(c.buf[:len(key)])) != string(np) {
				h, k, byShape = hr, raw, false
			}
		}
	}
	e := &c.ents[h>>(64-pathCacheBits)]
	// second chance: one-off paths don't push out an entry being hit
	if e.hit {
		e.hit = false
	} else {
		e.h, e.nh, e.key, e.shape = h, nh, k, byShape
		e.klen = uint8(len(key))
		e.nlen = uint8(nlen)
		e.norm = c.norm
	}
	return np, nh
}

// wordAt returns the 8 bytes of b from i as a little-endian word, zero
// past len(b). It reads them at once when b's capacity allows (a path is
// inside its line), since copying into a buffer and loading words from it
// stalls on store forwarding.
func wordAt(b []byte, i int) uint64 {
	n := len(b) - i
	if n >= 8 {
		return binary.LittleEndian.Uint64(b[i:])
	}
	if cap(b)-i >= 8 {
		return binary.LittleEndian.Uint64(b[i:i+8]) & (1<<(8*n) - 1)
	}
	var x uint64
	for j := n - 1; j >= 0; j-- {
		x = x<<8 | uint64(b[i+j])
	}
	return x
}

const (
	hashMul       = 0x9e3779b97f4a7c15
	pathCacheBits = 11 // log2(pathCacheN)
)

// digitBytes has the top bit of each byte of x that is '0'..'9'.
func digitBytes(x uint64) uint64 {
	low := x & (lsb * 0x7f)
	ge0 := low + lsb*(0x80-'0')   // top bit: byte >= '0' (no carry: low <= 0x7f)
	gt9 := low + lsb*(0x80-'9'-1) // top bit: byte > '9'
	return ge0 &^ gt9 &^ x & msb  // and not a byte >= 0x80
}

// digits is 0 when b has no digit, 2 when it has two in a row, else 1.
func digits(b []byte) int {
	n := 0
	for i, c := range b {
		if isDigit(c) {
			if i > 0 && isDigit(b[i-1]) {
				return 2
			}
			n = 1
		}
	}
	return n
}
