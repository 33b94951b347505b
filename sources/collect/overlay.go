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
	"time"

	"warroom/sources"
	"warroom/sources/schedule"
)

// overlayRefetch is the least time between two shifted fetches of one query.
const overlayRefetch = time.Minute

// overlayAhead is how far past the view's end a shifted fetch reaches, so a
// live view sliding on keeps finding its points until the next refetch.
const overlayAhead = 2 * time.Minute

// overlayKey is what a cached shifted answer is for: the milestone shown,
// the one before it and the window.
type overlayKey struct {
	m, p   int64 // stage ends, Unix ns
	window time.Duration
}

// promOverlay is one query's shifted answer, at its true times.
type promOverlay struct {
	key      overlayKey
	from, to time.Time // the span fetched
	unit     sources.Unit
	points   []sources.Point // never changed once stored
}

// overlayState caches the Prometheus overlays; guarded by Collector.mu.
type overlayState struct {
	cache map[string]promOverlay // by query name
	tried map[string]time.Time   // last fetch started, by query name
	busy  map[string]bool        // a fetch is under way
}

// overlay is one snapshot's plan: whose curves to overlay and how far to
// move them.
type overlay struct {
	name      string        // legend text, "prev: <stage>"
	off       time.Duration // current stage end − previous stage end
	from, end time.Time     // the view, true times
	step      time.Duration
	at        time.Time
	prom      map[string]promOverlay // cached answers that fit this overlay
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
// It also starts the Prometheus fetches the plan lacks.
func (c *Collector) overlay(sched *schedule.Schedule, at, from, end time.Time, step, window time.Duration) *overlay {
	m, p, ok := overlayMilestones(sched, from, end, window)
	if !ok {
		return nil
	}
	ov := &overlay{name: "prev: " + sources.Sanitize(p.Name), off: m.End.Sub(p.End), from: from, end: end, step: step, at: at}
	if c.o.Prom == nil {
		return ov
	}
	key := overlayKey{m: m.End.UnixNano(), p: p.End.UnixNano(), window: window}
	f, t := from.Add(-ov.off), end.Add(-ov.off)
	now := c.o.Now()
	var fetch []string
	c.mu.Lock()
	st := &c.over
	if st.cache == nil {
		st.cache, st.tried, st.busy = map[string]promOverlay{}, map[string]time.Time{}, map[string]bool{}
	}
	for _, k := range c.shown {
		sp := c.specs[k]
		if sp.kind != kindProm {
			continue
		}
		e, have := st.cache[sp.query]
		fits := have && e.key == key
		if fits {
			if ov.prom == nil {
				ov.prom = map[string]promOverlay{}
			}
			ov.prom[sp.query] = e
		}
		if fits && !f.Before(e.from) && !t.After(e.to) || st.busy[sp.query] {
			continue
		}
		if last, ok := st.tried[sp.query]; ok && now.Sub(last) < overlayRefetch {
			continue
		}
		st.busy[sp.query], st.tried[sp.query] = true, now
		fetch = append(fetch, sp.query)
	}
	ctx := c.runCtx
	c.mu.Unlock()
	if ctx == nil {
		ctx = context.Background()
	}
	// the span reaches ahead of the view, but never past now: a later
	// refetch must not find the future already "covered"
	to := t.Add(overlayAhead)
	if n := now.Truncate(time.Second); n.Before(to) {
		to = n
	}
	if !to.After(f) {
		to = t
	}
	for _, q := range fetch {
		go c.guardProm(ctx, func(ctx context.Context) { c.fetchOverlay(ctx, q, key, f, to) })
	}
	return ov
}

// fetchOverlay asks Prometheus for query q over [from, to] and caches the
// answer's first series. A failed fetch keeps what was cached; the next
// try waits for overlayRefetch like any other.
func (c *Collector) fetchOverlay(ctx context.Context, q string, key overlayKey, from, to time.Time) {
	r, err := c.o.Prom.QueryBetween(ctx, q, from, to)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.over.busy[q] = false
	if err != nil {
		return
	}
	e := promOverlay{key: key, from: from, to: to, unit: r.Unit}
	if len(r.Series) > 0 {
		e.points = r.Series[0].Points // a copy: the querier kept nothing
	}
	c.over.cache[q] = e
}

// secondary is indicator sp over the shifted window, moved onto the view;
// empty when there is no overlay or the sources no longer hold that span.
func (ov *overlay) secondary(c *Collector, sp spec) sources.Series {
	if ov == nil {
		return sources.Series{}
	}
	f, t := ov.from.Add(-ov.off), ov.end.Add(-ov.off)
	var s sources.Series
	switch sp.kind {
	case kindNginx:
		src := c.o.Nginx[sp.src]
		agg := src.Aggregator()
		newest := agg.Newest()
		if newest.IsZero() {
			return s
		}
		ret := src.Config().Retention
		secs, mins := orDefault(time.Duration(ret.Seconds), 24*time.Hour), orDefault(time.Duration(ret.Minutes), 7*24*time.Hour)
		if t.Before(newest.Add(-mins)) {
			return s
		}
		step := ov.step
		// the per-second ring holds (newest−secs, newest]: older spans are
		// read per minute, which Series does for whole-minute steps
		if st := int64(max(step/time.Second, 1)); f.Unix()-f.Unix()%st <= newest.Unix()-int64(secs/time.Second) {
			step = max(step.Round(time.Minute), time.Minute)
		}
		s, _ = agg.Series(sp.m, sp.group, f, t, step)
	case kindApp:
		src := c.o.Apps[sp.src]
		kept := orDefault(time.Duration(src.Config().Retention), 24*time.Hour)
		cut := ov.at.Add(-kept + time.Second)
		if t.Before(cut) {
			return s
		}
		s, _ = src.Watcher().Series(sp.col, maxTime(f, cut), t, ov.step)
	case kindProm:
		e, ok := ov.prom[sp.query]
		if !ok {
			return s
		}
		s = sources.Series{Unit: e.unit, Points: pointsBetween(e.points, f, t)}
	}
	for i := range s.Points { // fresh slices: Series and pointsBetween copy
		s.Points[i].At = s.Points[i].At.Add(ov.off)
	}
	s.Name, s.Labels = ov.name, nil
	if len(s.Points) == 0 {
		return sources.Series{}
	}
	return s
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
