package collect

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/units"
	"warroom/sources/watch"
)

// AllName is the name of the access logs' sum when there are several (a
// log per host): its indicators (all.qps, all.slow_ratio, ...) are the
// key ones, each log's its own.
const AllName = "all"

// allSource is the sum of several access logs: the fleet's requests,
// slow responses, 499s and 5xx, counted from every log's buckets (a ratio
// is the ratio of the sums, never an average of ratios). A log that is
// down or silent is left out and the values say so ("3 of 4 logs"), so a
// partial sum never passes for the whole.
type allSource struct {
	logs  []*nginxSource
	specs []spec
}

func newAllSource(logs []*nginxSource) *allSource {
	return &allSource{logs: logs, specs: allCatalog()}
}

// allCatalog is the sum's indicators: every access-log metric, the key
// ones key.
func allCatalog() []spec {
	var out []spec
	for _, m := range nginx.Metrics {
		out = append(out, spec{name: AllName + "." + string(m), title: AllName + " " + nginxTitles[m], unit: m.Unit(),
			src: -1, m: m, show: shownMetrics[m], key: slices.Contains(keyMetrics, m)})
	}
	return out
}

func (a *allSource) Name() string                { return AllName }
func (a *allSource) Run(context.Context) error   { return nil } // the logs run themselves
func (a *allSource) Indicators() []IndicatorSpec { return publicSpecs(a.specs) }

// Version changes whenever a log's does.
func (a *allSource) Version() uint64 {
	var v uint64
	for _, l := range a.logs {
		v += l.Version()
	}
	return v
}

// Values sums the logs that are read and current; the rest are named in
// each value's note.
func (a *allSource) Values(t TickInfo) []sources.Value {
	from := t.End.Add(-t.Span)
	var in []*nginxSource
	var out []string
	var newest, silentSince time.Time
	allSilent := true
	gap := time.Duration(0)
	for _, l := range a.logs {
		agg := l.src.Aggregator()
		h := l.health(TickInfo{At: t.At, End: t.End, Span: t.Span, Lag: t.Lag, Zone: t.Zone})
		n := agg.Newest()
		g := usualGap(agg)
		switch {
		case h.health != sources.HealthOK || n.IsZero():
			out = append(out, l.Name())
			allSilent = false
		case g > 0 && t.End.Sub(n) >= watch.AutoAbsent(g):
			out = append(out, l.Name()+" silent since "+units.Clock(n.In(t.Zone)))
			if n.After(silentSince) {
				silentSince = n
			}
		default:
			in = append(in, l)
			if n.After(newest) {
				newest = n
			}
			if gap == 0 || g < gap {
				gap = g
			}
		}
	}
	note := ""
	if len(out) > 0 {
		note = fmt.Sprintf("%d of %d logs: without %s", len(in), len(a.logs), strings.Join(out, ", "))
	}
	// each log's span, summed once for every metric
	spans := make([]nginx.Bucket, len(in))
	for j, l := range in {
		spans[j], _ = l.src.Aggregator().Sum("", from, t.End)
	}
	vals := make([]sources.Value, len(a.specs))
	for i, sp := range a.specs {
		v := sources.Value{Name: sp.name, Unit: sp.unit, Value: math.NaN(), Health: sources.HealthOK, Err: note}
		measured := 0
		var b nginx.Bucket
		for j, l := range in {
			if cannotMeasure(sp.m, l.src.Aggregator().Format()) != "" {
				continue
			}
			measured++
			b.Add(&spans[j])
		}
		switch {
		case len(in) == 0 && allSilent:
			// the whole fleet fell silent: as one log does (absence, not
			// an error per rule)
			v.Health, v.Silent, v.At = sources.HealthStale, true, silentSince
			v.Err = "every log is silent: " + strings.Join(out, ", ")
		case len(in) == 0:
			v.Health, v.Err = sources.HealthError, "no log is read: "+strings.Join(out, ", ")
		case measured == 0:
			v.Health, v.Err, v.Unmeasured = sources.HealthUnknown, cannotMeasure(sp.m, in[0].src.Aggregator().Format()), true
		default:
			v.Value = sp.m.Value(&b, t.Span)
			v.Counted = true
			v.Count, v.Total = sp.m.Events(&b)
			v.Gap, v.At = gap, newest
			if newest.After(t.End) {
				v.At = t.End
			}
			if measured < len(in) && v.Err == "" {
				v.Err = fmt.Sprintf("%d of %d logs measure it", measured, len(a.logs))
			}
		}
		vals[i] = v
	}
	return vals
}

// Series sums the logs' buckets point by point.
func (a *allSource) Series(i int, q SeriesQuery) sources.Series {
	sp := a.specs[i]
	return a.sum(sp, q.From, q.End, q.Step)
}

// Shifted is the same sum over an earlier span (the previous milestone).
func (a *allSource) Shifted(i int, q ShiftedQuery) sources.Series {
	return a.sum(a.specs[i], q.From, q.End, q.Step)
}

// sum is metric sp.m over [from, end) at step from every log's buckets;
// a point before any log's first line is a gap, not zero.
func (a *allSource) sum(sp spec, from, end time.Time, step time.Duration) sources.Series {
	st := max(int64(step/time.Second), 1)
	f, t := from.Unix(), end.Unix()
	f -= f % st
	first := int64(0)
	for _, l := range a.logs {
		if fl := l.src.Aggregator().First(); !fl.IsZero() && (first == 0 || fl.Unix() < first) {
			first = fl.Unix()
		}
	}
	s := sources.Series{Name: sp.title, Unit: sp.unit}
	for x := f; x < t; x += st {
		if first == 0 || x+st <= first {
			s.Points = append(s.Points, sources.Point{At: time.Unix(x, 0), V: math.NaN()})
			continue
		}
		e := min(x+st, t)
		var b nginx.Bucket
		for _, l := range a.logs {
			lb, _ := l.src.Aggregator().Sum("", time.Unix(x, 0), time.Unix(e, 0))
			b.Add(&lb)
		}
		s.Points = append(s.Points, sources.Point{At: time.Unix(x, 0), V: sp.m.Value(&b, time.Duration(e-x)*time.Second)})
	}
	return s
}

// Status has no line of its own: each log has its.
func (a *allSource) Status(TickInfo) []sources.SourceStatus { return nil }
