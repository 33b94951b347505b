package nginx

import (
	"math/bits"
	"sort"
	"unsafe"
)

// TopK keeps the heaviest keys of a stream in fixed memory with the
// Space-Saving algorithm: a key not in the table replaces the smallest
// entry and inherits its count as error bound. Keys are identified by a
// 64-bit hash so updates never allocate; a display copy of the key (cut at
// topKeyMax bytes) is kept per entry.
//
// Layout, for the per-line path: a hit costs a probe of idx (an
// open-addressing table sized once, one word a slot) and an increment of
// counts. The min-heap that finds the entry to replace is built when the
// table first fills (a table that never fills, as a minute's usually
// does not, never pays for it), and is lazy: its keys are counts as they
// were when the entry was last placed, never above the entry's count now,
// so hits leave it alone; a replacement first brings the top's key up to
// date until the top is current, which makes it a true minimum. The wide entries with the key copies are only touched when a
// key is inserted or replaced (or counts a 499 or a slow request).
type TopK struct {
	capacity int
	idx      []uint64 // hash → entry, at most half full; see slotOf
	shift    uint8    // 64 - log2(len(idx))
	emask    uint64   // low bits of a slot: entry index + 1
	ents     []topEntry
	counts   []uint32   // entry index → count
	heap     []heapSlot // min-heap by count as last placed (≤ counts[ent])
	evicted  bool
	marked   marks // every 499, slow and 5xx counted, held or not
}

// marks are the requests of a key (or a span) that went wrong, counted
// apart: 499s, slow requests, 5xx answers.
type marks struct {
	s499, slow, s5xx uint64
}

func (m *marks) add(o marks) {
	m.s499 += o.s499
	m.slow += o.slow
	m.s5xx += o.s5xx
}

const topKeyMax = 96

type topEntry struct {
	h    uint64
	err  uint32
	c499 uint32
	slow uint32
	c5xx uint32
	klen uint8
	key  [topKeyMax]byte
}

type heapSlot struct {
	count uint32
	ent   int32
}

// A slot of idx packs the top bits of the mixed hash h*0x9E3779B97F4A7C15
// (a bijection, so distinct hashes stay distinct; its top bits also give
// the home slot) with the entry index + 1 in the low bits; 0 is empty. One
// word a slot keeps a probe run in one cache line and the table at 8
// bytes a slot.
func (t *TopK) slotOf(h uint64, i int32) uint64 {
	return (h*0x9E3779B97F4A7C15)&^t.emask | uint64(i+1)
}

// TopItem is one key's counts; Count may exceed the true count by at most Err.
type TopItem struct {
	Key   string
	Count uint64
	Err   uint64
	S499  uint64
	Slow  uint64
	S5xx  uint64
}

// NewTopK returns a sketch holding capacity keys.
func NewTopK(capacity int) *TopK {
	if capacity < 1 {
		capacity = 1
	}
	t := &TopK{capacity: capacity, emask: 1<<bits.Len(uint(capacity)) - 1}
	t.sizeIdx(min(capacity, topKFirst))
	return t
}

// topKFirst is how many keys a new table's index is sized for: a large
// table (a minute's, which may hold tens of thousands of keys) grows its
// index as keys come, so a quiet log does not hold a megabyte a table.
const topKFirst = 1024

// sizeIdx makes idx hold n entries at most half full and maps every entry
// into it again.
func (t *TopK) sizeIdx(n int) {
	slots := 4
	for slots < 2*n {
		slots *= 2
	}
	t.idx = make([]uint64, slots)
	t.shift = uint8(64 - bits.TrailingZeros(uint(slots)))
	for i := range t.ents {
		t.insert(t.ents[i].h, int32(i))
	}
}

// memory is the bytes the table holds.
func (t *TopK) memory() int {
	return 8*cap(t.idx) + int(unsafe.Sizeof(topEntry{}))*cap(t.ents) + 4*cap(t.counts) + 8*cap(t.heap)
}

// Reset empties the sketch, keeping its memory.
func (t *TopK) Reset() {
	clear(t.idx)
	t.ents = t.ents[:0]
	t.heap = t.heap[:0]
	t.counts = t.counts[:0]
	t.evicted = false
	t.marked = marks{}
}

// Exact reports whether no key was ever evicted (counts are exact).
func (t *TopK) Exact() bool { return !t.evicted }

// Add counts one occurrence of key (hash h).
func (t *TopK) Add(h uint64, key []byte, is499, slow bool) {
	t.AddMarked(h, key, is499, slow, false)
}

// AddMarked counts one occurrence of key (hash h), a 499, a slow request
// and a 5xx answer as told.
func (t *TopK) AddMarked(h uint64, key []byte, is499, slow, is5xx bool) {
	c := entryMarks{b2u(is499), b2u(slow), b2u(is5xx)}
	t.marked.s499 += uint64(c.c499)
	t.marked.slow += uint64(c.slow)
	t.marked.s5xx += uint64(c.c5xx)
	t.add(h, key, 1, 0, c)
}

// entryMarks are an entry's (or one add's) 499s, slow requests and 5xx.
type entryMarks struct{ c499, slow, c5xx uint32 }

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// home is the first slot probed for h; the multiply spreads hashes whose
// low bits agree (callers may pass small integers).
func (t *TopK) home(h uint64) int {
	return int((h * 0x9E3779B97F4A7C15) >> t.shift)
}

// find returns the entry of h, or -1.
func (t *TopK) find(h uint64) int32 {
	mask := len(t.idx) - 1
	f := (h * 0x9E3779B97F4A7C15) &^ t.emask
	for k := t.home(h); ; k = (k + 1) & mask {
		s := t.idx[k]
		if s == 0 {
			return -1
		}
		if s&^t.emask == f {
			return int32(s&t.emask) - 1
		}
	}
}

// insert maps h (not present) to entry i.
func (t *TopK) insert(h uint64, i int32) {
	mask := len(t.idx) - 1
	k := t.home(h)
	for t.idx[k] != 0 {
		k = (k + 1) & mask
	}
	t.idx[k] = t.slotOf(h, i)
}

// remove unmaps h (present), shifting later entries of its probe run back
// so lookups need no tombstones.
func (t *TopK) remove(h uint64) {
	mask := len(t.idx) - 1
	f := (h * 0x9E3779B97F4A7C15) &^ t.emask
	k := t.home(h)
	for t.idx[k] == 0 || t.idx[k]&^t.emask != f {
		k = (k + 1) & mask
	}
	for j := (k + 1) & mask; ; j = (j + 1) & mask {
		sj := t.idx[j]
		if sj == 0 {
			break
		}
		// the entry at j may fill the hole at k unless its home lies
		// cyclically in (k, j]
		if hj := int(sj >> t.shift); (j-hj)&mask < (j-k)&mask {
			continue
		}
		t.idx[k] = sj
		k = j
	}
	t.idx[k] = 0
}

func (t *TopK) add(h uint64, key []byte, n, errb uint32, c entryMarks) {
	if i := t.find(h); i >= 0 {
		t.counts[i] += n
		if c.c499|c.slow|c.c5xx|errb != 0 {
			// a merged entry brings its own over-count along
			e := &t.ents[i]
			e.c499 += c.c499
			e.slow += c.slow
			e.c5xx += c.c5xx
			e.err += errb
		}
		return
	}
	if len(t.ents) < t.capacity {
		if 2*len(t.ents) >= len(t.idx) {
			t.sizeIdx(min(2*len(t.ents), t.capacity))
		}
		i := int32(len(t.ents))
		t.ents = append(t.ents, topEntry{h: h, err: errb, c499: c.c499, slow: c.slow, c5xx: c.c5xx})
		e := &t.ents[i]
		e.klen = uint8(copy(e.key[:], key))
		t.counts = append(t.counts, n)
		t.insert(h, i)
		return
	}
	if len(t.heap) == 0 { // the first eviction
		t.buildHeap()
	}
	t.evicted = true
	// bring the top up to date until it is current: then no entry counts
	// less (every key is at most its count, and none is below the top's)
	top := &t.heap[0]
	for c := t.counts[top.ent]; c != top.count; c = t.counts[top.ent] {
		top.count = c
		t.down(0)
	}
	i := top.ent
	e := &t.ents[i]
	t.remove(e.h)
	e.h = h
	e.err = top.count + errb
	top.count += n
	t.counts[i] = top.count
	e.c499, e.slow, e.c5xx = c.c499, c.slow, c.c5xx
	e.klen = uint8(copy(e.key[:], key))
	t.insert(h, i)
	t.down(0)
}

// Merge adds o's entries into t (for windows spanning several sketches).
func (t *TopK) Merge(o *TopK) {
	for i := range o.ents {
		e := &o.ents[i]
		t.add(e.h, e.key[:e.klen], o.counts[i], e.err, entryMarks{e.c499, e.slow, e.c5xx})
	}
	t.marked.add(o.marked)
	if o.evicted {
		t.evicted = true
	}
}

// Top returns up to n items, heaviest first (ties by key).
func (t *TopK) Top(n int) []TopItem {
	items := make([]TopItem, len(t.ents))
	for i := range t.ents {
		e := &t.ents[i]
		items[i] = TopItem{Key: string(e.key[:e.klen]), Count: uint64(t.counts[i]), Err: uint64(e.err), S499: uint64(e.c499), Slow: uint64(e.slow), S5xx: uint64(e.c5xx)}
	}
	sort.Slice(items, func(a, b int) bool {
		if items[a].Count != items[b].Count {
			return items[a].Count > items[b].Count
		}
		return items[a].Key < items[b].Key
	})
	if n >= 0 && len(items) > n {
		items = items[:n]
	}
	return items
}

// TopSure returns up to n items ranked by the count each is sure to have
// (Count - Err), the heaviest first (then by Count, then by key). Where
// keys outnumber the sketch, as when a window merges small per-minute
// sketches over a flat crowd of clients, Count is mostly inherited error;
// ranking by it would put noise above the real heavy talkers, which
// Space-Saving is sure to hold.
func (t *TopK) TopSure(n int) []TopItem {
	items := t.Top(-1)
	sure := func(it TopItem) uint64 { return it.Count - min(it.Err, it.Count) }
	sort.SliceStable(items, func(a, b int) bool {
		return sure(items[a]) > sure(items[b])
	})
	if n >= 0 && len(items) > n {
		items = items[:n]
	}
	return items
}

// buildHeap makes the heap of a full table, every entry at its count.
func (t *TopK) buildHeap() {
	t.heap = t.heap[:0]
	for i, c := range t.counts {
		t.heap = append(t.heap, heapSlot{count: c, ent: int32(i)})
	}
	for i := len(t.heap)/2 - 1; i >= 0; i-- {
		t.down(i)
	}
}

// down restores the heap after the key of heap[i] grew.
func (t *TopK) down(i int) {
	h := t.heap
	n := len(h)
	x := h[i]
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h[r].count < h[l].count {
			m = r
		}
		if h[m].count >= x.count {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
}
