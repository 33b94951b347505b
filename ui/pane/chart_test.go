package pane

import (
	"math"
	"testing"
	"time"

	"warroom/sources"
)

func TestVsPrev(t *testing.T) {
	at := time.Date(2026, 12, 2, 0, 5, 0, 0, time.UTC)
	pts := func(vs ...float64) []sources.Point {
		out := make([]sources.Point, len(vs))
		for i, v := range vs {
			out[i] = sources.Point{At: at.Add(time.Duration(i) * time.Minute), V: v}
		}
		return out
	}
	for _, tc := range []struct {
		now, prev []float64
		want      string
	}{
		{[]float64{10, 15}, []float64{10, 10}, "vs prev +50%"},
		{[]float64{10, 5}, []float64{10, 20, 999}, "vs prev -75%"}, // the overlay's later points are not compared
		{[]float64{10, 5}, []float64{10, math.NaN()}, "vs prev -50%"},
		{[]float64{10, 5}, []float64{0, 0}, ""},
		{[]float64{10, 997}, []float64{10, 1000}, "vs prev +0%"}, // not -0%
		{[]float64{10, 5}, nil, ""},
		{nil, []float64{1, 2}, ""},
	} {
		in := sources.Indicator{Series: sources.Series{Points: pts(tc.now...)}, Secondary: sources.Series{Points: pts(tc.prev...)}}
		if got := vsPrev(in); got != tc.want {
			t.Errorf("now %v prev %v: %q, want %q", tc.now, tc.prev, got, tc.want)
		}
	}
}

// An overlay with no point to draw (the previous stage was before the log
// began: all gaps) is not offered in the legend.
func TestOverlayWithOnlyGapsIsLeftOut(t *testing.T) {
	at := time.Date(2026, 12, 2, 0, 5, 0, 0, time.UTC)
	snap := &sources.Snapshot{At: at, WindowEnd: at, Window: 15 * time.Minute}
	in := sources.Indicator{Name: "nginx.qps", Title: "QPS", Warn: math.NaN(), Crit: math.NaN(),
		Series:    sources.Series{Points: []sources.Point{{At: at.Add(-time.Minute), V: 5}}},
		Secondary: sources.Series{Name: "prev: S0", Points: []sources.Point{{At: at.Add(-time.Minute), V: math.NaN()}}}}
	if o := chartOptions(snap, []sources.Indicator{in}, 60, 10, Options{}); len(o.Secondary) != 0 {
		t.Errorf("an all-gap overlay is drawn: %+v", o.Secondary)
	}
	in.Secondary.Points[0].V = 3
	if o := chartOptions(snap, []sources.Indicator{in}, 60, 10, Options{}); len(o.Secondary) != 1 {
		t.Errorf("an overlay with a point is left out")
	}
}
