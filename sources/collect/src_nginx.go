package collect

import (
	"context"
	"math"
	"sync"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/units"
	"warroom/sources/watch"
)

// nginxSource is an access log as the collector reads it.
type nginxSource struct {
	src    *nginx.Source
	specs  []spec
	prefix string // the top tables' title prefix: the log's name when there are several

	mu     sync.Mutex // guards the unreadable-line state below
	marks  []lineMark // see unreadable.go
	unread string     // why most recent lines were not counted
}

func newNginxSource(i int, s *nginx.Source, many bool) *nginxSource {
	n := &nginxSource{src: s, specs: nginxCatalog(i, s.Config(), many)}
	if i > 0 || many {
		n.prefix = s.Name() + " "
	}
	return n
}

func (n *nginxSource) Name() string                  { return n.src.Name() }
func (n *nginxSource) Run(ctx context.Context) error { return n.src.Run(ctx) }
func (n *nginxSource) Indicators() []IndicatorSpec   { return publicSpecs(n.specs) }

// Version is the whole-run count of lines counted: series and top tables
// change only with it.
func (n *nginxSource) Version() uint64 { return n.src.Aggregator().Version() }

// health is the log's health at a tick: its run's error, the source's own
// verdict on its format (it knows as soon as a sample of new lines does
// not fit), then most recent lines unreadable, then its files'.
func (n *nginxSource) health(t TickInfo) healthOf {
	h := followHealth(n.src.Status())
	if t.RunErr != "" {
		h = healthOf{health: sources.HealthError, err: sources.Sanitize(t.RunErr)}
	}
	if _, short, bad := n.src.FormatNote(); bad && h.health == sources.HealthOK {
		h = healthOf{health: sources.HealthError, err: sources.Sanitize(short)}
	}
	if note := n.unreadable(t); note != "" && h.health == sources.HealthOK {
		h = healthOf{health: sources.HealthError, err: note}
	}
	return h
}

func (n *nginxSource) Values(t TickInfo) []sources.Value {
	agg := n.src.Aggregator()
	h := n.health(t)
	gap := usualGap(agg)
	newest := agg.Newest()
	from := t.End.Add(-t.Span)
	out := make([]sources.Value, len(n.specs))
	for i, sp := range n.specs {
		v := sources.Value{Name: sp.name, Unit: sp.unit, Value: math.NaN(), Health: h.health, Err: h.err, Loading: h.loading}
		switch {
		case newest.IsZero():
			// nothing read yet: no value, and absence counts from the
			// first tick
			if v.Health == sources.HealthOK {
				v.Health = sources.HealthUnknown
			}
		case cannotMeasure(sp.m, agg.Format()) != "" && v.Health == sources.HealthOK:
			// "—" alone would read as "no slow requests"
			v.Health, v.Err, v.Unmeasured = sources.HealthUnknown, cannotMeasure(sp.m, agg.Format()), true
		default:
			b, _ := agg.Sum(sp.group, from, t.End)
			v.Value = sp.m.Value(&b, t.Span)
			v.Counted = true
			v.Count, v.Total = sp.m.Events(&b)
			v.Gap = gap
			v.At = newest
			if newest.After(t.End) {
				v.At = t.End
			}
			if gap > 0 && v.Health == sources.HealthOK && t.End.Sub(newest) >= watch.AutoAbsent(gap) {
				// the log fell silent (as absent: auto judges it): its
				// 0/s and — are no news from it, not a quiet site
				v.Health, v.Silent = sources.HealthStale, true
				v.Err = "the log is silent since " + units.Clock(newest.In(t.Zone))
			}
		}
		out[i] = v
	}
	return out
}

func (n *nginxSource) Series(i int, q SeriesQuery) sources.Series {
	sp := n.specs[i]
	s, _ := n.src.Aggregator().Series(sp.m, sp.group, q.From, q.End, q.Step)
	s.Name = sp.title
	return s
}

// Shifted reads the retained aggregates on the spot: no IO, about the
// cost of the primary series. The per-second ring holds (newest−secs,
// newest]: older spans are read per minute.
func (n *nginxSource) Shifted(i int, q ShiftedQuery) sources.Series {
	sp := n.specs[i]
	agg := n.src.Aggregator()
	newest := agg.Newest()
	if newest.IsZero() {
		return sources.Series{}
	}
	ret := n.src.Config().Retention
	secs, mins := orDefault(time.Duration(ret.Seconds), 24*time.Hour), orDefault(time.Duration(ret.Minutes), 7*24*time.Hour)
	if q.End.Before(newest.Add(-mins)) {
		return sources.Series{}
	}
	step := q.Step
	if st := int64(max(step/time.Second, 1)); q.From.Unix()-q.From.Unix()%st <= newest.Unix()-int64(secs/time.Second) {
		step = max(step.Round(time.Minute), time.Minute)
	}
	s, _ := agg.Series(sp.m, sp.group, q.From, q.End, step)
	return s
}

func (n *nginxSource) Tops(from, end time.Time, n2 int) []sources.TopTable {
	w := n.src.Aggregator().Window(from, end, n2)
	span := end.Sub(from)
	tables := []sources.TopTable{
		{Title: n.prefix + "IPs", Window: span, Rows: topRows(w.TopIPs), Distinct: w.DistinctIPs, Exact: w.DistinctExact},
		{Title: n.prefix + "paths", Window: span, Rows: topRows(w.TopPaths), Exact: w.TopsExact}}
	if w.TopHosts != nil {
		tables = append(tables, sources.TopTable{Title: n.prefix + "hosts", Window: span, Rows: topRows(w.TopHosts), Exact: w.TopsExact})
	}
	if w.TopUpstreams != nil {
		tables = append(tables, sources.TopTable{Title: n.prefix + "upstreams", Window: span, Rows: topRows(w.TopUpstreams), Exact: w.TopsExact})
	}
	return tables
}

func (n *nginxSource) Totals(from, end time.Time) (sources.TopRow, bool) {
	agg := n.src.Aggregator()
	if agg.Newest().IsZero() {
		return sources.TopRow{}, false
	}
	b, ok := agg.Sum("", from, end)
	if !ok {
		return sources.TopRow{}, false
	}
	return sources.TopRow{Key: n.src.Name(), Count: uint64(b.Requests), S499: uint64(b.S499), Slow: uint64(b.Slow), S5xx: uint64(b.Class[5])}, true
}

func (n *nginxSource) Drivers(from, end time.Time) []*sources.Driver {
	nds, spanFrom, spanTo, have := nginx.Drivers([]*nginx.Aggregator{n.src.Aggregator()}, from, end)
	if !have {
		return nil
	}
	out := make([]*sources.Driver, len(n.specs))
	for i, sp := range n.specs {
		mk, ok := markOf(sp)
		if !ok {
			continue
		}
		d := nds[mk]
		out[i] = &sources.Driver{Mark: mk.String(), Source: n.src.Name(), Events: d.Events,
			Path: driverKeyOf(d.Path), Client: driverKeyOf(d.IP), Host: driverKeyOf(d.Host), Upstream: driverKeyOf(d.Upstream),
			Clients: d.IPs, Exact: d.Exact, From: spanFrom, To: spanTo}
	}
	return out
}

func (n *nginxSource) Status(t TickInfo) []sources.SourceStatus {
	h := followHealth(n.src.Status())
	if t.RunErr != "" {
		h = healthOf{health: sources.HealthError, err: sources.Sanitize(t.RunErr)}
	}
	_, short, bad := n.src.FormatNote()
	if bad && h.health == sources.HealthOK {
		h = healthOf{health: sources.HealthError, err: sources.Sanitize(short)}
	}
	n.mu.Lock()
	if n.unread != "" && h.health == sources.HealthOK {
		h = healthOf{health: sources.HealthError, err: n.unread}
	}
	n.mu.Unlock()
	st := logStatus(n.src.Name(), "nginx", noted(h, n.src.Status()), n.src.Aggregator().Newest())
	if n.src.Aggregator().Format() != nil {
		st.Note = sources.Sanitize(short)
	}
	return []sources.SourceStatus{st}
}

// logStatus is a log source's status-bar entry.
func logStatus(name, kind string, h healthOf, last time.Time) sources.SourceStatus {
	if h.health == sources.HealthOK && last.IsZero() {
		h.health = sources.HealthUnknown // nothing read yet
	}
	return sources.SourceStatus{Name: name, Kind: kind, Health: h.health, Detail: h.err, LastData: last}
}

// publicSpecs are specs as a Source lists them.
func publicSpecs(ss []spec) []IndicatorSpec {
	out := make([]IndicatorSpec, len(ss))
	for i, s := range ss {
		out[i] = IndicatorSpec{Name: s.name, Title: s.title, Unit: s.unit, Show: s.show, Key: s.key}
	}
	return out
}
