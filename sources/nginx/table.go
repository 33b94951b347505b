package nginx

import (
	"bytes"
	"cmp"
	"container/heap"
	"encoding/binary"
	"math/bits"
	"slices"
)

// A table is the per-key counts of one span of time (a minute, ten
// minutes, an hour) for one kind of key, frozen: a closed span's counts
// never change, so tables are shared by windows without locks or copies.
//
// Each key's count is known within bounds: lo ≤ true count ≤ hi. A table
// that held every key of its span has lo = hi for all of them and floor 0
// (exact). One that had to leave keys out (more distinct keys than the
// budget) has floor > 0: a key it does not list made at most floor
// requests in the span. Merging tables adds the bounds (a key missing
// from a part may have made up to that part's floor there), so a window's
// uncertainty is the sum of its parts' — never hidden, never guessed.
//
// 499s and slow requests of a key are counted like its requests, as lower
// bounds: the true numbers exceed them by at most hi − lo.
//
// Keys are stored in byte order, each as the length it shares with the
// key before it and the rest (client addresses share most of their
// first bytes), then its numbers as varints: an IPv4 entry takes about a
// dozen bytes, a third of a struct with the key alongside, and merges
// read tables front to back.
type table struct {
	data  []byte
	n     int    // keys listed
	total uint64 // requests counted in the span
	marks marks  // 499s, slow requests and 5xx counted in the span
	floor uint64 // upper bound of a key not listed; 0: every key is listed
}

// tableEntry is one key's counts while a table is read or built.
type tableEntry struct {
	lo, hi           uint64
	s499, slow, s5xx uint64
}

func (t *table) exact() bool { return t.floor == 0 }

// size is the memory the table holds.
func (t *table) size() int { return cap(t.data) + 64 }

// tableBuilder appends keys in ascending order.
type tableBuilder struct {
	t    table
	prev []byte
}

func (b *tableBuilder) add(key []byte, e tableEntry) {
	shared := 0
	for shared < len(key) && shared < len(b.prev) && key[shared] == b.prev[shared] {
		shared++
	}
	d := b.t.data
	d = binary.AppendUvarint(d, uint64(shared))
	d = binary.AppendUvarint(d, uint64(len(key)-shared))
	d = append(d, key[shared:]...)
	d = binary.AppendUvarint(d, e.lo)
	d = binary.AppendUvarint(d, e.hi-e.lo)
	d = binary.AppendUvarint(d, e.s499)
	d = binary.AppendUvarint(d, e.slow)
	d = binary.AppendUvarint(d, e.s5xx)
	b.t.data = d
	b.t.n++
	b.prev = append(b.prev[:0], key...)
}

// done returns the table, its data trimmed to its length.
func (b *tableBuilder) done(total uint64, mk marks, floor uint64) *table {
	t := b.t
	t.data = slices.Clip(t.data)
	if len(t.data) < cap(b.t.data)/2 {
		t.data = slices.Clone(t.data)
	}
	t.total, t.marks, t.floor = total, mk, floor
	return &t
}

// tableReader reads a table's entries in key order.
type tableReader struct {
	t   *table
	off int
	key []byte // the current key; valid until the next call of next
	e   tableEntry
}

func (r *tableReader) next() bool {
	d := r.t.data
	if r.off >= len(d) {
		return false
	}
	uv := func() uint64 {
		v, n := binary.Uvarint(d[r.off:])
		if n <= 0 {
			panic("nginx: corrupt top table") // written by tableBuilder only
		}
		r.off += n
		return v
	}
	shared := int(uv())
	rest := int(uv())
	r.key = append(r.key[:shared], d[r.off:r.off+rest]...)
	r.off += rest
	r.e.lo = uv()
	r.e.hi = r.e.lo + uv()
	r.e.s499 = uv()
	r.e.slow = uv()
	r.e.s5xx = uv()
	return true
}

// merger walks the union of several tables' keys in order, summing each
// key's bounds over the tables: present ones give theirs, a table that
// does not list the key adds its floor to hi.
type merger struct {
	rs     []*tableReader
	h      readerHeap
	floors uint64 // sum of the tables' floors
	total  uint64
	marks  marks
	key    []byte
	e      tableEntry
}

func newMerger(parts []*table) *merger {
	m := &merger{}
	for _, p := range parts {
		m.floors += p.floor
		m.total += p.total
		m.marks.add(p.marks)
		r := &tableReader{t: p}
		if r.next() {
			m.rs = append(m.rs, r)
		}
	}
	m.h = readerHeap(slices.Clone(m.rs))
	heap.Init(&m.h)
	return m
}

// next moves to the next key of the union: m.key and m.e.
func (m *merger) next() bool {
	if len(m.h) == 0 {
		return false
	}
	m.key = append(m.key[:0], m.h[0].key...)
	m.e = tableEntry{}
	var present uint64 // floors of the tables that list the key
	for len(m.h) > 0 && bytes.Equal(m.h[0].key, m.key) {
		r := m.h[0]
		m.e.lo += r.e.lo
		m.e.hi += r.e.hi
		m.e.s499 += r.e.s499
		m.e.slow += r.e.slow
		m.e.s5xx += r.e.s5xx
		present += r.t.floor
		if r.next() {
			heap.Fix(&m.h, 0)
		} else {
			heap.Pop(&m.h)
		}
	}
	m.e.hi += m.floors - present
	return true
}

type readerHeap []*tableReader

func (h readerHeap) Len() int           { return len(h) }
func (h readerHeap) Less(i, j int) bool { return bytes.Compare(h[i].key, h[j].key) < 0 }
func (h readerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *readerHeap) Push(x any)        { *h = append(*h, x.(*tableReader)) }
func (h *readerHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// tableBudget bounds what one table may hold.
type tableBudget struct {
	keys  int // entries
	bytes int // encoded size, about
}

// mergeTables sums parts into one table within budget. When the union has
// more keys than fit, the keys with the lowest sure counts (lo) are left
// out and the floor rises to the highest count any of them could have
// had: a key left out had lo ≤ the lo of every key kept, so with a budget
// of k keys its lo is at most the span's requests / k, and what a
// merge leaves out costs a window at most 1/k of its requests.
func mergeTables(parts []*table, budget tableBudget) *table {
	m := newMerger(parts)
	var b tableBuilder
	for m.next() {
		b.add(m.key, m.e)
	}
	t := b.done(m.total, m.marks, m.floors)
	if t.n > budget.keys || len(t.data) > budget.bytes {
		t = pruneTable(t, budget)
	}
	return t
}

// pruneTable keeps the keys of t with the highest sure counts that fit
// budget.
func pruneTable(t *table, budget tableBudget) *table {
	type cand struct {
		lo   uint64
		size int
	}
	cands := make([]cand, 0, t.n)
	r := &tableReader{t: t}
	for r.next() {
		cands = append(cands, cand{r.e.lo, entrySize(r.key, r.e)})
	}
	slices.SortFunc(cands, func(a, b cand) int {
		switch {
		case a.lo > b.lo:
			return -1
		case a.lo < b.lo:
			return 1
		}
		return 0
	})
	// cut is the lo of the first key that does not fit: every key at
	// or below it goes (ties cannot be split by count)
	var cut uint64
	n, bytes := 0, 0
	for _, c := range cands {
		if n+1 > budget.keys || bytes+c.size > budget.bytes {
			cut = c.lo
			break
		}
		n++
		bytes += c.size
	}
	if n == len(cands) {
		return t
	}
	var b tableBuilder
	floor := t.floor
	r = &tableReader{t: t}
	for r.next() {
		if r.e.lo > cut {
			b.add(r.key, r.e)
			continue
		}
		floor = max(floor, r.e.hi)
	}
	return b.done(t.total, t.marks, floor)
}

// entrySize is the bytes key and e take as a first key (nothing shared
// with the one before): an upper bound.
func entrySize(key []byte, e tableEntry) int {
	n := 0
	for _, v := range [...]uint64{uint64(len(key)), e.lo, e.hi - e.lo, e.s499, e.slow, e.s5xx} {
		n += uvarintLen(v)
	}
	return 1 + n + len(key)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// tableOf freezes a Space-Saving table: a key held counts between
// count − err and count; one not held (after an eviction) at most the
// least count held. Keys cut to the same bytes (a path longer than the
// copy kept) are one key here.
func tableOf(t *TopK) *table {
	keys := make([][]byte, len(t.ents))
	ords := make([]keyOrd, len(t.ents))
	for i := range t.ents {
		e := &t.ents[i]
		keys[i] = e.key[:e.klen]
		ords[i] = newKeyOrd(keys[i], int32(i))
	}
	sortKeyOrds(ords, keys)
	var b tableBuilder
	var total, least uint64
	least = ^uint64(0)
	for k := 0; k < len(ords); {
		o := ords[k]
		var e tableEntry
		for ; k < len(ords) && ords[k].cmp(&o, keys) == 0; k++ {
			j := ords[k].i
			c := uint64(t.counts[j])
			e.lo += c - uint64(t.ents[j].err)
			e.hi += c
			e.s499 += uint64(t.ents[j].c499)
			e.slow += uint64(t.ents[j].slow)
			e.s5xx += uint64(t.ents[j].c5xx)
			total += c
			least = min(least, c)
		}
		b.add(keys[o.i], e)
	}
	floor := uint64(0)
	if t.evicted {
		floor = least
	}
	return b.done(total, t.marked, floor)
}

// keyOrd sorts key i by its first 16 bytes as two integers, comparing
// the bytes only past them: a client address is ordered by integers.
type keyOrd struct {
	a, b uint64
	n    int32 // the key's length
	i    int32
}

func newKeyOrd(key []byte, i int32) keyOrd {
	var pad [16]byte
	copy(pad[:], key)
	return keyOrd{binary.BigEndian.Uint64(pad[:8]), binary.BigEndian.Uint64(pad[8:]), int32(len(key)), i}
}

func (x *keyOrd) cmp(y *keyOrd, keys [][]byte) int {
	switch {
	case x.a != y.a:
		return cmp.Compare(x.a, y.a)
	case x.b != y.b:
		return cmp.Compare(x.b, y.b)
	case x.n <= 16 && y.n <= 16:
		return cmp.Compare(x.n, y.n) // "a" before "a\x00"
	}
	return bytes.Compare(keys[x.i], keys[y.i])
}

// sortKeyOrds is a quicksort with the comparison written in (a sort
// through a comparison function was most of freezing a minute). Keys come
// from clients: past a depth that only an adversarial order reaches, the
// rest goes to the standard library's sort, which cannot go quadratic.
func sortKeyOrds(s []keyOrd, keys [][]byte) { sortKeyOrdsDepth(s, keys, 2*bits.Len(uint(len(s)))) }

func sortKeyOrdsDepth(s []keyOrd, keys [][]byte, depth int) {
	for len(s) > 12 {
		if depth--; depth < 0 {
			slices.SortFunc(s, func(x, y keyOrd) int { return x.cmp(&y, keys) })
			return
		}
		// median of three as the pivot, moved to the front
		m := len(s) / 2
		if s[m].cmp(&s[0], keys) < 0 {
			s[m], s[0] = s[0], s[m]
		}
		if s[len(s)-1].cmp(&s[0], keys) < 0 {
			s[len(s)-1], s[0] = s[0], s[len(s)-1]
		}
		if s[len(s)-1].cmp(&s[m], keys) < 0 {
			s[len(s)-1], s[m] = s[m], s[len(s)-1]
		}
		s[0], s[m] = s[m], s[0]
		p := s[0]
		i, j := 1, len(s)-1
		for {
			for i <= j && s[i].cmp(&p, keys) < 0 {
				i++
			}
			for i <= j && s[j].cmp(&p, keys) > 0 {
				j--
			}
			if i >= j {
				break
			}
			s[i], s[j] = s[j], s[i]
			i++
			j--
		}
		s[0], s[j] = s[j], s[0]
		// recurse into the smaller side, loop on the larger
		if j < len(s)-1-j {
			sortKeyOrdsDepth(s[:j], keys, depth)
			s = s[j+1:]
		} else {
			sortKeyOrdsDepth(s[j+1:], keys, depth)
			s = s[:j]
		}
	}
	for i := 1; i < len(s); i++ {
		for k := i; k > 0 && s[k].cmp(&s[k-1], keys) < 0; k-- {
			s[k], s[k-1] = s[k-1], s[k]
		}
	}
}
