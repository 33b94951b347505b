package pane

import (
	"maps"
	"math"
	"slices"

	"warroom/sources"
)

// What each pane reads of a snapshot, compared between two: a new snapshot
// every second mostly repeats the previous one (quiet logs, tables, error
// counts), and a pane whose data did not move keeps its drawing.

// sameIndicator compares everything a pane can show of one indicator,
// including how old a stale value reads (its age is counted from At).
func sameIndicator(a, b *sources.Snapshot, name string) bool {
	x, oka := a.Indicator(name)
	y, okb := b.Indicator(name)
	if oka != okb {
		return false
	}
	if !oka {
		return true
	}
	if x.Name != y.Name || x.Title != y.Title || x.State != y.State || x.Reason != y.Reason ||
		!sameFloat(x.Warn, y.Warn) || !sameFloat(x.Crit, y.Crit) ||
		x.Value.Name != y.Value.Name || !sameFloat(x.Value.Value, y.Value.Value) || x.Value.Unit != y.Value.Unit ||
		x.Value.Health != y.Value.Health || x.Value.Err != y.Value.Err ||
		!sameSeries(x.Series, y.Series) || !sameSeries(x.Secondary, y.Secondary) ||
		x.Below != y.Below || x.Pending != y.Pending || !x.PendingAt.Equal(y.PendingAt) {
		return false
	}
	// a pending state counts down from At: "crit in 6s", then "in 5s"
	if lx, ok := x.PendingIn(a.At); ok {
		if ly, _ := y.PendingIn(b.At); lx != ly {
			return false
		}
	}
	// When a value was true shows only on a stale one ("STALE 2m as of
	// 00:03:10"); a current value's At moves with every tick, and comparing
	// it redrew every pane of a quiet indicator (no DB errors) every second.
	if Stale(x) {
		return x.Value.At == y.Value.At && Age(a.At.Sub(x.Value.At)) == Age(b.At.Sub(y.Value.At))
	}
	return true
}

// sameChart compares what a chart shows of one indicator: its curves,
// thresholds, unit, title and whether it is stale — not the current value,
// its state or its reason, which only a stat pane shows (a chart redrawn
// for those was redrawn every tick a value moved).
func sameChart(x, y sources.Indicator) bool {
	return x.Name == y.Name && x.Title == y.Title && Stale(x) == Stale(y) && x.Value.Unit == y.Value.Unit &&
		sameFloat(x.Warn, y.Warn) && sameFloat(x.Crit, y.Crit) &&
		sameSeries(x.Series, y.Series) && sameSeries(x.Secondary, y.Secondary)
}

func sameSeries(a, b sources.Series) bool {
	return a.Name == b.Name && a.Unit == b.Unit && maps.Equal(a.Labels, b.Labels) &&
		slices.EqualFunc(a.Points, b.Points, func(p, q sources.Point) bool { return p.At == q.At && sameFloat(p.V, q.V) })
}

// sameFloat is == that also holds for two NaNs.
func sameFloat(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || a == b }
