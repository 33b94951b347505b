package collect

// The previous milestone's overlay: when a view shows a stage end (or one
// is coming within a window), each indicator carries as Secondary the same
// indicator over the window shifted back to the previous stage end, its
// points moved forward so both curves share the x axis — "is tonight
// worse than last night at the same minute?".
//
// Log indicators are read from the retained aggregates on the spot (no IO,
// about the cost of the primary series). Prometheus indicators need a
// request: Snapshot only reads a cache and, when the cache does not fit
// the view, starts one fetch on a goroutine of the collector's (at most
// one a minute per query), so a snapshot never waits for the network.

import (
	"context"
	"fmt"
	"time"

	"warroom/sources"
	"warroom/sources/schedule"
)

// overlayRefetch is the least time between two shifted fetches of one query.
const overlayRefetch = time.Minute

// overlayAhead is how far past the view's end a shifted fetch reaches, so a
// live view sliding on keeps finding its points until the next refetch.
const overlayAhead = 2 * time.Minute

// promOverlay is one query's shifted answer, at its true times.
type promOverlay struct {
	key      string    // the overlay it is for (ShiftedQuery.Key)
	from, to time.Time // the span fetched
	unit     sources.Unit
	points   []sources.Point // never changed once stored
}

// overlayState caches a source's shifted answers; guarded by its lock.
type overlayState struct {
	cache map[string]promOverlay // by query name
	tried map[string]time.Time   // last fetch started, by query name
	busy  map[string]bool        // a fetch is under way
}

// overlay is one snapshot's plan: whose curves to overlay and how far to
// move them.
type overlay struct {
	name      string        // legend text, "prev: <stage>"
	key       string        // the milestone shown, the one before it, the window
	off       time.Duration // current stage end − previous stage end
	from, end time.Time     // the view, true times
	step      time.Duration
	at        time.Time
}

// overlayMilestones picks the milestone a view of [from, end] is about — the
// last one ending by end whose window reaches into the view, else the next
// one when it is within a window (or its approach) of end — and the one
// before it. ok is false when there is no such pair: then no overlay.
func overlayMilestones(s *schedule.Schedule, from, end time.Time, window time.Duration) (m, p schedule.Milestone, ok bool) {
	if s.Len() < 2 {
		return m, p, false
	}
	var cands []schedule.Milestone
	if x, found := s.Prev(end); found && !x.Finish().Before(from) {
		cands = append(cands, x)
	}
	if x, found := s.Next(end); found && x.End.Sub(end) <= max(window, x.Windows.Before) {
		cands = append(cands, x)
	}
	for _, m := range cands {
		if p, ok := s.Prev(m.End.Add(-time.Nanosecond)); ok {
			return m, p, true
		}
	}
	return m, p, false
}

// overlay returns the plan for a view of [from, end] at step, nil when no
// milestone is within reach (then a snapshot does no overlay work at all).
func (c *Collector) overlay(sched *schedule.Schedule, at, from, end time.Time, step, window time.Duration) *overlay {
	m, p, ok := overlayMilestones(sched, from, end, window)
	if !ok {
		return nil
	}
	return &overlay{name: "prev: " + sources.Sanitize(p.Name), key: fmt.Sprintf("%d/%d/%d", m.End.UnixNano(), p.End.UnixNano(), window),
		off: m.End.Sub(p.End), from: from, end: end, step: step, at: at}
}

// query is the shifted span the overlay reads.
func (ov *overlay) query() ShiftedQuery {
	return ShiftedQuery{Key: ov.key, From: ov.from.Add(-ov.off), End: ov.end.Add(-ov.off), Step: ov.step, At: ov.at}
}

// secondary is indicator k over the shifted window, moved onto the view;
// empty when there is no overlay, its source cannot read an earlier span
// or no longer holds that one.
func (ov *overlay) secondary(c *Collector, k int) sources.Series {
	if ov == nil {
		return sources.Series{}
	}
	sp := c.specs[k]
	o, ok := c.srcs[sp.plug].(Overlaid)
	if !ok {
		return sources.Series{}
	}
	s := o.Shifted(sp.own, ov.query())
	for i := range s.Points { // fresh slices: Series and pointsBetween copy
		s.Points[i].At = s.Points[i].At.Add(ov.off)
	}
	s.Name, s.Labels = ov.name, nil
	if len(s.Points) == 0 {
		return sources.Series{}
	}
	return s
}

// FetchShifted starts a fetch of query i's shifted span when the cache
// does not fit it (at most one a minute per query, one at a time), so a
// snapshot never waits for the network. The fetch reaches ahead of the
// span, but never past now: a later refetch must not find the future
// already "covered".
func (p *promSource) FetchShifted(i int, q ShiftedQuery) {
	query := p.specs[i].query
	now := p.now()
	p.mu.Lock()
	st := &p.over
	if st.cache == nil {
		st.cache, st.tried, st.busy = map[string]promOverlay{}, map[string]time.Time{}, map[string]bool{}
	}
	e, have := st.cache[query]
	fits := have && e.key == q.Key
	fetch := !(fits && !q.From.Before(e.from) && !q.End.After(e.to)) && !st.busy[query]
	if last, ok := st.tried[query]; fetch && ok && now.Sub(last) < overlayRefetch {
		fetch = false
	}
	if fetch {
		st.busy[query], st.tried[query] = true, now
	}
	p.mu.Unlock()
	if !fetch {
		return
	}
	to := q.End.Add(overlayAhead)
	if n := now.Truncate(time.Second); n.Before(to) {
		to = n
	}
	if !to.After(q.From) {
		to = q.End
	}
	go p.guard(func(ctx context.Context) { p.fetchOverlay(ctx, query, q.Key, q.From, to) })
}

// Shifted is query i's cached shifted answer over the span, when one
// fits the overlay.
func (p *promSource) Shifted(i int, q ShiftedQuery) sources.Series {
	p.mu.Lock()
	e, have := p.over.cache[p.specs[i].query]
	p.mu.Unlock()
	if !have || e.key != q.Key {
		return sources.Series{}
	}
	return sources.Series{Unit: e.unit, Points: pointsBetween(e.points, q.From, q.End)}
}

// fetchOverlay asks Prometheus for query q over [from, to] and caches the
// answer's first series. A failed fetch keeps what was cached; the next
// try waits for overlayRefetch like any other.
func (p *promSource) fetchOverlay(ctx context.Context, q, key string, from, to time.Time) {
	r, err := p.q.QueryBetween(ctx, q, from, to)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.over.busy[q] = false
	if err != nil {
		return
	}
	e := promOverlay{key: key, from: from, to: to, unit: r.Unit}
	if len(r.Series) > 0 {
		e.points = r.Series[0].Points // a copy: the querier kept nothing
	}
	p.over.cache[q] = e
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
