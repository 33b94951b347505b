package vlogs

import (
	"context"
	"math"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/nginx"
	"warroom/sources/units"
	"warroom/sources/watch"
)

// accessMetrics are an access stream's indicators, in order: those an
// access log shows, then the two it has for rules only.
var accessMetrics = []nginx.Metric{
	nginx.MetricQPS, nginx.MetricSlowRatio, nginx.Metric499Rate, nginx.Metric5xxRatio, nginx.Metric304Rate,
	nginx.Metric5xxRate, nginx.Metric404Rate,
}

// accessTitles are what a person reads, as for an access log.
var accessTitles = map[nginx.Metric]string{
	nginx.MetricQPS: "QPS", nginx.MetricSlowRatio: "slow ‱", nginx.Metric499Rate: "499/s", nginx.Metric5xxRatio: "5xx ‱",
	nginx.Metric304Rate: "304/s", nginx.Metric5xxRate: "5xx/s", nginx.Metric404Rate: "404/s",
}

// accessInd is what an access stream's indicator reads: metric m of the
// counts from column off on (the stream's, 0, or a path group's).
type accessInd struct {
	m     nginx.Metric
	off   int
	group string // "" for the stream's own
}

// accessInds are an access stream's indicators in order: its metrics,
// then each path group's, as an access log lists them.
func accessInds(s StreamConfig) []accessInd {
	var out []accessInd
	for _, m := range accessMetrics {
		out = append(out, accessInd{m: m})
	}
	for i, g := range s.Groups {
		for _, m := range accessMetrics {
			out = append(out, accessInd{m: m, off: (i + 1) * accessWidth, group: g.Name})
		}
	}
	return out
}

// Indicators lists every stream's indicators, for checking rules when the
// config is loaded (collect.Known's extra) and for the sources built by
// New with the same keys: the first access stream's QPS, slow ratio and
// 499s are key when keyAccess, the first app stream's db pack when
// keyApp; those streams' titles are not prefixed with their names.
func Indicators(cfg Config, keyAccess, keyApp bool) []collect.IndicatorSpec {
	var out []collect.IndicatorSpec
	firstAccess, firstApp := true, true
	for _, s := range cfg.Streams {
		switch s.Kind {
		case KindAccess:
			key := keyAccess && firstAccess
			firstAccess = false
			prefix := s.Name + " "
			if key {
				prefix = ""
			}
			for i, ind := range accessInds(s) {
				m := ind.m
				if ind.group != "" {
					// a group's QPS and slow ratio show, the rest are
					// for rules (as an access log's groups)
					out = append(out, collect.IndicatorSpec{Name: s.Name + "." + ind.group + "." + string(m),
						Title: prefix + ind.group + " " + accessTitles[m], Unit: m.Unit(),
						Show: m == nginx.MetricQPS || m == nginx.MetricSlowRatio})
					continue
				}
				out = append(out, collect.IndicatorSpec{Name: s.Name + "." + string(m), Title: prefix + accessTitles[m], Unit: m.Unit(),
					Show: i < 5, Key: key && i < 3})
			}
		case KindApp:
			key := keyApp && firstApp
			firstApp = false
			ps, err := compilePatterns(s.Packs, s.Patterns)
			if err != nil {
				continue // Validate says why
			}
			prefix := s.Name + " "
			if key {
				prefix = ""
			}
			for _, pk := range s.Packs {
				out = append(out, collect.IndicatorSpec{Name: s.Name + "." + pk, Title: prefix + upper(pk) + " err/min",
					Unit: sources.UnitCount, Show: true, Key: key && pk == "db"})
			}
			for _, p := range ps {
				// a pack's members exist for rules; the pack's own count shows
				out = append(out, collect.IndicatorSpec{Name: s.Name + "." + p.name, Title: prefix + p.name + " /min",
					Unit: sources.UnitCount, Show: p.pack == ""})
			}
		}
	}
	return out
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// Access is an access stream: requests counted by VictoriaLogs.
type Access struct {
	base
	inds  []accessInd // aligned with the specs
	marks accessMarks
	tabs  tables
}

func newAccess(cfg StreamConfig, srv *server, o Options, specs []collect.IndicatorSpec) *Access {
	a := &Access{base: newBase(cfg, srv, o, specs, countersQuery(cfg), counterNames(cfg)), inds: accessInds(cfg), marks: marksOf(cfg)}
	a.base.detail, a.base.wanted = a.details, a.tabs.wanted
	a.tabs.prefix = cfg.Name + " "
	if len(specs) > 0 && specs[0].Key {
		a.tabs.prefix = ""
	}
	return a
}

// Run polls until ctx ends.
func (a *Access) Run(ctx context.Context) error { return a.loop(ctx) }

// Sum is the counts of [from, to) as an access log's, for a milestone
// report; ok false when the stream does not hold every second of it.
func (a *Access) Sum(from, to time.Time) (nginx.Bucket, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, held := a.bucket(from.Unix(), to.Unix(), 0)
	return b, held == to.Unix()-from.Unix()
}

// bucket is the counts of [from, to) from column off on (the stream's,
// 0, or a group's) as an access log's, and how many of those seconds are
// held; a.mu is held.
func (a *Access) bucket(from, to int64, off int) (nginx.Bucket, int64) {
	var sum [accessWidth]uint64
	held := a.ring.sum(from, to, off, sum[:])
	return toBucket(sum[:]), held
}

func toBucket(s []uint64) nginx.Bucket {
	var b nginx.Bucket
	b.Requests, b.Timed, b.Slow = uint32(s[colTotal]), uint32(s[colTimed]), uint32(s[colSlow])
	b.S499, b.S304, b.S404 = uint32(s[col499]), uint32(s[col304]), uint32(s[col404])
	b.Class[5] = uint32(s[col5xx])
	return b
}

// Values are each metric over the span before t.End (or before the end of
// what is held, when the newest seconds are not in yet), computed as an
// access log computes them. A stream that falls silent is stale, as a
// silent access log is.
func (a *Access) Values(t collect.TickInfo) []sources.Value {
	a.mu.Lock()
	defer a.mu.Unlock()
	h, msg := a.healthLocked(t.At)
	if t.RunErr != "" {
		h, msg = sources.HealthError, sources.Sanitize(t.RunErr)
	}
	end := a.heldEnd(t)
	from := end - int64(t.Span/time.Second)
	newest := a.ring.newest
	gap := a.usualGap()
	// the span's counts, every column's, summed once
	var sum []uint64
	if newest != noSecond {
		sum = make([]uint64, a.ring.width)
		a.ring.sum(from, end, 0, sum)
	}
	out := make([]sources.Value, len(a.specs))
	for i, sp := range a.specs {
		ind := a.inds[i]
		m := ind.m
		v := sources.Value{Name: sp.Name, Unit: sp.Unit, Value: math.NaN(), Health: h, Err: msg}
		switch {
		case h != sources.HealthOK && h != sources.HealthStale:
			// no answer: nothing held is current
		case newest == noSecond:
			v.Health, v.Err = sources.HealthUnknown, "no line in the window asked"
			if h == sources.HealthStale {
				v.Health, v.Err = h, msg
			}
		default:
			b := toBucket(sum[ind.off : ind.off+accessWidth])
			v.Value = m.Value(&b, t.Span)
			v.Counted = true
			v.Count, v.Total = m.Events(&b)
			v.Gap = gap
			v.At = time.Unix(min(newest, end), 0)
			if h == sources.HealthOK && gap > 0 && t.End.Sub(time.Unix(newest, 0)) >= watch.AutoAbsent(gap) {
				// no news from the stream, not a quiet site (see the
				// access log's)
				v.Health, v.Silent = sources.HealthStale, true
				v.Err = "the stream is silent since " + units.Clock(time.Unix(newest, 0).In(t.Zone))
			}
		}
		out[i] = v
	}
	return out
}

// gapSpan is how far back a stream's usual pace is measured.
const gapSpan = 15 * time.Minute

// usualGap is the usual time between lines over the gapSpan up to the
// newest line; 0 when too few lines tell; a.mu is held.
func (a *Access) usualGap() time.Duration {
	newest := a.ring.newest
	if newest == noSecond {
		return 0
	}
	from := max(newest-int64(gapSpan/time.Second), a.contigFrom)
	b, _ := a.bucket(from, newest+1, 0)
	if b.Requests < 3 {
		return 0
	}
	return time.Duration(newest+1-from) * time.Second / time.Duration(b.Requests)
}

// Series is metric i over [q.From, q.End) at q.Step: a step's rate is over
// the seconds of it that are held; a step none of whose seconds is held
// has no value.
func (a *Access) Series(i int, q collect.SeriesQuery) sources.Series {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.series(a.inds[i], q.From, q.End, q.Step)
	s.Name = a.specs[i].Title
	return s
}

// series is indicator ind from the ring; a.mu is held.
func (a *Access) series(ind accessInd, from, to time.Time, step time.Duration) sources.Series {
	m := ind.m
	st := max(int64(step/time.Second), 1)
	f := from.Unix()
	f -= f % st
	t := to.Unix()
	s := sources.Series{Unit: m.Unit()}
	for x := f; x < t; x += st {
		end := min(x+st, t)
		if end < x+st && 2*(end-x) < st && x > f {
			break // under half a step is too little for a rate of its own (see the access log's)
		}
		b, held := a.bucket(x, end, ind.off)
		v := math.NaN()
		if held > 0 {
			v = m.Value(&b, time.Duration(held)*time.Second)
		}
		s.Points = append(s.Points, sources.Point{At: time.Unix(x, 0), V: v})
	}
	return s
}

// Tops are the tables last fetched: clients, paths and hosts ranked by
// their 499s, slow requests and 5xx. The span and rows wanted are kept for
// the next fetch (now, when they changed).
func (a *Access) Tops(from, end time.Time, n int) []sources.TopTable {
	if a.tabs.want(end.Sub(from), n) {
		wakeUp(a.detailWake)
	}
	return a.tabs.tops()
}

// Drivers are what drove each indicator's requests over the minute
// before the last fetch, aligned with the indicators.
func (a *Access) Drivers(from, end time.Time) []*sources.Driver {
	return a.aligned(a.tabs.drivers())
}

// aligned are drivers by mark as the indicators' (nil for none).
func (a *Access) aligned(ds []*sources.Driver) []*sources.Driver {
	if ds == nil {
		return nil
	}
	out := make([]*sources.Driver, len(a.specs))
	for i, ind := range a.inds {
		if ind.group != "" {
			continue // the tables are the stream's, not the group's
		}
		mk, ok := markOf(ind.m)
		if !ok || ds[mk] == nil {
			continue
		}
		d := *ds[mk]
		d.Source = a.cfg.Name
		out[i] = &d
	}
	return out
}

func markOf(m nginx.Metric) (mark, bool) {
	switch m {
	case nginx.MetricQPS:
		return markReq, true
	case nginx.Metric499Rate:
		return mark499, true
	case nginx.MetricSlowRatio:
		return markSlow, true
	case nginx.Metric5xxRatio, nginx.Metric5xxRate:
		return mark5xx, true
	}
	return 0, false
}

// details fetches the top tables and drivers.
func (a *Access) details(ctx context.Context) {
	err := a.tabs.fetch(ctx, a, a.o.Now())
	if err == errCanceled {
		return
	}
	a.setDetail("tables", err)
}

// Shifted reads what the ring holds of an earlier span, or what was
// fetched for it (see FetchShifted).
func (a *Access) Shifted(i int, q collect.ShiftedQuery) sources.Series {
	a.mu.Lock()
	defer a.mu.Unlock()
	ind := a.inds[i]
	// not one request over a stage's whole window is a night VictoriaLogs
	// does not hold (not shipped, past its retention), not a quiet one:
	// no overlay rather than a line at 0
	if a.holds(q) {
		if b, _ := a.bucket(q.From.Unix(), q.End.Unix(), 0); b.Requests == 0 {
			return sources.Series{}
		}
		return a.series(ind, q.From, q.End, q.Step)
	}
	if o, ok := a.over.fits(q); ok {
		var n uint64
		o.each(q, func(_ int64, row []uint32) { n += uint64(row[colTotal]) })
		if n == 0 {
			return sources.Series{}
		}
		return o.access(ind, q)
	}
	return sources.Series{}
}

// FetchShifted fetches an earlier span the ring does not hold.
func (a *Access) FetchShifted(_ int, q collect.ShiftedQuery) {
	a.fetchShifted(q)
}
