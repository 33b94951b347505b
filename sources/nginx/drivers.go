package nginx

import "time"

// Mark is a kind of request a driver counts.
type Mark uint8

const (
	MarkRequests Mark = iota // every request
	Mark499                  // the client gave up
	MarkSlow                 // slower than the slow threshold
	Mark5xx                  // a 5xx answer
	NumMarks
)

// String is the mark as a driver line starts with it.
func (m Mark) String() string {
	return [...]string{"req", "499", "slow", "5xx"}[m]
}

// DriverKey is the key holding most of a mark's requests: its sure count
// and the most it can have (equal when exact).
type DriverKey struct {
	Key       string
	Sure, Max uint64
}

// Driver is what a window's requests of one mark come from.
type Driver struct {
	Events         uint64 // the mark's requests in the span (exact: counted beside the tables)
	Path, IP, Host DriverKey
	Upstream       DriverKey // the upstream server that answered
	IPs            uint64    // clients with a sure request of the mark: all of them when Exact
	Exact          bool      // every table of the span held every key
}

// Drivers are each mark's drivers over [from, to) across several access
// logs summed as one, with the span the tables cover (the whole minutes
// touching it); ok false when no aggregator keeps detail. One walk of the
// window's tables serves every mark.
func Drivers(aggs []*Aggregator, from, to time.Time) (ds [NumMarks]Driver, spanFrom, spanTo time.Time, ok bool) {
	stores, parts := partsOf(aggs, from, to)
	if len(parts) == 0 {
		return ds, time.Time{}, time.Time{}, false
	}
	for m := range ds {
		ds[m].Exact = true
	}
	f, t := partsSpan(parts)
	if f == 0 && t == 0 { // no line in the span: its whole minutes
		f, t = from.Unix()-from.Unix()%60, to.Unix()+(60-to.Unix()%60)%60
	}
	spanFrom, spanTo = time.Unix(f, 0), time.Unix(t, 0)
	for kind := range numKinds {
		if ts := kindTables(stores, parts, kind); len(ts) > 0 {
			driversOf(&ds, kind, ts)
		}
	}
	return ds, spanFrom, spanTo, true
}

// driversOf walks the union of one kind's tables and keeps, per mark, the
// key with the most sure requests of the mark (ties: the first in key
// order) and, for IPs, how many keys have one.
func driversOf(ds *[NumMarks]Driver, kind topKind, ts []*table) {
	m := newMerger(ts)
	exact := m.floors == 0
	if kind == kindPath { // every request has a path: the totals
		ds[MarkRequests].Events = m.total
		ds[Mark499].Events = m.marks.s499
		ds[MarkSlow].Events = m.marks.slow
		ds[Mark5xx].Events = m.marks.s5xx
	}
	var best [NumMarks]DriverKey
	var keys [NumMarks]uint64
	for m.next() {
		e := &m.e
		err := e.hi - e.lo
		sure := [NumMarks]uint64{e.lo, e.s499, e.slow, e.s5xx}
		for mk, n := range sure {
			if n == 0 {
				continue
			}
			keys[mk]++
			if n > best[mk].Sure {
				best[mk] = DriverKey{Key: string(m.key), Sure: n, Max: n + err}
			}
		}
	}
	for mk := range ds {
		d := &ds[mk]
		d.Exact = d.Exact && exact
		switch kind {
		case kindPath:
			d.Path = best[mk]
		case kindIP:
			d.IP, d.IPs = best[mk], keys[mk]
		case kindHost:
			d.Host = best[mk]
		case kindUpstream:
			d.Upstream = best[mk]
		}
	}
}
