package nginx

// The top tables of a window (top IPs, paths, hosts) come from per-key
// counts kept per span of time, exact up to a budget of keys per span:
//
//   - the minute being counted, and the one before it (lines arrive a
//     little out of order), count into a TopK each: exact while the
//     minute's distinct keys fit its capacity, Space-Saving beyond;
//   - a minute older than that is frozen into a table (table.go) and held
//     for 20 minutes; every ten minutes' tables are merged into one, held
//     for 6 hours; every hour's into one, held for a day (or the detail
//     retention when longer).
//
// A window is the sum of the fewest held tables that cover the whole
// minutes touching it: hours, ten minutes, minutes, and the live minutes
// as they are now. Past the minutes held, its old end is rounded out to
// the ten-minute or hour bucket that holds it (Tops.From says where it
// starts). Each table is exact while its span had at most budget.keys
// distinct keys (and their bytes fit); a window is exact when all its
// parts are, which it is whenever the window's own distinct keys fit.
// Beyond, every count comes with bounds, and the uncertainty of a window
// of N requests is at most N × (1/k per level it went through), k the
// budget: with the default 65,536 a key holding 1% of a window is within
// 0.7% of its true count, whatever the window.

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// DefaultTopKeys is the keys a span's table holds exactly, per kind of key
// (IPs, paths, hosts): sized for tens of thousands of clients a minute.
const DefaultTopKeys = 65536

// topTableBytes bounds one table's encoded keys and counts (long random
// paths fill it before the key budget): 2 MiB.
const topTableBytes = 2 << 20

type topKind uint8

const (
	kindIP topKind = iota
	kindPath
	kindHost
	kindUpstream
	numKinds
)

// topBucket is the tables of one span [from, to); a kind not counted
// (hosts, for a format without $host) has none.
type topBucket struct {
	from, to int64
	t        [numKinds]*table
}

// liveMinute counts the lines of one minute as they come.
type liveMinute struct {
	T int64 // start of the minute; 0 unused
	k [numKinds]*TopK
}

// topLevel is a ring of buckets of one width.
type topLevel struct {
	width int64
	ring  []*topBucket
	next  int64 // levels above the minutes: start of the next bucket to build
}

func (l *topLevel) get(from int64) *topBucket {
	if from < 0 {
		return nil
	}
	b := l.ring[int((from/l.width)%int64(len(l.ring)))]
	if b != nil && b.from == from {
		return b
	}
	return nil
}

func (l *topLevel) put(b *topBucket) { l.ring[int((b.from/l.width)%int64(len(l.ring)))] = b }

// topStore holds the live minutes and the levels of frozen tables.
type topStore struct {
	budget tableBudget
	live   [2]liveMinute
	newest int64 // start of the newest live minute (0: none yet)
	levels [3]topLevel
	cache  mergeCache
}

const (
	topMinutesHeld = 20
	topTensHeld    = 6 * 6
)

func newTopStore(keys int, hold time.Duration) *topStore {
	hours := int(max(hold, 24*time.Hour)/time.Hour) + 1 // a day-long window's old end is rounded to its hour
	s := &topStore{budget: tableBudget{keys: keys, bytes: topTableBytes}}
	s.levels[0] = topLevel{width: 60, ring: make([]*topBucket, topMinutesHeld)}
	s.levels[1] = topLevel{width: 600, ring: make([]*topBucket, topTensHeld)}
	s.levels[2] = topLevel{width: 3600, ring: make([]*topBucket, hours)}
	return s
}

// liveFor returns the live minute that counts a line of second t (kinds
// says which kinds are counted). A line over a minute late counts into
// the older live minute: its own is frozen.
func (s *topStore) liveFor(t int64, kinds *[numKinds]bool) *liveMinute {
	if t < 0 {
		t = 0 // before 1970 (a clock at zero): the first minute
	}
	m := t - t%60
	if m > s.newest {
		s.advance(m)
	}
	if m < s.newest-60 {
		m = s.newest - 60
	}
	l := &s.live[(m/60)&1]
	if l.T != m {
		l.T = m
		for _, tk := range l.k {
			if tk != nil {
				tk.Reset()
			}
		}
	}
	for k := range l.k {
		switch {
		case !kinds[k]:
			l.k[k] = nil // not counted (any more): a format without $host
		case l.k[k] == nil:
			l.k[k] = NewTopK(s.budget.keys)
		}
	}
	return l
}

// advance makes m the newest minute: live minutes before the one ahead of
// it are frozen, and buckets whose every minute is frozen are merged.
func (s *topStore) advance(m int64) {
	s.newest = m
	for i := range s.live {
		l := &s.live[i]
		if l.T != 0 && l.T < m-60 {
			b := &topBucket{from: l.T, to: l.T + 60}
			for k, tk := range l.k {
				if tk != nil {
					b.t[k] = tableOf(tk)
				}
			}
			s.levels[0].put(b)
			l.T = 0
		}
	}
	frozen := m - 60 // every minute before it is frozen
	for i := 1; i < len(s.levels); i++ {
		up, down := &s.levels[i], &s.levels[i-1]
		for up.next+up.width <= frozen {
			// skip to the span of the oldest bucket below not yet merged:
			// a log quiet for hours has nothing to merge in between
			first := down.oldestFrom(up.next)
			if first < 0 {
				up.next = frozen - frozen%up.width
				break
			}
			up.next = max(up.next, first-first%up.width)
			if up.next+up.width > frozen {
				break
			}
			var parts []*topBucket
			for f := up.next; f < up.next+up.width; f += down.width {
				if b := down.get(f); b != nil {
					parts = append(parts, b)
				}
			}
			up.put(s.merge(parts, up.next, up.next+up.width))
			up.next += up.width
		}
		frozen = up.next
	}
}

// oldestFrom is the start of the oldest bucket held that starts at or
// after f, or -1.
func (l *topLevel) oldestFrom(f int64) int64 {
	first := int64(-1)
	for _, b := range l.ring {
		if b != nil && b.from >= f && (first < 0 || b.from < first) {
			first = b.from
		}
	}
	return first
}

func (s *topStore) merge(parts []*topBucket, from, to int64) *topBucket {
	b := &topBucket{from: from, to: to}
	for k := range b.t {
		var ts []*table
		for _, p := range parts {
			if p.t[k] != nil {
				ts = append(ts, p.t[k])
			}
		}
		if len(ts) > 0 {
			b.t[k] = mergeTables(ts, s.budget)
		}
	}
	return b
}

// topParts is what a window's tables are made of: frozen buckets (shared,
// never changed) and the live minutes, frozen for this window.
type topParts struct {
	frozen   []*topBucket
	live     []*topBucket
	from, to int64 // the span the parts cover
	known    bool  // the store still held every minute of the window
}

// parts picks the tables for the whole minutes touching [f, t). The caller
// holds the aggregator's lock; the live minutes are frozen into copies.
func (s *topStore) parts(f, t int64) topParts {
	p := topParts{known: true}
	if t <= f || s.newest == 0 {
		return p
	}
	f = max(f, 0)
	fm, tm := f-f%60, t+(60-t%60)%60
	if hours := &s.levels[2]; fm < hours.next-hours.width*int64(len(hours.ring)) {
		p.known = false // the hours held end at next
	}
	add := func(b *topBucket, live bool) {
		if len(p.frozen)+len(p.live) == 0 {
			p.from = b.from
		}
		p.to = b.to
		if live {
			p.live = append(p.live, b)
		} else {
			p.frozen = append(p.frozen, b)
		}
	}
	for m := fm; m < tm; {
		if b := s.whole(m, tm); b != nil {
			add(b, false)
			m = b.to
			continue
		}
		if l := &s.live[(m/60)&1]; l.T == m {
			b := &topBucket{from: m, to: m + 60}
			for k, tk := range l.k {
				if tk != nil {
					b.t[k] = tableOf(tk)
				}
			}
			add(b, true)
			m += 60
			continue
		}
		if b := s.levels[0].get(m); b != nil {
			add(b, false)
			m += 60
			continue
		}
		// older than the minutes held: the bucket holding m, whole
		if b := s.covering(m); b != nil {
			add(b, false)
			m = b.to
			continue
		}
		m += 60 // no line that minute (or no longer held: known says)
	}
	return p
}

// whole is the coarsest bucket starting at m that ends by tm.
func (s *topStore) whole(m, tm int64) *topBucket {
	for i := len(s.levels) - 1; i >= 1; i-- {
		l := &s.levels[i]
		if m%l.width == 0 && m+l.width <= tm {
			if b := l.get(m); b != nil {
				return b
			}
		}
	}
	return nil
}

// covering is the finest bucket above the minutes that holds minute m.
func (s *topStore) covering(m int64) *topBucket {
	for i := 1; i < len(s.levels); i++ {
		l := &s.levels[i]
		if b := l.get(m - m%l.width); b != nil {
			return b
		}
	}
	return nil
}

// footprint is the bytes the store holds now (tables, the live minutes'
// TopK tables, the cached merges), and what it would hold once every
// level's ring is full of tables the size of those it holds now (a level
// with none yet: the largest of the levels below, which it at least is).
func (s *topStore) footprint() (now, full int) {
	fixed := s.cache.memory()
	for i := range s.live {
		for _, tk := range s.live[i].k {
			if tk != nil {
				fixed += tk.memory()
			}
		}
	}
	now, full = fixed, fixed
	largest := 0
	for i := range s.levels {
		n, bytes := 0, 0
		for _, b := range s.levels[i].ring {
			if b == nil {
				continue
			}
			n++
			for _, t := range b.t {
				if t != nil {
					bytes += t.size()
				}
			}
		}
		now += bytes
		avg := largest
		if n > 0 {
			avg = bytes / n
		}
		largest = max(largest, avg)
		full += avg * len(s.levels[i].ring)
	}
	return now, full
}

// mergeCache keeps the merged frozen part of the last windows asked for:
// it changes once a minute, while the screen asks every second.
type mergeCache struct {
	mu   sync.Mutex
	ents []cached
}

type cached struct {
	kind  topKind
	parts []*topBucket
	t     *table
}

const mergeCacheSize = 6

// get returns the merge of kind's tables of parts, from the cache when the
// same parts were merged last.
func (c *mergeCache) get(kind topKind, parts []*topBucket, budget tableBudget) *table {
	c.mu.Lock()
	for i, e := range c.ents {
		if e.kind == kind && slices.Equal(e.parts, parts) {
			c.ents = append(append([]cached{e}, c.ents[:i]...), c.ents[i+1:]...)
			c.mu.Unlock()
			return e.t
		}
	}
	c.mu.Unlock()
	var ts []*table
	for _, p := range parts {
		if p.t[kind] != nil {
			ts = append(ts, p.t[kind])
		}
	}
	var t *table
	switch len(ts) {
	case 0:
		return nil
	case 1:
		t = ts[0]
	default:
		t = mergeTables(ts, budget)
	}
	c.mu.Lock()
	c.ents = append([]cached{{kind: kind, parts: parts, t: t}}, c.ents[:min(len(c.ents), mergeCacheSize-1)]...)
	c.mu.Unlock()
	return t
}

func (c *mergeCache) memory() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.ents {
		n += e.t.size()
	}
	return n
}

// topList is the heaviest n keys of the sum of ts, ranked by the count
// each is sure to have, then by its bound, then by key; distinct is how
// many keys the sum lists (every key of the window when exact, which it is
// when every part is).
func topList(ts []*table, n int) (items []TopItem, distinct uint64, exact bool) {
	exact = true
	for _, t := range ts {
		exact = exact && t.exact()
	}
	m := newMerger(ts)
	// keep collects candidates; once it holds 2n they are sorted and cut
	// to n, and the n-th is the bar a later key must pass
	var keep []TopItem
	var bar TopItem
	barred := false
	for m.next() {
		distinct++
		if n <= 0 {
			continue
		}
		it := TopItem{Count: m.e.hi, Err: m.e.hi - m.e.lo, S499: m.e.s499, Slow: m.e.slow, S5xx: m.e.s5xx}
		if barred && rankTop(it, string(m.key), bar) >= 0 {
			continue
		}
		it.Key = string(m.key)
		keep = append(keep, it)
		if len(keep) >= 2*n {
			keep = sortTops(keep, n)
			bar, barred = keep[n-1], true
		}
	}
	return sortTops(keep, n), distinct, exact
}

// rankTop orders a (named key) against b: negative when a ranks higher.
func rankTop(a TopItem, key string, b TopItem) int {
	if c := cmp.Compare(b.Count-b.Err, a.Count-a.Err); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Count, a.Count); c != 0 {
		return c
	}
	return cmp.Compare(key, b.Key)
}

func sortTops(items []TopItem, n int) []TopItem {
	slices.SortFunc(items, func(a, b TopItem) int { return rankTop(a, a.Key, b) })
	if len(items) > n {
		items = items[:n]
	}
	return items
}
