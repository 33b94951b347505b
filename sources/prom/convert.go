package prom

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
)

// staleNaN is the bit pattern Prometheus uses to mark a series as gone
// (prometheus/model/value.StaleNaN). The query API normally drops such
// samples, but other servers speaking the API may pass them through.
const staleNaN uint64 = 0x7ff0000000000002

// cleanValue turns stale markers into plain NaN ("no value here"); other
// NaNs and ±Inf are real answers and are kept (for charts; judgeValue
// keeps ±Inf from being a headline number).
func cleanValue(v model.SampleValue) float64 {
	f := float64(v)
	if math.Float64bits(f) == staleNaN {
		return math.NaN()
	}
	return f
}

// converted is a query answer in sources types, before capping.
type converted struct {
	series []keyedSeries
	// evalAt is the time an instant vector or scalar was evaluated for:
	// Prometheus stamps every sample of one with it (the oldest stamp,
	// should they differ). Zero for a matrix, whose samples keep their
	// own times, and for an empty vector.
	evalAt time.Time
}

// stamped notes a sample time of an evaluation-stamped answer.
func (c *converted) stamped(t time.Time) {
	if c.evalAt.IsZero() || t.Before(c.evalAt) {
		c.evalAt = t
	}
}

// keyedSeries is a series with the label fingerprint that identifies it
// across polls.
type keyedSeries struct {
	key model.Fingerprint
	sources.Series
}

// convert turns a model.Value into series. An instant vector gives one
// single-point series per element; a scalar gives one unlabelled series.
// Strings are not numbers a dashboard can show, so they are an error; so
// is no value at all, which client_golang returns when a "success" answer
// has no data (an empty result is an empty vector, not nothing).
func convert(v model.Value, lg legend, unit sources.Unit, step time.Duration) (converted, error) {
	var out converted
	switch val := v.(type) {
	case nil:
		return out, errors.New(`no "data" in a "success" answer`)
	case model.Vector:
		for _, s := range val {
			out.stamped(s.Timestamp.Time())
			out.series = append(out.series, keyedSeries{
				key: s.Metric.Fingerprint(),
				Series: sources.Series{
					Name:   lg.render(s.Metric),
					Labels: labels(s.Metric),
					Unit:   unit,
					Points: []sources.Point{{At: s.Timestamp.Time(), V: cleanValue(s.Value)}},
				},
			})
		}
	case *model.Scalar:
		out.stamped(val.Timestamp.Time())
		out.series = append(out.series, keyedSeries{
			Series: sources.Series{
				Name:   lg.render(model.Metric{}),
				Unit:   unit,
				Points: []sources.Point{{At: val.Timestamp.Time(), V: cleanValue(val.Value)}},
			},
		})
	case model.Matrix:
		for _, s := range val {
			out.series = append(out.series, keyedSeries{
				key: s.Metric.Fingerprint(),
				Series: sources.Series{
					Name:   lg.render(s.Metric),
					Labels: labels(s.Metric),
					Unit:   unit,
					Points: matrixPoints(s.Values, step),
				},
			})
		}
	case *model.String:
		return out, errors.New("expression returns a string, not a number")
	default:
		return out, fmt.Errorf("unexpected result type %s", v.Type())
	}
	return out, nil
}

// matrixPoints converts samples, inserting one NaN point where steps are
// missing so a chart breaks the line instead of drawing across the hole.
func matrixPoints(vals []model.SamplePair, step time.Duration) []sources.Point {
	pts := make([]sources.Point, 0, len(vals))
	for i, sp := range vals {
		at := sp.Timestamp.Time()
		if i > 0 && step > 0 {
			prev := vals[i-1].Timestamp.Time()
			if at.Sub(prev) > step+step/2 {
				pts = append(pts, sources.Point{At: prev.Add(step), V: math.NaN()})
			}
		}
		pts = append(pts, sources.Point{At: at, V: cleanValue(sp.Value)})
	}
	return pts
}

func labels(m model.Metric) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[sanitize(string(k))] = sanitize(string(v))
	}
	return out
}

// rank orders series most significant first: series with a current value
// (newest sample at or after since) before those whose newest sample is
// history, then highest latest value, NaN last, then by name so the order
// is stable between polls. So a gone series with a high old value neither
// takes the headline from a current one nor pushes it out of the cap.
func rank(ss []keyedSeries, since time.Time) {
	slices.SortStableFunc(ss, func(a, b keyedSeries) int {
		ap, aok := a.Last()
		bp, bok := b.Last()
		av, bv := ap.V, bp.V
		an, bn := !aok, !bok
		ac, bc := !ap.At.Before(since), !bp.At.Before(since)
		switch {
		case an && !bn:
			return 1
		case !an && bn:
			return -1
		case !an && !bn && ac != bc:
			if ac {
				return -1
			}
			return 1
		case !an && !bn && av != bv:
			return cmp.Compare(bv, av)
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

// capSeries keeps the max most significant series (see rank) and says how
// many it dropped.
func capSeries(ss []keyedSeries, max int, since time.Time) ([]keyedSeries, int) {
	rank(ss, since)
	if max <= 0 || len(ss) <= max {
		return ss, 0
	}
	return ss[:max], len(ss) - max
}
