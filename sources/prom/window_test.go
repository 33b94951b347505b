package prom

import (
	"math"
	"testing"
	"time"

	"warroom/sources"
)

func TestChooseStep(t *testing.T) {
	cases := []struct {
		window time.Duration
		width  int
		want   time.Duration
	}{
		{time.Hour, 120, 30 * time.Second},
		{time.Hour, 7, 515 * time.Second}, // 514.28s rounded up
		{time.Minute, 200, time.Second},   // never below 1s
		{30 * 24 * time.Hour, 100000, 236 * time.Second},
		{time.Hour, 0, time.Hour},
	}
	for _, c := range cases {
		got := chooseStep(c.window, c.width)
		if got != c.want {
			t.Errorf("chooseStep(%v, %d) = %v, want %v", c.window, c.width, got, c.want)
		}
		if n := int(c.window/got) + 1; n > MaxPointsPerSeries {
			t.Errorf("chooseStep(%v, %d): %d points per series", c.window, c.width, n)
		}
	}
}

func TestPlanRange(t *testing.T) {
	now := time.Unix(1_700_000_017, 500_000_000)
	step := 10 * time.Second
	p := planRange(now, time.Minute, step, time.Time{})
	if !p.backfill || p.end != time.Unix(1_700_000_010, 0) || p.start != time.Unix(1_699_999_950, 0) || p.points() != 7 {
		t.Fatalf("first plan = %+v (%d points)", p, p.points())
	}
	next := planRange(now.Add(25*time.Second), time.Minute, step, p.end)
	if next.backfill || next.start != p.end.Add(-step) || next.end != time.Unix(1_700_000_040, 0) || next.points() != 5 {
		t.Fatalf("tail plan = %+v (%d points)", next, next.points())
	}
	same := planRange(now, time.Minute, step, p.end)
	if same.backfill || same.points() != 2 {
		t.Fatalf("no-new-step plan = %+v", same)
	}
	gap := planRange(now.Add(time.Hour), time.Minute, step, p.end)
	if !gap.backfill {
		t.Fatalf("a tail that no longer reaches the window must backfill: %+v", gap)
	}
}

func pts(start int64, vals ...float64) []sources.Point {
	out := make([]sources.Point, len(vals))
	for i, v := range vals {
		out[i] = sources.Point{At: time.Unix(start+int64(i), 0), V: v}
	}
	return out
}

func TestMergeSeries(t *testing.T) {
	stored := []keyedSeries{
		{key: 1, Series: sources.Series{Name: "a", Points: pts(100, 1, 2, 3, 4)}},
		{key: 2, Series: sources.Series{Name: "gone", Points: pts(99, 9, 9)}},
	}
	keep := stored[0].Points // a copy handed out earlier must not change
	fresh := []keyedSeries{
		{key: 1, Series: sources.Series{Name: "a", Points: pts(103, 40, 5, 6)}},
		{key: 3, Series: sources.Series{Name: "new", Points: pts(104, 7, 8)}},
	}
	got := mergeSeries(stored, fresh, time.Unix(103, 0), time.Unix(101, 0))
	if len(got) != 2 {
		t.Fatalf("got %d series, want a and new (gone fell out of the window)", len(got))
	}
	a := got[0]
	want := []float64{2, 3, 40, 5, 6}
	if len(a.Points) != len(want) {
		t.Fatalf("a = %v", a.Points)
	}
	for i, p := range a.Points {
		if p.V != want[i] || p.At != time.Unix(101+int64(i), 0) {
			t.Fatalf("a[%d] = %v, want %v at %d", i, p, want[i], 101+i)
		}
	}
	if keep[3].V != 4 {
		t.Fatal("merge wrote into a slice it did not own")
	}
	if got[1].Name != "new" || len(got[1].Points) != 2 {
		t.Fatalf("new series = %+v", got[1])
	}
}

func TestAlignDown(t *testing.T) {
	step := 15 * time.Second
	a := alignDown(time.Unix(1_000_007, 999), step)
	if a != time.Unix(1_000_005, 0) {
		t.Fatalf("alignDown = %v", a.Unix())
	}
	if alignDown(a, step) != a {
		t.Fatal("alignDown is not idempotent")
	}
	if math.Mod(float64(a.Unix()), 15) != 0 {
		t.Fatal("not on a step boundary since the epoch")
	}
}

func TestServerTimeout(t *testing.T) {
	for deadline, want := range map[time.Duration]string{
		10 * time.Second: "9s", 2 * time.Second: "1s", time.Second: "900ms", 1500 * time.Millisecond: "1s", 5 * time.Millisecond: "4ms",
	} {
		if got := serverTimeout(deadline).String(); got != want {
			t.Errorf("serverTimeout(%v) = %s, want %s (Prometheus rejects fractions)", deadline, got, want)
		}
	}
}
