package nginx

import (
	"math/bits"
	"sort"
)

// TopK keeps the heaviest keys of a stream in fixed memory with the
// Space-Saving algorithm: a key not in the table replaces the smallest
// entry and inherits its count as error bound. Keys are identified by a
// 64-bit hash so updates never allocate; a display copy of the key (cut at
// topKeyMax bytes) is kept per entry.
//
// Layout, for the per-line path: the min-heap holds the counts themselves
// (sifting compares neighbouring words instead of chasing entries, which
// with a 16k-key sketch are megabytes apart), idx is an open-addressing
// table sized once (no map hashing, no growth), and the wide entries with
// the key copies are only touched when a key is inserted or replaced.
type TopK struct {
	capacity int
	idx      []topGroup // hash → entry; 4 slots a group, at most half full
	shift    uint8      // 64 - log2(slots)
	ents     []topEntry
	heap     []heapSlot // min-heap by count
	pos      []int32    // entry index → its position in heap
	evicted  bool
}

const topKeyMax = 96

type topEntry struct {
	h    uint64
	err  uint32
	c499 uint32
	slow uint32
	klen uint8
	key  [topKeyMax]byte
}

type heapSlot struct {
	count uint32
	ent   int32
}

// topGroup is 4 slots of idx; e is the entry index + 1, 0 when empty.
type topGroup struct {
	h [4]uint64
	e [4]int32
}

// TopItem is one key's counts; Count may exceed the true count by at most Err.
type TopItem struct {
	Key   string
	Count uint64
	Err   uint64
	S499  uint64
	Slow  uint64
}

// NewTopK returns a sketch holding capacity keys.
func NewTopK(capacity int) *TopK {
	if capacity < 1 {
		capacity = 1
	}
	slots := 4
	for slots < 2*capacity {
		slots *= 2
	}
	return &TopK{
		capacity: capacity,
		idx:      make([]topGroup, slots/4),
		shift:    uint8(64 - bits.TrailingZeros(uint(slots))),
		pos:      make([]int32, 0, capacity),
	}
}

// Reset empties the sketch, keeping its memory.
func (t *TopK) Reset() {
	clear(t.idx)
	t.ents = t.ents[:0]
	t.heap = t.heap[:0]
	t.pos = t.pos[:0]
	t.evicted = false
}

// Exact reports whether no key was ever evicted (counts are exact).
func (t *TopK) Exact() bool { return !t.evicted }

// Add counts one occurrence of key (hash h).
func (t *TopK) Add(h uint64, key []byte, is499, slow bool) {
	t.add(h, key, 1, 0, b2u(is499), b2u(slow))
}

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
	mask := len(t.idx)*4 - 1
	for k := t.home(h); ; k = (k + 1) & mask {
		g := &t.idx[k>>2]
		e := g.e[k&3]
		if e == 0 {
			return -1
		}
		if g.h[k&3] == h {
			return e - 1
		}
	}
}

// insert maps h (not present) to entry i.
func (t *TopK) insert(h uint64, i int32) {
	mask := len(t.idx)*4 - 1
	k := t.home(h)
	for t.idx[k>>2].e[k&3] != 0 {
		k = (k + 1) & mask
	}
	g := &t.idx[k>>2]
	g.h[k&3], g.e[k&3] = h, i+1
}

// remove unmaps h (present), shifting later entries of its probe run back
// so lookups need no tombstones.
func (t *TopK) remove(h uint64) {
	mask := len(t.idx)*4 - 1
	k := t.home(h)
	for t.idx[k>>2].h[k&3] != h || t.idx[k>>2].e[k&3] == 0 {
		k = (k + 1) & mask
	}
	for j := (k + 1) & mask; ; j = (j + 1) & mask {
		gj := &t.idx[j>>2]
		if gj.e[j&3] == 0 {
			break
		}
		// the entry at j may fill the hole at k unless its home lies
		// cyclically in (k, j]
		if hj := t.home(gj.h[j&3]); (j-hj)&mask < (j-k)&mask {
			continue
		}
		gk := &t.idx[k>>2]
		gk.h[k&3], gk.e[k&3] = gj.h[j&3], gj.e[j&3]
		k = j
	}
	t.idx[k>>2].e[k&3] = 0
}

func (t *TopK) add(h uint64, key []byte, n, errb, c499, slow uint32) {
	if i := t.find(h); i >= 0 {
		p := t.pos[i]
		t.heap[p].count += n
		if c499|slow != 0 {
			e := &t.ents[i]
			e.c499 += c499
			e.slow += slow
		}
		t.down(int(p))
		return
	}
	if len(t.ents) < t.capacity {
		i := int32(len(t.ents))
		t.ents = append(t.ents, topEntry{h: h, err: errb, c499: c499, slow: slow})
		e := &t.ents[i]
		e.klen = uint8(copy(e.key[:], key))
		t.pos = append(t.pos, int32(len(t.heap)))
		t.heap = append(t.heap, heapSlot{count: n, ent: i})
		t.insert(h, i)
		t.up(len(t.heap) - 1)
		return
	}
	t.evicted = true
	top := &t.heap[0]
	i := top.ent
	e := &t.ents[i]
	t.remove(e.h)
	e.h = h
	e.err = top.count + errb
	top.count += n
	e.c499, e.slow = c499, slow
	e.klen = uint8(copy(e.key[:], key))
	t.insert(h, i)
	t.down(0)
}

// Merge adds o's entries into t (for windows spanning several sketches).
func (t *TopK) Merge(o *TopK) {
	for i := range o.ents {
		e := &o.ents[i]
		t.add(e.h, e.key[:e.klen], o.heap[o.pos[i]].count, e.err, e.c499, e.slow)
	}
	if o.evicted {
		t.evicted = true
	}
}

// Top returns up to n items, heaviest first (ties by key).
func (t *TopK) Top(n int) []TopItem {
	items := make([]TopItem, len(t.ents))
	for i := range t.ents {
		e := &t.ents[i]
		items[i] = TopItem{Key: string(e.key[:e.klen]), Count: uint64(t.heap[t.pos[i]].count), Err: uint64(e.err), S499: uint64(e.c499), Slow: uint64(e.slow)}
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

func (t *TopK) swap(a, b int) {
	h := t.heap
	h[a], h[b] = h[b], h[a]
	t.pos[h[a].ent] = int32(a)
	t.pos[h[b].ent] = int32(b)
}

func (t *TopK) up(i int) {
	h := t.heap
	for i > 0 {
		p := (i - 1) / 2
		if h[i].count >= h[p].count {
			return
		}
		t.swap(i, p)
		i = p
	}
}

// down restores the heap after heap[i] grew. Most increments leave a key
// no larger than its children, so the loop usually ends at the first test.
func (t *TopK) down(i int) {
	h := t.heap
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h[r].count < h[l].count {
			m = r
		}
		if h[m].count >= h[i].count {
			return
		}
		t.swap(i, m)
		i = m
	}
}
