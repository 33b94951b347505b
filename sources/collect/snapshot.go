package collect

import (
	"math"
	"slices"
	"sync"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/prom"
	"warroom/sources/watch"
)

// Defaults of sources.View.
const (
	DefaultWindow = 15 * time.Minute
	DefaultPoints = 120
)

// Snapshot returns a fresh, deep copy of everything a consumer shows: the
// values and states of the last Tick (so what is shown is what was
// judged), series over the view's window, top talkers, application-log
// lines, source health, the schedule around the view and the timeline.
// Before the first Tick it reads the sources at Now. Safe from any
// goroutine.
func (c *Collector) Snapshot(v sources.View) *sources.Snapshot {
	if v.Window <= 0 {
		v.Window = DefaultWindow
	}
	if v.Points <= 0 {
		v.Points = DefaultPoints
	}
	c.mu.Lock()
	at, values, status := c.lastAt, c.values, c.status
	hist := make(map[string][]sources.Point, len(c.promHist))
	for k, h := range c.promHist {
		hist[k] = h // appended to, never changed in place below len
	}
	resize := c.o.Prom != nil && (c.win != v.Window || c.winWidth != v.Points)
	if resize {
		c.win, c.winWidth = v.Window, v.Points
	}
	c.mu.Unlock()
	if resize {
		c.o.Prom.SetWindow(v.Window, v.Points)
	}
	var ps prom.Snapshot
	if c.o.Prom != nil {
		ps = c.o.Prom.Snapshot()
	}
	if at.IsZero() {
		at = c.o.Now()
		values = c.current(at, ps)
	}

	live := v.End.IsZero()
	end := v.End
	if live {
		// the live chart ends where current values do: the seconds after
		// that are still being written and would dip
		end = c.currentEnd(at)
	}
	from := end.Add(-v.Window)
	step := max((v.Window / time.Duration(v.Points)).Truncate(time.Second), time.Second)

	// WindowEnd is At for a live view (consumers tell a moved view by
	// WindowEnd != At), though live series stop the lag short of it
	s := &sources.Snapshot{At: at, Phase: sources.PhaseNormal, Window: v.Window, WindowEnd: at}
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
		switch sp.kind {
		case kindNginx, kindApp:
			in.Series = c.series(k, from, end, step)
			in.Series.Name = sp.title
		case kindProm:
			r, ok := ps.Get(sp.query)
			switch {
			case ok && r.Kind == prom.KindRange && len(r.Series) > 0 && live:
				in.Series = r.Series[0] // already a copy
			case ok && r.Kind == prom.KindInstant:
				upTo := end
				if live {
					upTo = at // answers are true when fetched, not lagged
				}
				in.Series = sources.Series{Name: sp.title, Points: pointsBetween(hist[sp.name], from, upTo)}
			}
			in.Series.Unit = in.Value.Unit
		}
		in.Secondary = ov.secondary(c, sp)
		in.Driver = c.driverOf(k, end)
		s.Indicators = append(s.Indicators, in)
	}

	s.Tops = c.tops(from, end, v.Window, v.Rows)
	for _, a := range c.o.Apps {
		s.Logs = append(s.Logs, a.Watcher().View(end))
	}
	s.Sources = append(c.sourceStatus(ps), c.sinkStatus()...)
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

// tops are each access log's top IPs, paths and (when its format has
// $host) hosts over the end of the view, at most TopSpan long.
func (c *Collector) tops(from, end time.Time, window time.Duration, rows int) []sources.TopTable {
	// a zoomed table shows as many rows as fit, up to maxTopRows
	n := max(c.o.TopN, min(rows, maxTopRows))
	span := min(window, c.o.TopSpan)
	var out []sources.TopTable
	for i, src := range c.o.Nginx {
		a := src.Aggregator()
		ver, _, _ := a.Counts() // read before the window: a line counted meanwhile changes it
		f, t := end.Add(-span).Unix(), end.Unix()
		// Window's tables come from the tables of the whole minutes
		// touching [f, t): the same minutes and no new line give the same
		// tables
		key := topKey{src: i, span: span, fromMin: f - f%60, toMin: t - 1 - (t-1)%60, empty: t <= f, ver: ver, n: n}
		c.cache.mu.Lock()
		tables, ok := c.cache.tops[key]
		c.cache.mu.Unlock()
		if !ok {
			w := a.Window(end.Add(-span), end, n)
			prefix := ""
			if i > 0 || len(c.o.Nginx) > 1 {
				prefix = src.Name() + " "
			}
			tables = []sources.TopTable{
				{Title: prefix + "IPs", Window: span, Rows: topRows(w.TopIPs), Distinct: w.DistinctIPs, Exact: w.DistinctExact},
				{Title: prefix + "paths", Window: span, Rows: topRows(w.TopPaths), Exact: w.TopsExact}}
			if w.TopHosts != nil {
				tables = append(tables, sources.TopTable{Title: prefix + "hosts", Window: span, Rows: topRows(w.TopHosts), Exact: w.TopsExact})
			}
			if w.TopUpstreams != nil {
				tables = append(tables, sources.TopTable{Title: prefix + "upstreams", Window: span, Rows: topRows(w.TopUpstreams), Exact: w.TopsExact})
			}
			c.cache.mu.Lock()
			c.cache.tops = map[topKey][]sources.TopTable{key: tables} // only the newest is ever asked again
			c.cache.mu.Unlock()
		}
		for _, tt := range tables {
			tt.Rows = slices.Clone(tt.Rows) // every snapshot is its own copy
			out = append(out, tt)
		}
	}
	return out
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
	tops    map[topKey][]sources.TopTable
	drivers map[driverKey]*driverSet
}

type seriesKey struct {
	spec       int
	f, n, step int64 // first bucket (unix s), bucket count, step (s)
	tail       int64 // seconds the last bucket covers when short of a step
	nginxVer   nginx.Bucket
	appVer     uint64
}

type topKey struct {
	src            int
	span           time.Duration
	fromMin, toMin int64
	empty          bool
	ver            nginx.Bucket
	n              int // rows asked for
}

// maxTopRows bounds the rows a zoomed top table asks for: more than a
// screen shows.
const maxTopRows = 200

// series is spec k's series over [from, end) at step, as the source
// computes it (buckets aligned to multiples of step), from the cache
// when the source has no new data and the buckets are the same.
func (c *Collector) series(k int, from, end time.Time, step time.Duration) sources.Series {
	sp := c.specs[k]
	st := max(int64(step/time.Second), 1)
	f, t := from.Unix(), end.Unix()
	f -= f % st
	key := seriesKey{spec: k, f: f, step: st}
	if t > f {
		key.n = (t - f + st - 1) / st
		key.tail = (t - f) % st
	}
	switch sp.kind {
	case kindNginx:
		key.nginxVer, _, _ = c.o.Nginx[sp.src].Aggregator().Counts()
	case kindApp:
		key.appVer = c.o.Apps[sp.src].Watcher().Version()
	}
	c.cache.mu.Lock()
	s, ok := c.cache.series[key]
	c.cache.mu.Unlock()
	if !ok {
		switch sp.kind {
		case kindNginx:
			s, _ = c.o.Nginx[sp.src].Aggregator().Series(sp.m, sp.group, from, end, step)
		case kindApp:
			s, _ = c.o.Apps[sp.src].Watcher().Series(sp.col, from, end, step)
		}
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

// sourceStatus is one line per source for the status bar.
func (c *Collector) sourceStatus(ps prom.Snapshot) []sources.SourceStatus {
	c.mu.Lock()
	runErrs := make(map[string]string, len(c.runErrs))
	for k, v := range c.runErrs {
		runErrs[k] = v
	}
	c.mu.Unlock()
	var out []sources.SourceStatus
	logStatus := func(name, kind string, h healthOf, last time.Time) {
		if e, ok := runErrs[name]; ok {
			h = healthOf{sources.HealthError, sources.Sanitize(e)}
		}
		if h.health == sources.HealthOK && last.IsZero() {
			h.health = sources.HealthUnknown // nothing read yet
		}
		out = append(out, sources.SourceStatus{Name: name, Kind: kind, Health: h.health, Detail: h.err, LastData: last})
	}
	for i, s := range c.o.Nginx {
		h := followHealth(s.Status())
		_, short, bad := s.FormatNote()
		if bad && h.health == sources.HealthOK {
			h = healthOf{sources.HealthError, sources.Sanitize(short)}
		}
		c.mu.Lock()
		if i < len(c.unread) && c.unread[i] != "" && h.health == sources.HealthOK {
			h = healthOf{sources.HealthError, c.unread[i]}
		}
		c.mu.Unlock()
		logStatus(s.Name(), "nginx", noted(h, s.Status()), s.Aggregator().Newest())
		if s.Aggregator().Format() != nil {
			out[len(out)-1].Note = sources.Sanitize(short)
		}
	}
	for _, s := range c.o.Apps {
		last := time.Time{}
		for _, f := range s.Status() {
			if f.LastLineAt.After(last) {
				last = f.LastLineAt
			}
		}
		logStatus(s.Name(), "applog", noted(appHealthOf(s), s.Status()), last)
	}
	promErr, crashed := runErrs["prom"]
	for _, r := range ps.Results {
		st := sources.SourceStatus{Name: "prom." + r.Name, Kind: "prom", Health: r.Health,
			Detail: sources.Sanitize(r.Err), LastData: r.FetchedAt}
		if crashed {
			st.Health, st.Detail = sources.HealthError, sources.Sanitize(promErr)
		}
		out = append(out, st)
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
