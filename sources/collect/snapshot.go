package collect

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/watch"
)

// Defaults of sources.View.
const (
	DefaultWindow = 15 * time.Minute
	DefaultPoints = 120
)

// SetView sets what every snapshot covers from now on. Sources told the
// view (Viewed: Prometheus sizes its range queries) are told when its
// window or resolution changes, and fetches the view will want (the
// previous milestone's Prometheus curves) start now, not in a snapshot.
func (c *Collector) SetView(v sources.View) {
	n := normalView(v)
	c.mu.Lock()
	c.view, c.viewSet = v, true
	resize := c.win != n.Window || c.winWidth != n.Points
	if resize {
		c.win, c.winWidth = n.Window, n.Points
	}
	at := c.lastAt
	c.mu.Unlock()
	if resize {
		for _, s := range c.srcs {
			if vw, ok := s.(Viewed); ok {
				vw.SetView(n.Window, n.Points)
			}
		}
	}
	if at.IsZero() {
		at = c.o.Now()
	}
	c.prefetch(n, at)
}

func normalView(v sources.View) sources.View {
	if v.Window <= 0 {
		v.Window = DefaultWindow
	}
	if v.Points <= 0 {
		v.Points = DefaultPoints
	}
	return v
}

// span is where view v's series lie at instant at: a live view ends
// where current values do (the seconds after that are still being
// written and would dip), and a point every step.
func (c *Collector) span(v sources.View, at time.Time) (live bool, from, end time.Time, step time.Duration) {
	live = v.End.IsZero()
	end = v.End
	if live {
		end = c.currentEnd(at)
	}
	from = end.Add(-v.Window)
	step = max((v.Window / time.Duration(v.Points)).Truncate(time.Second), time.Second)
	return live, from, end, step
}

// prefetch starts what view v will want at instant at from sources that
// must ask for it (ShiftedFetcher): the previous milestone's curves of the
// indicators shown. Called on SetView and on every tick, never from a
// snapshot; the sources keep one request a query under way at most.
func (c *Collector) prefetch(v sources.View, at time.Time) {
	sched := c.schedule()
	if sched == nil {
		return
	}
	_, from, end, step := c.span(v, at)
	ov := c.overlay(sched, at, from, end, step, v.Window)
	if ov == nil {
		return
	}
	for _, k := range c.shown {
		sp := c.specs[k]
		if f, ok := c.srcs[sp.plug].(ShiftedFetcher); ok {
			f.FetchShifted(sp.own, ov.query())
		}
	}
}

// Snapshot returns a fresh, deep copy of everything a consumer shows, over
// the view set (SetView): the values and states of the last Tick (so what
// is shown is what was judged), series over the view's window, top
// talkers, application-log lines, source health, the schedule around the
// view and the timeline. It only reads: nothing is asked of a server.
// Before the first Tick it reads the sources at Now. Safe from any
// goroutine.
func (c *Collector) Snapshot() *sources.Snapshot {
	c.mu.Lock()
	set := c.view
	at, values, status := c.lastAt, c.values, c.status
	c.mu.Unlock()
	v := normalView(set)
	if at.IsZero() {
		at = c.o.Now()
		values = c.current(at)
	}
	live, from, end, step := c.span(v, at)

	// WindowEnd is At for a live view (consumers tell a moved view by
	// WindowEnd != At), though live series stop the lag short of it
	s := &sources.Snapshot{At: at, Phase: sources.PhaseNormal, Window: v.Window, WindowEnd: at, View: set}
	if !live {
		s.WindowEnd = end
	}
	var ov *overlay // the previous milestone's curves, when one is within reach
	if sched := c.schedule(); sched != nil {
		ov = c.overlay(sched, at, from, end, step, v.Window)
		s.Event, s.Zone = sched.Event(), EventZone(sched)
		phase, m := sched.PhaseAt(at)
		s.Phase = convertPhase(phase)
		if !m.IsZero() {
			s.Current = convertMilestone(sched, m)
		}
		if n, ok := sched.Next(at); ok {
			s.Next = convertMilestone(sched, n)
		}
		if p, ok := sched.Prev(at); ok {
			s.Prev = convertMilestone(sched, p)
		}
		for _, m := range sched.Between(from, end) {
			s.Markers = append(s.Markers, *convertMilestone(sched, m))
		}
	}

	s.Indicators = make([]sources.Indicator, 0, len(c.shown))
	for j, k := range c.shown {
		sp := c.specs[k]
		in := sources.Indicator{Name: sp.name, Title: sp.title, Key: j < keyIndicators, Value: values[k], Warn: math.NaN(), Crit: math.NaN()}
		if st, ok := status[sp.name]; ok {
			in.State, in.Reason, in.Warn, in.Crit = st.State, st.Reason, st.Warn, st.Crit
			in.Below = st.Direction == watch.Below
			in.Pending, in.PendingAt = pendingOf(st)
		} else {
			in.State = unjudged(in.Value)
		}
		in.Series = c.series(k, SeriesQuery{From: from, End: end, Step: step, At: at, Live: live})
		in.Secondary = ov.secondary(c, k)
		in.Driver = c.driverOf(k, end)
		s.Indicators = append(s.Indicators, in)
	}

	s.Tops = c.tops(from, end, v.Window, v.Rows)
	for _, src := range c.srcs {
		if l, ok := src.(Logged); ok {
			s.Logs = append(s.Logs, l.LogView(end))
		}
	}
	s.Sources = append(c.sourceStatus(at), c.sinkStatus()...)
	s.Timeline = c.entries(values, EventZone(c.schedule()))
	for _, tr := range s.Timeline {
		if tr.To == sources.StateCrit && !tr.Acked {
			s.Unacked++
		}
	}
	s.FirstCrit = firstCrit(s.Timeline, s.Current, at)
	if c.o.Self != nil {
		s.Self = c.o.Self()
	}
	return s
}

// firstCrit is the earliest transition of tl into crit at or after cur's
// stage end, when at is past that end: the header names it through HOT
// and cooling. A copy, so the snapshot holds no pointer into its own
// Timeline.
func firstCrit(tl []sources.Transition, cur *sources.Milestone, at time.Time) *sources.Transition {
	if cur == nil || at.Before(cur.At) {
		return nil
	}
	var first *sources.Transition
	for i := range tl {
		tr := &tl[i]
		if tr.To == sources.StateCrit && !tr.At.Before(cur.At) && (first == nil || tr.At.Before(first.At)) {
			first = tr
		}
	}
	if first == nil {
		return nil
	}
	c := *first
	return &c
}

// unjudged is the state of an indicator no rule judges: its health.
func unjudged(v sources.Value) sources.State {
	switch v.Health {
	case sources.HealthOK:
		return sources.StateOK
	case sources.HealthStale:
		return sources.StateStale
	case sources.HealthError, sources.HealthUnreachable:
		return sources.StateError
	}
	return sources.StateUnknown
}

// tops are every source's top tables (an access log's IPs, paths, hosts,
// upstreams) over the end of the view, at most TopSpan long.
func (c *Collector) tops(from, end time.Time, window time.Duration, rows int) []sources.TopTable {
	// a zoomed table shows as many rows as fit, up to maxTopRows
	n := max(c.o.TopN, min(rows, maxTopRows))
	span := min(window, c.o.TopSpan)
	var out []sources.TopTable
	for p, src := range c.srcs {
		tb, ok := src.(Tabled)
		if !ok {
			continue
		}
		ver := version(src) // read before the window: a line counted meanwhile changes it
		f, t := end.Add(-span).Unix(), end.Unix()
		// a window's tables come from the tables of the whole minutes
		// touching [f, t): the same minutes and no new line give the same
		// tables
		key := topKey{src: p, span: span, fromMin: f - f%60, toMin: t - 1 - (t-1)%60, empty: t <= f, ver: ver, n: n}
		c.cache.mu.Lock()
		e, ok := c.cache.tops[p]
		c.cache.mu.Unlock()
		tables := e.tables
		if !ok || e.key != key || key.ver == noVersion {
			tables = tb.Tops(end.Add(-span), end, n)
			c.cache.mu.Lock()
			if c.cache.tops == nil {
				c.cache.tops = map[int]topEntry{}
			}
			c.cache.tops[p] = topEntry{key, tables} // only a source's newest is ever asked again
			c.cache.mu.Unlock()
		}
		for _, tt := range tables {
			tt.Rows = slices.Clone(tt.Rows) // every snapshot is its own copy
			out = append(out, tt)
		}
	}
	if t, ok := c.logsTable(end.Add(-span), end); ok {
		out = append(out, t)
	}
	return out
}

// logsTable ranks the sources that count their requests (Totaled) by
// their 499s, slow requests and 5xx over [from, end), when there are two
// or more: with a log per host, which host is the bad one.
func (c *Collector) logsTable(from, end time.Time) (sources.TopTable, bool) {
	var rows []sources.TopRow
	n := 0
	for _, src := range c.srcs {
		tt, ok := src.(Totaled)
		if !ok {
			continue
		}
		n++
		if r, ok := tt.Totals(from, end); ok {
			r.Key = sources.Sanitize(r.Key)
			rows = append(rows, r)
		}
	}
	if n < 2 {
		return sources.TopTable{}, false
	}
	slices.SortStableFunc(rows, func(a, b sources.TopRow) int {
		if d := cmp.Compare(b.S499+b.Slow+b.S5xx, a.S499+a.Slow+a.S5xx); d != 0 {
			return d
		}
		return cmp.Compare(b.Count, a.Count)
	})
	return sources.TopTable{Title: "logs", Window: end.Sub(from), Rows: rows, Distinct: uint64(len(rows)), Exact: true}, true
}

// noVersion is the version of a source that keeps none: nothing of it is
// cached.
const noVersion = ^uint64(0)

// version is src's data version (see Versioned), noVersion without one.
func version(src Source) uint64 {
	if v, ok := src.(Versioned); ok {
		return v.Version()
	}
	return noVersion
}

// snapCache keeps the last second's series and top tables: a quiet
// second (no new line, window start still in the same bucket) asks the
// sources for exactly the same again. Keys carry a version of the source's
// data (the whole-run counters of an access log, the entry count of an
// application log) read before computing, so a line counted meanwhile only
// costs a recomputation the next time.
type snapCache struct {
	mu      sync.Mutex
	series  map[seriesKey]sources.Series
	tops    map[int]topEntry // by source
	drivers map[driverKey][]*sources.Driver
}

type seriesKey struct {
	spec       int
	f, n, step int64 // first bucket (unix s), bucket count, step (s)
	tail       int64 // seconds the last bucket covers when short of a step
	ver        uint64
}

type topEntry struct {
	key    topKey
	tables []sources.TopTable
}

type topKey struct {
	src            int
	span           time.Duration
	fromMin, toMin int64
	empty          bool
	ver            uint64
	n              int // rows asked for
}

// maxTopRows bounds the rows a zoomed top table asks for: more than a
// screen shows.
const maxTopRows = 200

// series is indicator k's series over q, as its source computes it
// (buckets aligned to multiples of the step), from the cache when the
// source keeps a version, has no new data and the buckets are the same.
func (c *Collector) series(k int, q SeriesQuery) sources.Series {
	sp := c.specs[k]
	src := c.srcs[sp.plug]
	ver := version(src)
	if ver == noVersion {
		return src.Series(sp.own, q)
	}
	st := max(int64(q.Step/time.Second), 1)
	f, t := q.From.Unix(), q.End.Unix()
	f -= f % st
	key := seriesKey{spec: k, f: f, step: st, ver: ver}
	if t > f {
		key.n = (t - f + st - 1) / st
		key.tail = (t - f) % st
	}
	c.cache.mu.Lock()
	s, ok := c.cache.series[key]
	c.cache.mu.Unlock()
	if !ok {
		s = src.Series(sp.own, q)
		c.cache.mu.Lock()
		if c.cache.series == nil || len(c.cache.series) > 4*len(c.specs) {
			c.cache.series = map[seriesKey]sources.Series{}
		}
		c.cache.series[key] = s
		c.cache.mu.Unlock()
	}
	s.Points = slices.Clone(s.Points) // every snapshot is its own copy
	return s
}

func topRows(items []nginx.TopItem) []sources.TopRow {
	out := make([]sources.TopRow, len(items))
	for i, it := range items {
		// the count the key is sure to have, and the most it can have
		// made: equal unless the window had more keys than its tables
		// hold exactly
		out[i] = sources.TopRow{Key: sources.Sanitize(it.Key), Count: it.Count - min(it.Err, it.Count), AtLeast: it.Err > 0, Max: it.Count, S499: it.S499, Slow: it.Slow, S5xx: it.S5xx}
	}
	return out
}

// sourceStatus is every source's status-bar entries, then the
// schedule's.
func (c *Collector) sourceStatus(at time.Time) []sources.SourceStatus {
	ti := c.tickInfo(at)
	c.mu.Lock()
	errs := make([]string, len(c.srcs))
	for p, s := range c.srcs {
		errs[p] = c.runErrs[s.Name()]
	}
	c.mu.Unlock()
	var out []sources.SourceStatus
	for p, s := range c.srcs {
		ti.RunErr = errs[p]
		sts := s.Status(ti)
		if _, ok := s.(Refreshable); ok {
			for i := range sts {
				sts[i].Polled = true
			}
		}
		out = append(out, sts...)
	}
	if c.o.Schedule != nil {
		st := sources.SourceStatus{Name: "schedule", Kind: "schedule", Health: sources.HealthOK}
		if c.schedule() == nil {
			st.Health = sources.HealthUnknown
		}
		if c.o.ScheduleErr != nil {
			if err := c.o.ScheduleErr(); err != nil {
				st.Health, st.Detail = sources.HealthError, sources.Sanitize(err.Error())
			}
		}
		out = append(out, st)
	}
	return out
}

// pointsBetween copies the points in [from, to].
func pointsBetween(ps []sources.Point, from, to time.Time) []sources.Point {
	var out []sources.Point
	for _, p := range ps {
		if !p.At.Before(from) && !p.At.After(to) {
			out = append(out, p)
		}
	}
	return out
}

// pendingOf is the worse state st is on its way to and when it fires, so
// a 499 rate rising into crit shows "crit in 12s" rather than a bare ok
// for the rule's `for`; none when it is not worse than st.State (a warn
// pending under a crit that holds) or not a level at all.
func pendingOf(st watch.Status) (sources.State, time.Time) {
	if st.Pending <= st.State || st.Pending != sources.StateWarn && st.Pending != sources.StateCrit || st.PendingAt.IsZero() {
		return sources.StateUnknown, time.Time{}
	}
	return st.Pending, st.PendingAt
}
