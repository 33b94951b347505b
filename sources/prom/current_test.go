package prom

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"warroom/sources"
)

// fakeSeries is one series of a fake range answer: a value per step from
// `from` to `to` (inclusive), clipped to the request.
type fakeSeries struct {
	job      string
	v        float64
	from, to time.Time
}

func writeSeries(w http.ResponseWriter, r fakeReq, ss ...fakeSeries) {
	res := []map[string]any{}
	for _, s := range ss {
		vals := [][2]any{}
		for t := r.start; !t.After(r.end); t = t.Add(r.step) {
			if t.Before(s.from) || t.After(s.to) {
				continue
			}
			vals = append(vals, [2]any{float64(t.Unix()), strconv.FormatFloat(s.v, 'f', -1, 64)})
		}
		if len(vals) > 0 {
			res = append(res, map[string]any{"metric": map[string]string{"job": s.job}, "values": vals})
		}
	}
	writeData(w, "matrix", res, nil)
}

// TestRangeValueOfAGoneSeries: a range query's last point is its current
// value only while it is near the range's end. A series that ended ten
// minutes ago (the reviewer's 00:06 seen at 00:16) is stale, keeps its
// own time, and makes EvaluateAll say so.
func TestRangeValueOfAGoneSeries(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 16, 0, 0, time.UTC)
	ended := time.Date(2024, 1, 1, 0, 6, 0, 0, time.UTC)
	f := newFakeProm(t, func(w http.ResponseWriter, r fakeReq) {
		writeSeries(w, r, fakeSeries{job: "gone", v: 77, to: ended})
	})
	clk := newClock(now)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	q := mustNew(t, testConfig(map[string]string{"p": f.URL}, QueryConfig{Name: "r", Kind: KindRange}),
		Options{Now: clk.Now, Window: time.Hour, Width: 120, Zone: func() *time.Location { return shanghai }})
	_, err = q.EvaluateAll(context.Background())
	r := get(t, q.Snapshot(), "r")
	t.Logf("%s", r)
	if r.Health != sources.HealthStale || r.Value.Health != sources.HealthStale {
		t.Fatalf("health %v, value health %v; want stale", r.Health, r.Value.Health)
	}
	if r.Value.Value != 77 || !r.Value.At.Equal(ended) {
		t.Errorf("value %v at %v; want the old 77 at its own time %v", r.Value.Value, r.Value.At, ended)
	}
	if !strings.Contains(r.Err, "newest sample at 08:06:00 CST, 10m before the query time 08:16:00 CST") {
		t.Errorf("reason %q should name the sample's time in the event's zone, and its age", r.Err)
	}
	if err == nil || !strings.Contains(err.Error(), `prom: query "r": stale: `) {
		t.Errorf("EvaluateAll error = %v", err)
	}
	if len(r.Series) != 1 || len(r.Series[0].Points) == 0 {
		t.Errorf("the history must still be charted: %+v", r.Series)
	}
}

// TestRangeSeriesVanishes: a live series that disappears (the server
// answers with nothing) turns stale within one step and two intervals,
// instead of showing its last value as current.
func TestRangeSeriesVanishes(t *testing.T) {
	t0 := time.Unix(1_700_000_100, 0) // a multiple of the 15 s step
	var mu sync.Mutex
	gone := false
	f := newFakeProm(t, func(w http.ResponseWriter, r fakeReq) {
		mu.Lock()
		defer mu.Unlock()
		if gone {
			writeSeries(w, r)
			return
		}
		writeSeries(w, r, fakeSeries{job: "x", v: 45, to: r.end})
	})
	clk := newClock(t0)
	q := mustNew(t, testConfig(map[string]string{"p": f.URL}, QueryConfig{Name: "r", Kind: KindRange, Interval: modelSeconds(5)}),
		Options{Now: clk.Now, Window: 15 * time.Minute, Width: 60})
	ctx := context.Background()
	if _, err := q.EvaluateAll(ctx); err != nil {
		t.Fatal(err)
	}
	if r := get(t, q.Snapshot(), "r"); r.Health != sources.HealthOK || r.Value.Value != 45 || !r.Value.At.Equal(t0) {
		t.Fatalf("live: %s", r)
	}
	mu.Lock()
	gone = true
	mu.Unlock()
	clk.Add(5 * time.Second)
	q.EvaluateAll(ctx) // no new step yet: the recomputed last step is gone
	clk.Add(40 * time.Second)
	q.EvaluateAll(ctx)
	r := get(t, q.Snapshot(), "r")
	t.Logf("%s", r)
	if r.Health != sources.HealthStale || r.Value.Health != sources.HealthStale || r.Value.Value != 45 {
		t.Fatalf("45 s after the series vanished: %s", r)
	}
	if age := r.At.Sub(r.Value.At); age <= 15*time.Second+10*time.Second {
		t.Fatalf("value at %v, %v before the range end: should not be stale yet", r.Value.At, age)
	}
}

// TestRangeHeadlinePrefersCurrent: a gone series with a higher old value
// neither hides a current one from the headline nor pushes it out of
// max_series.
func TestRangeHeadlinePrefersCurrent(t *testing.T) {
	now := time.Unix(1_700_000_100, 0)
	f := newFakeProm(t, func(w http.ResponseWriter, r fakeReq) {
		writeSeries(w, r,
			fakeSeries{job: "gone", v: 77, to: now.Add(-10 * time.Minute)},
			fakeSeries{job: "live", v: 50, to: r.end})
	})
	for _, max := range []int{1, 10} {
		clk := newClock(now)
		q := mustNew(t, testConfig(map[string]string{"p": f.URL}, QueryConfig{Name: "r", Kind: KindRange, MaxSeries: max}),
			Options{Now: clk.Now, Window: time.Hour, Width: 120})
		q.EvaluateAll(context.Background())
		r := get(t, q.Snapshot(), "r")
		if r.Health != sources.HealthOK || r.Value.Value != 50 || r.Series[0].Name != `{job="live"}` {
			t.Errorf("max_series %d: %s, first series %q", max, r, r.Series[0].Name)
		}
	}
}

// TestSampleTimes: an instant vector is stamped with the time asked for
// (to the millisecond, or the second); one stamped earlier is a cached
// answer, stale however recent, and one in the future is an error. A range
// answer's last point must not lie after the range's end.
func TestSampleTimes(t *testing.T) {
	now := time.Unix(1_700_000_100, 0)
	year := 365 * 24 * time.Hour
	cases := []struct {
		name   string
		kind   Kind
		offset time.Duration // sample time - evaluation time
		health sources.Health
		msg    string
	}{
		{"instant now", KindInstant, 0, sources.HealthOK, ""},
		{"instant to the second", KindInstant, -StampTolerance, sources.HealthOK, ""},
		{"instant stamped 2s early", KindInstant, -2 * time.Second, sources.HealthStale, "cached answer from 22:14:58 UTC, 2s before the time asked (22:15:00 UTC)"},
		{"instant within lookback", KindInstant, -4 * time.Minute, sources.HealthStale, "cached answer from 22:11:00 UTC, 4m before"},
		{"instant a year ago", KindInstant, -year, sources.HealthStale, "cached answer from 2022-11-14 22:15:00 UTC, 1y before"},
		{"instant a little ahead", KindInstant, 30 * time.Second, sources.HealthOK, ""},
		{"instant a year ahead", KindInstant, year, sources.HealthError, "1y after"},
		{"range a year ahead", KindRange, year, sources.HealthError, "1y after"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeProm(t, func(w http.ResponseWriter, r fakeReq) {
				if r.path == "/api/v1/query_range" {
					writeData(w, "matrix", []map[string]any{{"metric": map[string]string{}, "values": [][2]any{
						{float64(r.end.Unix()), "1"}, {float64(r.end.Add(c.offset).Unix()), "42"}}}}, nil)
					return
				}
				writeVector(w, r.at.Add(c.offset), 42)
			})
			q := mustNew(t, testConfig(map[string]string{"p": f.URL}, QueryConfig{Name: "x", Kind: c.kind}),
				Options{Now: newClock(now).Now, Window: time.Hour, Width: 120, Zone: func() *time.Location { return time.UTC }})
			snap, err := q.EvaluateAll(context.Background())
			r := get(t, snap, "x")
			t.Logf("%s", r)
			if r.Health != c.health || r.Value.Health != c.health || !strings.Contains(r.Err, c.msg) {
				t.Fatalf("health %v (value %v) %q; want %v containing %q", r.Health, r.Value.Health, r.Err, c.health, c.msg)
			}
			if (err == nil) != (c.health == sources.HealthOK) {
				t.Errorf("EvaluateAll error = %v", err)
			}
			if r.Value.Value != 42 || !r.Value.At.Equal(now.Add(c.offset).Truncate(time.Second)) && c.kind == KindInstant {
				t.Errorf("value %v at %v: the number and its own time must be kept", r.Value.Value, r.Value.At)
			}
		})
	}
}

// TestNonFiniteHeadline: ±Inf cannot be shown (the screen prints —, JSON
// null), so it is no value with an error naming it, never a judged number;
// NaN stays what it always was, no value from a healthy answer.
func TestNonFiniteHeadline(t *testing.T) {
	now := time.Unix(1_700_000_100, 0)
	for _, c := range []struct {
		v      float64
		health sources.Health
		msg    string
	}{
		{math.Inf(1), sources.HealthError, "value is +Inf"},
		{math.Inf(-1), sources.HealthError, "value is -Inf"},
		{math.NaN(), sources.HealthOK, ""},
	} {
		for _, kind := range []Kind{KindInstant, KindRange} {
			t.Run(fmt.Sprint(c.v, kind), func(t *testing.T) {
				f := newFakeProm(t, func(w http.ResponseWriter, r fakeReq) {
					if r.path == "/api/v1/query_range" {
						writeSeries(w, r, fakeSeries{job: "x", v: c.v, to: r.end})
						return
					}
					writeVector(w, r.at, c.v)
				})
				q := mustNew(t, testConfig(map[string]string{"p": f.URL}, QueryConfig{Name: "x", Kind: kind}),
					Options{Now: newClock(now).Now, Window: time.Hour, Width: 120})
				snap, _ := q.EvaluateAll(context.Background())
				r := get(t, snap, "x")
				t.Logf("%s", r)
				if r.Health != c.health || r.Value.Health != c.health || r.Err != c.msg || r.Value.Err != c.msg {
					t.Errorf("health %v (value %v) %q; want %v %q", r.Health, r.Value.Health, r.Err, c.health, c.msg)
				}
				if !math.IsNaN(r.Value.Value) {
					t.Errorf("value = %v, want none (NaN)", r.Value.Value)
				}
				if len(r.Series) != 1 && math.IsInf(c.v, 0) {
					t.Errorf("the series must still be kept: %+v", r.Series)
				}
			})
		}
	}
}
