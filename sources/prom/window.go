package prom

import (
	"slices"
	"time"

	"warroom/sources"
)

// MaxPointsPerSeries is Prometheus' own limit on points per series in one
// range query; the step is chosen so a window never asks for more.
const MaxPointsPerSeries = 11000

// chooseStep picks the range-query step for a chart width points wide
// showing window: one point per column, in whole seconds, never so small
// that the window needs more than MaxPointsPerSeries points.
func chooseStep(window time.Duration, width int) time.Duration {
	if width < 1 {
		width = 1
	}
	step := ceilSecond(window / time.Duration(width))
	if min := ceilSecond(window / (MaxPointsPerSeries - 1)); step < min {
		step = min
	}
	return step
}

func ceilSecond(d time.Duration) time.Duration {
	if d <= time.Second {
		return time.Second
	}
	return (d + time.Second - 1).Truncate(time.Second)
}

// alignDown rounds t down to a multiple of step since the Unix epoch, so
// successive polls evaluate the same instants and their points line up.
func alignDown(t time.Time, step time.Duration) time.Time {
	ns := t.UnixNano()
	r := ns % int64(step)
	if r < 0 {
		r += int64(step)
	}
	return time.Unix(0, ns-r)
}

// rangePlan is one range request.
type rangePlan struct {
	start, end time.Time
	step       time.Duration
	backfill   bool // the whole window, not just the tail
}

// planRange asks for the whole window on the first poll (or when the
// stored data no longer connects to the window), and afterwards only the
// tail since lastEnd, starting one step earlier so the last point, which
// may have been computed from incomplete data, is recomputed.
func planRange(now time.Time, window, step time.Duration, lastEnd time.Time) rangePlan {
	end := alignDown(now, step)
	first := alignDown(end.Add(-window), step)
	if lastEnd.IsZero() || lastEnd.Before(first) || lastEnd.After(end) {
		return rangePlan{start: first, end: end, step: step, backfill: true}
	}
	return rangePlan{start: lastEnd.Add(-step), end: end, step: step}
}

// points returns how many evaluation instants a plan covers.
func (p rangePlan) points() int {
	return int(p.end.Sub(p.start)/p.step) + 1
}

// mergeSeries folds a fresh answer for [from, …] into the stored series:
// stored points from `from` on are replaced by the fresh ones (the overlap),
// series absent from the answer keep their older points, and everything
// before cutoff is dropped. Series left without points disappear.
func mergeSeries(stored, fresh []keyedSeries, from, cutoff time.Time) []keyedSeries {
	byKey := make(map[uint64]int, len(stored))
	out := make([]keyedSeries, 0, max(len(stored), len(fresh)))
	for _, s := range stored {
		s.Points = keepBefore(s.Points, from)
		byKey[uint64(s.key)] = len(out)
		out = append(out, s)
	}
	for _, f := range fresh {
		i, ok := byKey[uint64(f.key)]
		if !ok {
			byKey[uint64(f.key)] = len(out)
			out = append(out, f)
			continue
		}
		s := &out[i]
		s.Name, s.Labels = f.Name, f.Labels
		s.Points = append(s.Points, f.Points...)
	}
	kept := out[:0]
	for _, s := range out {
		s.Points = dropBefore(s.Points, cutoff)
		if hasValue(s.Points) {
			kept = append(kept, s)
		}
	}
	return kept
}

// keepBefore returns a fresh slice of the points strictly before t, so the
// stored slice can be appended to without touching copies handed out.
func keepBefore(pts []sources.Point, t time.Time) []sources.Point {
	i, _ := slices.BinarySearchFunc(pts, t, func(p sources.Point, t time.Time) int { return p.At.Compare(t) })
	return slices.Clone(pts[:i])
}

func dropBefore(pts []sources.Point, t time.Time) []sources.Point {
	i, _ := slices.BinarySearchFunc(pts, t, func(p sources.Point, t time.Time) int { return p.At.Compare(t) })
	if i == 0 {
		return pts
	}
	return slices.Clone(pts[i:])
}

func hasValue(pts []sources.Point) bool {
	_, ok := sources.Series{Points: pts}.Last()
	return ok
}
