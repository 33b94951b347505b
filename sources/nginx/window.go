package nginx

import (
	"math"
	"time"

	"warroom/sources"
)

var nanValue = math.NaN()

// Window is the counters over [From, To) from the rings, with latency
// quantiles and distinct clients from the per-minute details (whole
// minutes touching the window) and its top tables (see TopTables).
type Window struct {
	From, To time.Time
	Totals
	TopTables
	Partial bool // part of the window is older than the rings hold
	// DistinctHeld: the per-minute details (latency, distinct clients)
	// still held every minute of the window, or the top tables counted
	// its clients exactly (DistinctExact over the window's own minutes).
	DistinctHeld bool
}

// Window sums [from, to) using per-second slots where they still hold it and
// per-minute slots otherwise, with the top topN of each kind of key (none
// when topN ≤ 0).
func (a *Aggregator) Window(from, to time.Time, topN int) Window {
	w, p, ok := a.window(from, to, topN)
	if ok {
		w.TopTables = topsOf([]*topStore{a.tops}, []topParts{p}, topN)
		// (tables that begin later or end sooner had no line before or
		// after: the count is still the window's)
		if w.DistinctExact && w.TopsKnown && !w.TopsFrom.Before(minuteFloor(from)) && !w.TopsTo.After(minuteCeil(to)) {
			w.DistinctIPs, w.DistinctHeld = w.TopDistinct, true
		} else {
			w.DistinctExact = false // of another span than the window's
		}
	}
	return w
}

func minuteFloor(t time.Time) time.Time { return time.Unix(t.Unix()-t.Unix()%60, 0) }
func minuteCeil(t time.Time) time.Time  { return minuteFloor(t.Add(59 * time.Second)) }

// window is Window's counters, under the lock, and the parts of its top
// tables when asked for, which are merged without it.
func (a *Aggregator) window(from, to time.Time, topN int) (Window, topParts, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := Window{From: from, To: to}
	f, t := from.Unix(), to.Unix()
	w.Status = map[int]uint64{}
	var sum Bucket
	secFloor := a.last - a.sec.span() + 1 // the second ring holds (newest-span, newest]
	for s := f; s < t; {
		if s < 0 {
			s++ // before 1970: nothing is counted there
			continue
		}
		if s >= secFloor {
			if b := a.sec.get(s); b != nil {
				sum.Add(b)
				a.addCodes(w.Status, a.codeSec, int(s%int64(len(a.sec.slots))))
			}
			s++
			continue
		}
		m := s - s%60
		if s == m && m+60 <= t {
			if b := a.min.get(m); b != nil {
				sum.Add(b)
				a.addCodes(w.Status, a.codeMin, int((m/60)%int64(len(a.min.slots))))
			} else {
				w.Partial = true
			}
			s += 60
			continue
		}
		w.Partial = true // a partial minute older than the second ring
		s++
	}
	var hist Hist
	hll := NewHLL(11)
	for m := f - f%60; m < t; m += 60 {
		if m < 0 {
			continue // before 1970: nothing is counted there
		}
		d := &a.detail[int((m/60)%int64(len(a.detail)))]
		if d.T != m || d.hll == nil {
			continue
		}
		hist.Merge(&d.hist)
		hll.Merge(d.hll)
	}
	w.Totals.Bucket = sum
	w.P50, w.P95, w.P99 = hist.Quantile(0.5), hist.Quantile(0.95), hist.Quantile(0.99)
	w.DistinctIPs = hll.Estimate()
	w.DistinctHeld = !a.o.NoDetail && (f-f%60) > a.last-int64(len(a.detail))*60
	if topN <= 0 || a.tops == nil {
		return w, topParts{}, false
	}
	return w, a.tops.parts(f, t), true
}

func (a *Aggregator) addCodes(into map[int]uint64, cols [][]uint32, idx int) {
	for code, s := range a.codeSlot {
		if s >= 0 {
			if v := cols[s][idx]; v > 0 {
				into[code] += uint64(v)
			}
		}
	}
}

// Series returns metric m for group ("" = all requests) over [from, to) at
// the given step (rounded to whole seconds, at least 1 s). Steps of a
// minute or more read the per-minute ring when the second ring no longer
// holds the span. Slots with no data yield 0 for rates and NaN for ratios;
// slots before the first line counted, and slots where more lines could
// not be read than were (unread.go), are NaN for both.
// A last bucket cut short by to holds and is divided by the seconds
// before to, and is left out when that is under half a step; the first
// bucket after the first line counted is divided by the seconds from it.
func (a *Aggregator) Series(m Metric, group string, from, to time.Time, step time.Duration) (sources.Series, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	secs, mins := a.sec, a.min // not min: the builtin is used below
	if group != "" {
		found := false
		for i := range a.groups {
			if a.groups[i].g.Name == group {
				secs, mins, found = a.groups[i].sec, a.groups[i].min, true
				break
			}
		}
		if !found {
			return sources.Series{}, false
		}
	}
	st := int64(step / time.Second)
	if st < 1 {
		st = 1
	}
	f := from.Unix()
	f -= f % st
	t := to.Unix()
	name := string(m)
	if group != "" {
		name = group + " " + name
	}
	s := sources.Series{Name: name, Unit: m.Unit()}
	useMin := st%60 == 0 && f <= a.last-secs.span()
	// sum adds the slots in [x, end) to b and returns the seconds they
	// cover: whole minutes from the minute ring, seconds otherwise
	sum := func(b *Bucket, x, end int64) int64 {
		if useMin {
			n := int64(0)
			for y := x; y < end; y += 60 {
				if mb := mins.get(y); mb != nil {
					b.Add(mb)
				}
				n += max(min(60, end-y), 0)
			}
			return n
		}
		for y := x; y < end; y++ {
			if sb := secs.get(y); sb != nil {
				b.Add(sb)
			}
		}
		return end - x
	}
	for x := f; x < t; x += st {
		if a.first == 0 || x+st <= a.first {
			// before the first line counted there is no data, not zero
			// traffic: a gap, not a flat line at 0 (a previous stage's
			// overlay from before the log was read, say)
			s.Points = append(s.Points, sources.Point{At: time.Unix(x, 0), V: nanValue})
			continue
		}
		// The last bucket may be cut short by to: it counts the seconds
		// before to (the later ones are still being written), and a rate
		// over it is per those seconds, or it would dip. Less than half a
		// step is too little to be a rate of its own (one 499 in a second
		// would read as a storm): it is left for the next refresh.
		end := min(x+st, t)
		if end < x+st && 2*(end-x) < st && x > f {
			break
		}
		from := x
		var b Bucket
		span := sum(&b, from, end)
		if from < a.first {
			// the first bucket holds lines only from the first one on;
			// under half a step of them is no rate of its own either
			span -= min(a.first-from, span-1)
			if 2*span < st {
				s.Points = append(s.Points, sources.Point{At: time.Unix(from, 0), V: nanValue})
				continue
			}
		}
		v := m.value(&b, float64(span))
		marks := &a.unreadSec
		if useMin {
			marks = &a.unreadMin
		}
		if marks.n != nil {
			if n := marks.sum(from, end); n > 0 {
				// most lines of this step could not be read (a group's
				// share of them is not known: judged on all lines): no
				// number
				all := b
				if group != "" {
					all = sumRing(a.sec, 1, from, end)
					if useMin {
						all = sumRing(a.min, 60, from, end)
					}
				}
				if n > uint64(all.Requests) {
					v = nanValue
				}
			}
		}
		s.Points = append(s.Points, sources.Point{At: time.Unix(from, 0), V: v})
	}
	return s, true
}

// First is the oldest line timestamp counted (zero before any): series
// before it are gaps, not zeros.
func (a *Aggregator) First() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.first == 0 {
		return time.Time{}
	}
	return time.Unix(a.first, 0)
}

// Version changes whenever a line is counted: the whole run's count of
// lines, for caches of what the counters give.
func (a *Aggregator) Version() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return uint64(a.total.Requests) + a.tooOld
}

// Newest is the newest line timestamp counted (zero before any).
func (a *Aggregator) Newest() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last == 0 {
		return time.Time{}
	}
	return time.Unix(a.last, 0)
}

// Sum returns the counters of group ("" = all requests) over [from, to)
// from the per-second ring, so a consumer can compute rates and pooled
// ratios (Metric.Value) over a short trailing span: a ratio averaged over
// per-second ratios would weigh a quiet second like a busy one. Seconds the
// ring no longer holds count as empty; ok is false for an unknown group.
func (a *Aggregator) Sum(group string, from, to time.Time) (b Bucket, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	sec, min := a.sec, a.min
	if group != "" {
		for i := range a.groups {
			if a.groups[i].g.Name == group {
				sec, min, ok = a.groups[i].sec, a.groups[i].min, true
				break
			}
		}
		if !ok {
			return Bucket{}, false
		}
	}
	// whole minutes from the minute ring (a tick's 15-minute sums read 15
	// buckets, not 900), the seconds at either edge from the second ring;
	// a minute the second ring still holds in full counts the same lines
	s, end := from.Unix(), to.Unix()
	for ; s < end && (s%60 != 0 || end-s < 60); s++ {
		if sb := sec.get(s); sb != nil {
			b.Add(sb)
		}
	}
	for ; s+60 <= end; s += 60 {
		if mb := min.get(s); mb != nil && sec.get(s) != nil {
			b.Add(mb)
			continue
		}
		for x := s; x < s+60; x++ { // the second ring has let part of it go
			if sb := sec.get(x); sb != nil {
				b.Add(sb)
			}
		}
	}
	for ; s < end; s++ {
		if sb := sec.get(s); sb != nil {
			b.Add(sb)
		}
	}
	return b, true
}

// Value computes m from counters covering span (as returned by Sum); NaN
// when undefined, e.g. a ratio over no requests.
func (m Metric) Value(b *Bucket, span time.Duration) float64 {
	return m.value(b, span.Seconds())
}

// sumRing is the counters of ring r (slots of width seconds) over
// [from, end).
func sumRing(r *ring, width, from, end int64) Bucket {
	var b Bucket
	for y := from; y < end; y += width {
		if x := r.get(y); x != nil {
			b.Add(x)
		}
	}
	return b
}
