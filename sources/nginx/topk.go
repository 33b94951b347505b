package nginx

import "sort"

// TopK keeps the heaviest keys of a stream in fixed memory with the
// Space-Saving algorithm: a key not in the table replaces the smallest
// entry and inherits its count as error bound. Keys are identified by a
// 64-bit hash so updates never allocate; a display copy of the key (cut at
// topKeyMax bytes) is kept per entry.
type TopK struct {
	capacity int
	idx      map[uint64]int32
	ents     []topEntry
	heap     []int32 // entry indexes, min-heap by count
	evicted  bool
}

const topKeyMax = 96

type topEntry struct {
	h     uint64
	count uint32
	err   uint32
	c499  uint32
	slow  uint32
	pos   int32 // position in heap
	klen  uint8
	key   [topKeyMax]byte
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
	return &TopK{capacity: capacity, idx: make(map[uint64]int32, capacity)}
}

// Reset empties the sketch, keeping its memory.
func (t *TopK) Reset() {
	clear(t.idx)
	t.ents = t.ents[:0]
	t.heap = t.heap[:0]
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

func (t *TopK) add(h uint64, key []byte, n, errb, c499, slow uint32) {
	if i, ok := t.idx[h]; ok {
		e := &t.ents[i]
		e.count += n
		e.c499 += c499
		e.slow += slow
		t.down(int(e.pos))
		return
	}
	if len(t.ents) < t.capacity {
		i := int32(len(t.ents))
		t.ents = append(t.ents, topEntry{h: h, count: n, err: errb, c499: c499, slow: slow, pos: int32(len(t.heap))})
		e := &t.ents[i]
		e.klen = uint8(copy(e.key[:], key))
		t.heap = append(t.heap, i)
		t.idx[h] = i
		t.up(len(t.heap) - 1)
		return
	}
	t.evicted = true
	i := t.heap[0]
	e := &t.ents[i]
	delete(t.idx, e.h)
	e.h = h
	e.err = e.count + errb
	e.count += n
	e.c499, e.slow = c499, slow
	e.klen = uint8(copy(e.key[:], key))
	t.idx[h] = i
	t.down(0)
}

// Merge adds o's entries into t (for windows spanning several sketches).
func (t *TopK) Merge(o *TopK) {
	for i := range o.ents {
		e := &o.ents[i]
		t.add(e.h, e.key[:e.klen], e.count, e.err, e.c499, e.slow)
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
		items[i] = TopItem{Key: string(e.key[:e.klen]), Count: uint64(e.count), Err: uint64(e.err), S499: uint64(e.c499), Slow: uint64(e.slow)}
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

func (t *TopK) less(a, b int) bool { return t.ents[t.heap[a]].count < t.ents[t.heap[b]].count }

func (t *TopK) swap(a, b int) {
	t.heap[a], t.heap[b] = t.heap[b], t.heap[a]
	t.ents[t.heap[a]].pos = int32(a)
	t.ents[t.heap[b]].pos = int32(b)
}

func (t *TopK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.less(i, p) {
			return
		}
		t.swap(i, p)
		i = p
	}
}

func (t *TopK) down(i int) {
	n := len(t.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && t.less(r, l) {
			m = r
		}
		if !t.less(m, i) {
			return
		}
		t.swap(i, m)
		i = m
	}
}
