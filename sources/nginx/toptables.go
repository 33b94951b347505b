package nginx

import "time"

// TopTables are the top tables of a window: its heaviest IPs, paths and
// hosts with their 499s and slow requests (see tops.go for how they are
// kept and what they guarantee). An item's true count lies in
// [Count − Err, Count]; its S499 and Slow are sure counts, each up to Err
// short. Lists are ranked by the count each key is sure to have.
type TopTables struct {
	TopIPs, TopPaths []TopItem
	TopHosts         []TopItem // nil when the format has no $host
	TopUpstreams     []TopItem // nil when the format has no $upstream_addr
	// TopsExact: every count above is exact (Err 0) and so is every count
	// of a key not listed: no table of the window ran out of room.
	TopsExact bool
	// DistinctExact: the IP tables listed every client of the window, and
	// TopDistinct is their number.
	DistinctExact bool
	TopDistinct   uint64
	// TopsFrom, TopsTo is the span the tables cover: the whole minutes
	// touching the window, or past the minutes held the ten-minute or hour
	// buckets that hold its old end.
	TopsFrom, TopsTo time.Time
	// TopsKnown: the tables of every minute of the window are still held.
	TopsKnown bool
}

// Tops is the top n of each kind of key over [from, to) across several
// access logs, summed as one (a client of two logs counts once, with the
// requests of both). Aggregators without detail (NoDetail) add nothing.
func Tops(aggs []*Aggregator, from, to time.Time, n int) TopTables {
	stores, parts := partsOf(aggs, from, to)
	return topsOf(stores, parts, n)
}

// partsOf picks the tables of each aggregator with detail for [from, to).
func partsOf(aggs []*Aggregator, from, to time.Time) (stores []*topStore, parts []topParts) {
	for _, a := range aggs {
		if p, ok := a.topParts(from, to); ok {
			stores = append(stores, a.tops)
			parts = append(parts, p)
		}
	}
	return stores, parts
}

// partsSpan is the span the parts cover (0, 0 when they hold no table).
func partsSpan(parts []topParts) (from, to int64) {
	for _, p := range parts {
		if len(p.frozen)+len(p.live) == 0 {
			continue
		}
		if from == 0 || p.from < from {
			from = p.from
		}
		to = max(to, p.to)
	}
	return from, to
}

// kindTables are the tables of one kind of key across the parts: each
// store's frozen ones merged through its cache, and the live minutes.
func kindTables(stores []*topStore, parts []topParts, kind topKind) []*table {
	var ts []*table
	for i, p := range parts {
		if t := stores[i].cache.get(kind, p.frozen, stores[i].budget); t != nil {
			ts = append(ts, t)
		}
		for _, l := range p.live {
			if l.t[kind] != nil {
				ts = append(ts, l.t[kind])
			}
		}
	}
	return ts
}

// topParts picks a's tables for [from, to) under its lock.
func (a *Aggregator) topParts(from, to time.Time) (topParts, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tops == nil {
		return topParts{}, false
	}
	return a.tops.parts(from.Unix(), to.Unix()), true
}

// topsOf merges the parts of each store (the frozen ones through the
// store's cache) and lists the top n of each kind. It runs without the
// aggregators' locks: the tables are never changed.
func topsOf(stores []*topStore, parts []topParts, n int) TopTables {
	out := TopTables{TopsExact: true, TopsKnown: len(parts) > 0}
	for _, p := range parts {
		out.TopsKnown = out.TopsKnown && p.known
	}
	if from, to := partsSpan(parts); from != 0 || to != 0 {
		out.TopsFrom, out.TopsTo = time.Unix(from, 0), time.Unix(to, 0)
	}
	for kind := range numKinds {
		ts := kindTables(stores, parts, kind)
		if len(ts) == 0 {
			continue
		}
		items, distinct, exact := topList(ts, n)
		out.TopsExact = out.TopsExact && exact
		switch kind {
		case kindIP:
			out.TopIPs, out.TopDistinct, out.DistinctExact = items, distinct, exact
		case kindPath:
			out.TopPaths = items
		case kindHost:
			out.TopHosts = items
		case kindUpstream:
			out.TopUpstreams = items
		}
	}
	return out
}
