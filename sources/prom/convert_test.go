package prom

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
)

func TestConvertValues(t *testing.T) {
	ts := model.TimeFromUnix(1_700_000_000)
	vec := model.Vector{
		{Metric: model.Metric{"code": "200", "instance": "a"}, Value: 5, Timestamp: ts},
		{Metric: model.Metric{"code": "500", "instance": "a"}, Value: model.SampleValue(math.Inf(1)), Timestamp: ts},
		{Metric: model.Metric{"code": "502", "instance": "b"}, Value: model.SampleValue(math.Float64frombits(staleNaN)), Timestamp: ts},
		{Metric: model.Metric{"code": "504", "instance": "\x1b[31mred"}, Value: model.SampleValue(math.Inf(-1)), Timestamp: ts},
	}
	lg, err := parseLegend("{{code}} {{ instance }}")
	if err != nil {
		t.Fatal(err)
	}
	c, err := convert(vec, lg, sources.UnitPerSecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	series, more := capSeries(c.series, 3, time.Time{})
	if more != 1 || len(series) != 3 {
		t.Fatalf("cap: %d series, %d more", len(series), more)
	}
	// +Inf ranks first, NaN last; the stale marker became a plain NaN.
	if series[0].Name != "500 a" || !math.IsInf(series[0].Points[0].V, 1) {
		t.Errorf("first = %+v", series[0])
	}
	if series[1].Name != "200 a" || series[2].Name != `504 \x1b[31mred` {
		t.Errorf("order/legend = %q, %q", series[1].Name, series[2].Name)
	}
	for _, s := range c.series {
		for _, p := range s.Points {
			if math.Float64bits(p.V) == staleNaN {
				t.Error("stale marker leaked through")
			}
		}
	}
	if series[0].Points[0].At != ts.Time() || series[0].Unit != sources.UnitPerSecond {
		t.Errorf("time/unit lost: %+v", series[0])
	}
}

// TestConvertEvaluationTime: an instant vector or scalar says which time
// it was evaluated for (the oldest stamp, should they differ); a matrix's
// samples keep their own times and say nothing of it, nor does an empty
// vector.
func TestConvertEvaluationTime(t *testing.T) {
	t0 := model.TimeFromUnix(1_700_000_000)
	for _, c := range []struct {
		name string
		v    model.Value
		want time.Time
	}{
		{"vector", model.Vector{{Value: 1, Timestamp: t0}, {Value: 2, Timestamp: t0}}, t0.Time()},
		{"vector of two times", model.Vector{{Value: 1, Timestamp: t0}, {Value: 2, Timestamp: t0.Add(-time.Minute)}}, t0.Add(-time.Minute).Time()},
		{"scalar", &model.Scalar{Value: 1, Timestamp: t0}, t0.Time()},
		{"empty vector", model.Vector{}, time.Time{}},
		{"matrix", model.Matrix{{Values: []model.SamplePair{{Timestamp: t0, Value: 1}}}}, time.Time{}},
	} {
		got, err := convert(c.v, nil, sources.UnitCount, 0)
		if err != nil || !got.evalAt.Equal(c.want) {
			t.Errorf("%s: evaluated for %v (%v), want %v", c.name, got.evalAt, err, c.want)
		}
	}
}

func TestConvertKinds(t *testing.T) {
	if c, err := convert(model.Vector{}, nil, sources.UnitCount, 0); err != nil || len(c.series) != 0 {
		t.Errorf("empty vector: %v %v", c, err)
	}
	c, err := convert(&model.Scalar{Value: model.SampleValue(math.NaN()), Timestamp: 1000}, nil, sources.UnitCount, 0)
	if err != nil || len(c.series) != 1 || !math.IsNaN(c.series[0].Points[0].V) || c.series[0].Name != "{}" {
		t.Errorf("scalar NaN: %+v %v", c, err)
	}
	if _, err := convert(&model.String{Value: "x"}, nil, sources.UnitCount, 0); err == nil {
		t.Error("a string result must be an error")
	}
	m := model.Matrix{{
		Metric: model.Metric{"job": "x"},
		Values: []model.SamplePair{{Timestamp: 0, Value: 1}, {Timestamp: 1000, Value: 2}, {Timestamp: 4000, Value: 3}},
	}}
	c, err = convert(m, nil, sources.UnitCount, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	p := c.series[0].Points
	if len(p) != 4 || !math.IsNaN(p[2].V) || p[2].At != time.UnixMilli(2000) {
		t.Errorf("a missing step must become one NaN point: %+v", p)
	}
	if c.series[0].Name != `{job="x"}` {
		t.Errorf("default legend = %q", c.series[0].Name)
	}
}

func TestLegend(t *testing.T) {
	lg, err := parseLegend("pod={{pod}}, {{missing}}!")
	if err != nil {
		t.Fatal(err)
	}
	if got := lg.render(model.Metric{"pod": "api-1"}); got != "pod=api-1, !" {
		t.Errorf("render = %q", got)
	}
	for _, bad := range []string{"{{a", "a}}", "{{}}", "{{a b}}"} {
		if _, err := parseLegend(bad); err == nil {
			t.Errorf("parseLegend(%q) accepted", bad)
		}
	}
}

func TestHealth(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	iv := 5 * time.Second
	cases := []struct {
		name string
		st   queryState
		now  time.Time
		want sources.Health
	}{
		{"nothing yet", queryState{}, t0, sources.HealthUnknown},
		{"fresh", queryState{fetchedAt: t0}, t0.Add(iv), sources.HealthOK},
		{"two intervals is still ok", queryState{fetchedAt: t0}, t0.Add(2 * iv), sources.HealthOK},
		{"stale", queryState{fetchedAt: t0}, t0.Add(2*iv + time.Millisecond), sources.HealthStale},
		{"error beats fresh", queryState{fetchedAt: t0, failHealth: sources.HealthError, failMsg: "bad_data: x"}, t0, sources.HealthError},
		{"unreachable", queryState{failHealth: sources.HealthUnreachable, failMsg: "dial"}, t0, sources.HealthUnreachable},
		// the headline sample's own time: a range point within one step
		// (10s) and two intervals of the range's end, an instant sample
		// within Prometheus' 5m lookback, nothing more than 1m ahead
		{"range point in time", answered(t0, 10*time.Second, t0.Add(-20*time.Second), 1), t0, sources.HealthOK},
		{"range point too old", answered(t0, 10*time.Second, t0.Add(-20*time.Second-time.Millisecond), 1), t0, sources.HealthStale},
		{"instant sample in the lookback", answered(t0, 0, t0.Add(-Lookback), 1), t0, sources.HealthOK},
		{"instant sample too old", answered(t0, 0, t0.Add(-Lookback-time.Millisecond), 1), t0, sources.HealthStale},
		{"sample a little ahead", answered(t0, 0, t0.Add(MaxAhead), 1), t0, sources.HealthOK},
		{"sample too far ahead", answered(t0, 0, t0.Add(MaxAhead+time.Millisecond), 1), t0, sources.HealthError},
		{"+Inf", answered(t0, 0, t0, math.Inf(1)), t0, sources.HealthError},
		{"NaN is no value", answered(t0, 0, t0, math.NaN()), t0, sources.HealthOK},
		{"an old answer is stale first", answered(t0, 0, t0, math.Inf(1)), t0.Add(2*iv + 1), sources.HealthStale},
		// an instant vector or scalar says when it was evaluated for: the
		// time asked, to the millisecond or the second; earlier, it is a
		// cached answer, whatever its value and however recent
		{"evaluated for the time asked", stamped(t0, t0, 1), t0, sources.HealthOK},
		{"evaluated a second off", stamped(t0, t0.Add(-StampTolerance), 1), t0, sources.HealthOK},
		{"cached", stamped(t0, t0.Add(-StampTolerance-time.Millisecond), 1), t0, sources.HealthStale},
		{"cached five minutes ago", stamped(t0, t0.Add(-Lookback), 1), t0, sources.HealthStale},
		{"cached NaN", stamped(t0, t0.Add(-time.Minute), math.NaN()), t0, sources.HealthStale},
		{"cached +Inf is stale, not an error", stamped(t0, t0.Add(-time.Minute), math.Inf(1)), t0, sources.HealthStale},
		{"evaluated a little ahead (the server's clock)", stamped(t0, t0.Add(30*time.Second), 1), t0, sources.HealthOK},
		{"failed beats cached", func() queryState {
			st := stamped(t0, t0.Add(-time.Minute), 1)
			st.failHealth, st.failMsg = sources.HealthUnreachable, "dial"
			return st
		}(), t0, sources.HealthUnreachable},
	}
	for _, c := range cases {
		got, msg := health(c.now, &c.st, iv, time.UTC)
		if got != c.want {
			t.Errorf("%s: health = %v (%s), want %v", c.name, got, msg, c.want)
		}
		if got == sources.HealthStale && msg == "" {
			t.Errorf("%s: stale without a reason", c.name)
		}
	}
}

// stamped is the state after one instant answer asked for `at` whose
// samples say they were evaluated for evalAt.
func stamped(at, evalAt time.Time, v float64) queryState {
	st := answered(at, 0, evalAt, v)
	st.evalAt = evalAt
	return st
}

// answered is the state after one answer evaluated at `at` (with a range
// step, or 0 for an instant query) whose one series' newest sample is v at
// sample.
func answered(at time.Time, step time.Duration, sample time.Time, v float64) queryState {
	return queryState{fetchedAt: at, at: at, step: step,
		series: []keyedSeries{{Series: sources.Series{Points: []sources.Point{{At: sample, V: v}}}}}}
}

// TestReasonZone: the times in a health reason are in the event's zone,
// labelled, with the date when it is not the query's.
func TestReasonZone(t *testing.T) {
	at := time.Date(2026, 12, 31, 16, 0, 10, 0, time.UTC) // 00:00:10 in Shanghai
	zone := func(name string) *time.Location {
		l, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for _, c := range []struct {
		loc    *time.Location
		evalAt time.Time
		want   string
	}{
		{zone("Asia/Shanghai"), at.Add(-5 * time.Minute), "cached answer from 2026-12-31 23:55:10 CST, 5m before the time asked (00:00:10 CST)"},
		{zone("America/New_York"), at.Add(-5 * time.Minute), "cached answer from 10:55:10 EST, 5m before the time asked (11:00:10 EST)"},
		{time.FixedZone("", 5*3600+1800), at.Add(-90 * time.Second), "cached answer from 21:28:40 +05:30, 1m30s before the time asked (21:30:10 +05:30)"},
	} {
		v := sources.Value{Value: 1, At: c.evalAt}
		h, msg := judgeValue(v, at, at.Add(-Lookback), c.evalAt, c.loc)
		if h != sources.HealthStale || msg != c.want {
			t.Errorf("in %s: %v %q, want stale %q", c.loc, h, msg, c.want)
		}
	}
}
