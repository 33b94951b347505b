package nginx

import (
	"cmp"
	"errors"
	"slices"
)

// Merging aggregators: a log cut into parts at line boundaries, each part
// counted by its own aggregator (on its own core), and the parts merged in
// the order of the log, gives the same whole-run summary whichever part
// was counted when. Counts, statuses, latency quantiles, distinct clients,
// first and last times and malformed lines (with their line numbers) are
// those of counting the whole log in one aggregator. The busiest second
// and minute are too when the log is in time order (to within the rings'
// span): a second cut by a part boundary is added up from both parts,
// which is what Options.Follows keeps whole. The whole-run top tables are
// Space-Saving sketches merged: exact while no sketch had to evict a key,
// else within the same error bound as one sketch, though not equal to one
// sketch fed the whole log.

// retire is what a ring calls with a bucket whose slot it reuses. Its
// numbers are final, and it may be the busiest; but in an aggregator that
// Follows another, a bucket near the earliest line counted goes whole to
// head (a ring of the same span), for Merge to add to the rest of its
// second or minute, which the aggregator before may hold.
func (a *Aggregator) retire(b *Bucket, head *ring, peak *Bucket) {
	if head != nil && b.T < a.first+head.span() {
		if h, _, _ := head.at(b.T); h != nil {
			h.Add(b)
			return
		}
	}
	keepPeak(peak, b)
}

// Merge adds o, which counted the lines that follow a's (made with
// Follows, the same options, Seed among them, and format), into a. Both must be made with
// NoDetail: the per-minute details and top tables of a live source are
// not merged. Merge keeps what Summary reports; of the per-second series,
// the per-code columns and the path groups' series stay a's own. o is not
// to be used again.
func (a *Aggregator) Merge(o *Aggregator) error {
	if a == o {
		return errors.New("nginx: merge: an aggregator into itself")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	if a.tops != nil || o.tops != nil {
		return errors.New("nginx: merge: only aggregators made with NoDetail")
	}
	if a.seed != o.seed {
		return errors.New("nginx: merge: aggregators made without the same Options.Seed")
	}
	if len(a.groups) != len(o.groups) {
		return errors.New("nginx: merge: aggregators with different path groups")
	}
	o.flushSlot()
	// the slots a cached may be reused below
	a.slot.ok = false
	for i := range a.groups {
		a.groups[i].slotOK = false
	}

	for r := range o.samples {
		for _, s := range o.samples[r] {
			if len(a.samples[r]) < 3 {
				s.Line += a.lines // o numbered its lines from 1
				a.samples[r] = append(a.samples[r], s)
			}
		}
		if o.lastBad[r].n > 0 {
			a.lastBad[r] = o.lastBad[r]
		}
		a.malformed[r] += o.malformed[r]
	}
	a.lines += o.lines
	a.partial += o.partial
	a.filtered += o.filtered
	a.tooOld += o.tooOld
	if o.first != 0 && (a.first == 0 || o.first < a.first) {
		a.first = o.first
	}
	a.last = max(a.last, o.last)

	a.total.Add(&o.total)
	a.hist.Merge(&o.hist)
	a.hll.Merge(o.hll)
	a.ips.Merge(o.ips)
	a.paths.Merge(o.paths)
	for code, n := range o.codeTotal {
		a.codeTotal[code] += n
	}
	for i := range a.groups {
		a.groups[i].total.Add(&o.groups[i].total)
		a.groups[i].hist.Merge(&o.groups[i].hist)
	}

	mergeRing(a.sec, a.codeSec, &a.peakSec, o.sec, o.headSec, &o.peakSec)
	mergeRing(a.min, a.codeMin, &a.peakMin, o.min, o.headMin, &o.peakMin)
	return nil
}

// mergeRing adds the buckets of src and head (nil when o did not follow
// another) into dst, in time order, as if their lines had come after dst's:
// a bucket dst has no slot for any more is final, as is every bucket o
// retired. cols are dst's per-code columns, emptied for each slot started.
func mergeRing(dst *ring, cols [][]uint32, peak *Bucket, src, head *ring, srcPeak *Bucket) {
	bs := make([]*Bucket, 0, 2*len(src.slots))
	for _, r := range []*ring{src, head} {
		if r == nil {
			continue
		}
		for i := range r.slots {
			if b := &r.slots[i]; b.T != 0 && b.Requests > 0 {
				bs = append(bs, b)
			}
		}
	}
	slices.SortFunc(bs, func(x, y *Bucket) int { return cmp.Compare(x.T, y.T) })
	for _, b := range bs {
		d, idx, fresh := dst.at(b.T)
		if d == nil {
			keepPeak(peak, b)
			continue
		}
		if fresh {
			for _, c := range cols {
				c[idx] = 0
			}
		}
		d.Add(b)
	}
	keepPeak(peak, srcPeak)
}

// Recycle returns NewAggregator(o) counting into the memory of a's
// whole-run sketches, distinct count and path cache, emptied, rather than
// into new memory, which a sketch takes in steps as keys come: a scan of
// many parts makes a few aggregators and recycles each once merged. a is
// not to be used again.
func (a *Aggregator) Recycle(o Options) *Aggregator {
	n := NewAggregator(o)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ips != nil && n.ips != nil && a.ips.capacity == n.ips.capacity && a.paths.capacity == n.paths.capacity {
		a.ips.Reset()
		a.paths.Reset()
		n.ips, n.paths, a.ips, a.paths = a.ips, a.paths, nil, nil
	}
	if a.hll.p == n.hll.p {
		a.hll.Reset()
		n.hll, a.hll = a.hll, nil
	}
	if a.pcache.ents != nil {
		clear(a.pcache.ents[:]) // paths hashed with a's seed
		n.pcache.ents, a.pcache.ents = a.pcache.ents, nil
	}
	return n
}
