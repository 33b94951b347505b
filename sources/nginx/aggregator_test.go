package nginx

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// line builds a main-format line at t.
func line(t time.Time, ip, path string, status int, reqSec float64, up string) string {
	return fmt.Sprintf(`%s - - [%s] "GET %s HTTP/1.1" %d 100 "-" "ua" %.3f %s`+"\n",
		ip, t.Format("02/Jan/2006:15:04:05 -0700"), path, status, reqSec, up)
}

var t0 = time.Date(2026, 12, 31, 23, 59, 0, 0, time.FixedZone("CST", 8*3600))

func newTestAgg(t *testing.T, o Options) *Aggregator {
	t.Helper()
	if o.Format == nil {
		o.Format = mustFormat(t, "timed")
	}
	return NewAggregator(o)
}

func TestAggregatorCounts(t *testing.T) {
	a := newTestAgg(t, Options{Slow: 500 * time.Millisecond,
		Groups: []Group{{Name: "pay", Prefix: "/pay/", Slow: 200 * time.Millisecond}, {Name: "static", Glob: "*.js"}}})
	var b strings.Builder
	b.WriteString(line(t0, "1.1.1.1", "/pay/order/1?x=1", 200, 0.300, "0.290"))            // pay slow (>200ms), not globally slow
	b.WriteString(line(t0, "1.1.1.1", "/pay/order/2", 499, 0.900, "-"))                    // 499, globally slow
	b.WriteString(line(t0.Add(time.Second), "2.2.2.2", "/a-77cc09a6.js", 304, 0.001, "-")) // static
	b.WriteString(line(t0.Add(time.Second), "3.3.3.3", "/api", 502, 0.050, "0.020, 0.030"))
	b.WriteString("garbage\n\n")
	a.Ingest([]byte(b.String()))
	s := a.Summary(10)
	if s.Lines != 6 || s.Requests != 4 || s.BadLines != 1 {
		t.Fatalf("lines %d requests %d bad %d", s.Lines, s.Requests, s.BadLines)
	}
	if s.S499 != 1 || s.Class[5] != 1 || s.S304 != 1 || s.Totals.Bucket.Slow != 1 || s.NoUpstream != 2 || s.UpCount != 2 {
		t.Fatalf("totals %+v", s.Totals.Bucket)
	}
	if s.Status[200] != 1 || s.Status[499] != 1 || s.Status[304] != 1 || s.Status[502] != 1 {
		t.Fatalf("status %v", s.Status)
	}
	if s.UpTimeUS != 290000+50000 {
		t.Fatalf("upstream time %d", s.UpTimeUS)
	}
	if len(s.Groups) != 2 || s.Groups[0].Requests != 2 || s.Groups[0].Totals.Bucket.Slow != 2 || s.Groups[1].Requests != 1 {
		t.Fatalf("groups %+v", s.Groups)
	}
	if s.TopIPs[0].Key != "1.1.1.1" || s.TopIPs[0].Count != 2 || s.TopIPs[0].S499 != 1 || s.TopIPs[0].Slow != 1 {
		t.Fatalf("top ips %+v", s.TopIPs)
	}
	if s.TopPaths[0].Key != "/pay/order/:id" || s.TopPaths[0].Count != 2 {
		t.Fatalf("top paths %+v", s.TopPaths)
	}
	if s.PeakSecond.Value != 2 || !s.PeakSecond.At.Equal(t0) {
		t.Fatalf("peak %+v", s.PeakSecond)
	}
	if !s.First.Equal(t0) || !s.Last.Equal(t0.Add(time.Second)) {
		t.Fatalf("first %v last %v", s.First, s.Last)
	}
	if len(s.Malformed) != 2 || s.Malformed[0].Samples[0].Line != 5 {
		t.Fatalf("malformed %+v", s.Malformed)
	}
}

func TestAggregatorPeaksSurviveRingReuse(t *testing.T) {
	// a 60-slot second ring over 10 minutes of lines: the busiest second is
	// reused long before Summary, yet must be reported
	a := newTestAgg(t, Options{Seconds: 60, Minutes: 60, DetailMinutes: 1})
	var b strings.Builder
	for s := 0; s < 600; s++ {
		n := 1
		if s == 30 {
			n = 50
		}
		for i := 0; i < n; i++ {
			b.WriteString(line(t0.Add(time.Duration(s)*time.Second), "1.1.1.1", "/", 200, 0.01, "0.01"))
		}
	}
	a.Ingest([]byte(b.String()))
	s := a.Summary(1)
	if s.PeakSecond.Value != 50 || !s.PeakSecond.At.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("peak %+v", s.PeakSecond)
	}
	if math.Abs(s.PeakMinute.Value-109.0/60) > 1e-9 {
		t.Fatalf("peak minute %+v", s.PeakMinute)
	}
}

func TestAggregatorWindowAndSeries(t *testing.T) {
	a := newTestAgg(t, Options{Seconds: 120, Minutes: 600, DetailMinutes: 30})
	var b strings.Builder
	// 10 minutes: 2 req/s, with a 499 every second during minute 5
	for s := 0; s < 600; s++ {
		at := t0.Add(time.Duration(s) * time.Second)
		b.WriteString(line(at, "1.1.1.1", "/a", 200, 0.010, "0.01"))
		st := 200
		if s/60 == 5 {
			st = 499
		}
		b.WriteString(line(at, fmt.Sprintf("9.9.9.%d", s%7), "/b", st, 2.0, "-"))
	}
	a.Ingest([]byte(b.String()))
	// the last minute is still in the second ring
	w := a.Window(t0.Add(540*time.Second), t0.Add(600*time.Second), 5)
	if w.Requests != 120 || w.S499 != 0 || w.Partial {
		t.Fatalf("recent window %+v", w.Totals.Bucket)
	}
	if w.DistinctIPs != 8 {
		t.Fatalf("distinct %d", w.DistinctIPs)
	}
	// minute 5 is only in the minute ring
	w = a.Window(t0.Add(300*time.Second), t0.Add(360*time.Second), 5)
	if w.Requests != 120 || w.S499 != 60 || w.Status[499] != 60 || w.Partial {
		t.Fatalf("old window %+v partial %v status %v", w.Totals.Bucket, w.Partial, w.Status)
	}
	if w.TopPaths[0].Count != 60 {
		t.Fatalf("window top %+v", w.TopPaths)
	}
	if p := w.P99; p < 1.9 || p > 2.1 {
		t.Fatalf("p99 %v", p)
	}
	// per-second series from the second ring
	s, ok := a.Series(MetricQPS, "", t0.Add(590*time.Second), t0.Add(600*time.Second), time.Second)
	if !ok || len(s.Points) != 10 || s.Points[0].V != 2 {
		t.Fatalf("series %+v", s)
	}
	// per-minute series for old data
	s, _ = a.Series(Metric499Rate, "", t0, t0.Add(10*time.Minute), time.Minute)
	if len(s.Points) != 10 || s.Points[5].V != 1 || s.Points[4].V != 0 {
		t.Fatalf("minute series %+v", s.Points)
	}
	s, _ = a.Series(MetricSlowRatio, "", t0.Add(599*time.Second), t0.Add(600*time.Second), time.Second)
	if s.Points[0].V != 0.5 {
		t.Fatalf("slow ratio %+v", s.Points)
	}
	// a window ending where the lines do, partway into its last step: that
	// point is the rate over the seconds it covers (2/s), not a dip
	end := t0.Add(600 * time.Second)
	step := int64(7)
	for end.Unix()%step == 0 {
		step++
	}
	s, _ = a.Series(MetricQPS, "", end.Add(-time.Minute), end, time.Duration(step)*time.Second)
	for i, p := range s.Points {
		if p.V != 2 {
			t.Fatalf("step %ds: point %d of %d is %v, want 2: %+v", step, i, len(s.Points), p.V, s.Points)
		}
	}
	if _, ok := a.Series(MetricQPS, "nope", t0, t0.Add(time.Minute), time.Second); ok {
		t.Fatal("unknown group accepted")
	}
}

func TestAggregatorFutureAndOld(t *testing.T) {
	now := t0
	a := newTestAgg(t, Options{Seconds: 60, Minutes: 60, Now: func() time.Time { return now }})
	a.Ingest([]byte(line(t0.Add(time.Hour), "1.1.1.1", "/", 200, 0.1, "-")))
	a.Ingest([]byte(line(t0, "1.1.1.1", "/", 200, 0.1, "-")))
	a.Ingest([]byte(line(t0.Add(-10*time.Minute), "1.1.1.1", "/", 200, 0.1, "-"))) // older than the second ring
	s := a.Summary(1)
	if s.Requests != 2 || s.TooOld != 1 || len(s.Malformed) != 1 || s.Malformed[0].Reason != "future_time" {
		t.Fatalf("requests %d old %d malformed %+v", s.Requests, s.TooOld, s.Malformed)
	}
}

func TestAggregatorFromTo(t *testing.T) {
	a := newTestAgg(t, Options{From: t0.Add(time.Second).Unix(), To: t0.Add(3 * time.Second).Unix()})
	var b strings.Builder
	for s := 0; s < 5; s++ {
		b.WriteString(line(t0.Add(time.Duration(s)*time.Second), "1.1.1.1", "/", 200, 0.1, "-"))
	}
	a.Ingest([]byte(b.String()))
	if s := a.Summary(1); s.Requests != 2 || s.Filtered != 3 {
		t.Fatalf("requests %d filtered %d", s.Requests, s.Filtered)
	}
}

func TestAggregatorBoundedMemory(t *testing.T) {
	// many distinct clients and paths: the sketches stay at their capacity
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		b.WriteString(line(t0, fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), fmt.Sprintf("/u/x%dy", i), 200, 0.1, "-"))
	}
	lean := newTestAgg(t, Options{Seconds: 60, Minutes: 60, DetailMinutes: 2, TopTotal: 100, NoDetail: true})
	lean.Ingest([]byte(b.String()))
	if len(lean.ips.ents) > 100 || len(lean.paths.ents) > 100 || len(lean.ips.idx) > 256 { // slots: 2×capacity, rounded up to a power of two
		t.Fatalf("sketch grew: %d %d", len(lean.ips.ents), len(lean.paths.ents))
	}
	full := newTestAgg(t, Options{Seconds: 60, Minutes: 60, DetailMinutes: 2, TopKeys: 100})
	full.Ingest([]byte(b.String()))
	lm := &full.tops.live[(t0.Unix()/60)&1]
	if n := len(lm.k[kindIP].ents); n > 100 || len(lm.k[kindIP].idx) > 256 {
		t.Fatalf("the minute's table grew to %d keys, %d slots", n, len(lm.k[kindIP].idx))
	}
	for _, a := range []*Aggregator{lean, full} {
		s := a.Summary(5)
		if s.TopExact {
			t.Fatal("evictions happened: top must be marked approximate")
		}
		if d := float64(s.DistinctIPs); math.Abs(d-20000)/20000 > 0.03 {
			t.Fatalf("distinct %v", d)
		}
	}
}

// TestNoDetailKeepsTotals: skipping the per-minute details (as scan does)
// changes nothing in the whole-run summary, and only drops what the
// details feed (a window's tops and quantiles).
func TestNoDetailKeepsTotals(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		at := t0.Add(time.Duration(i) * 40 * time.Millisecond)
		status := 200
		if i%17 == 0 {
			status = 499
		}
		b.WriteString(line(at, fmt.Sprintf("10.0.%d.%d", i%7, i%251), fmt.Sprintf("/api/item/%d", i%13), status, float64(i%1500)/1000, "0.010"))
	}
	full := newTestAgg(t, Options{})
	lean := newTestAgg(t, Options{NoDetail: true})
	full.Ingest([]byte(b.String()))
	lean.Ingest([]byte(b.String()))
	fs, ls := full.Summary(5), lean.Summary(5)
	if !reflect.DeepEqual(fs, ls) {
		t.Fatalf("summaries differ:\nfull %+v\nlean %+v", fs, ls)
	}
	if w := lean.Window(t0, t0.Add(2*time.Minute), 5); w.Requests != 3000 || len(w.TopIPs) != 0 {
		t.Errorf("lean window: %d requests, %d top IPs (want 3000 and none)", w.Requests, len(w.TopIPs))
	}
	if w := full.Window(t0, t0.Add(2*time.Minute), 5); len(w.TopIPs) == 0 {
		t.Error("full window lost its top IPs")
	}
}

// Before the first line counted there is no data: the series has gaps
// (NaN), not zeros, for rates and ratios alike.
func TestSeriesBeforeTheFirstLine(t *testing.T) {
	a := newTestAgg(t, Options{Seconds: 600, Minutes: 60})
	var b strings.Builder
	for s := 0; s < 10; s++ {
		b.WriteString(line(t0.Add(time.Duration(s)*time.Second), "1.1.1.1", "/", 200, 0.01, "0.01"))
	}
	a.Ingest([]byte(b.String()))
	for _, m := range []Metric{MetricQPS, MetricSlowRatio} {
		s, _ := a.Series(m, "", t0.Add(-5*time.Second), t0.Add(2*time.Second), time.Second)
		for i, p := range s.Points {
			if before := i < 5; before != math.IsNaN(p.V) {
				t.Errorf("%s at %s: %v", m, p.At.Sub(t0), p.V)
			}
		}
	}
	if !a.First().Equal(t0) {
		t.Errorf("First %v, want %v", a.First(), t0)
	}
}

// A step that holds the first line counts from it, and a last step cut to
// under half is left for the next refresh rather than read as a rate.
func TestSeriesEdgesAreRatesOfWhatTheyCover(t *testing.T) {
	a := newTestAgg(t, Options{Seconds: 600, Minutes: 60})
	base := t0.Truncate(time.Minute).Add(time.Minute)
	var b strings.Builder
	for s := 30; s < 150; s++ { // 2/s from base+30s
		for i := 0; i < 2; i++ {
			b.WriteString(line(base.Add(time.Duration(s)*time.Second), "1.1.1.1", "/", 200, 0.01, "0.01"))
		}
	}
	a.Ingest([]byte(b.String()))
	s, _ := a.Series(MetricQPS, "", base, base.Add(121*time.Second), time.Minute)
	if len(s.Points) != 2 || s.Points[0].V != 2 || s.Points[1].V != 2 {
		t.Errorf("points %+v: want 2/s for the minute the log began in and the next, and no 1 s tail", s.Points)
	}
	s, _ = a.Series(MetricQPS, "", base, base.Add(150*time.Second), time.Minute)
	if len(s.Points) != 3 || s.Points[2].V != 2 {
		t.Errorf("points %+v: a last step of 30 s of 60 is a rate of its own", s.Points)
	}
}

// A log that began in the last few seconds of a step leaves that step a
// gap: five seconds of lines are no rate for a minute.
func TestSeriesFirstStepUnderHalfIsAGap(t *testing.T) {
	a := newTestAgg(t, Options{Seconds: 600, Minutes: 60})
	base := t0.Truncate(time.Minute).Add(time.Minute)
	var b strings.Builder
	for s := 55; s < 120; s++ {
		b.WriteString(line(base.Add(time.Duration(s)*time.Second), "1.1.1.1", "/", 200, 0.01, "0.01"))
	}
	a.Ingest([]byte(b.String()))
	s, _ := a.Series(MetricQPS, "", base, base.Add(120*time.Second), time.Minute)
	if len(s.Points) != 2 || !math.IsNaN(s.Points[0].V) || s.Points[1].V != 1 {
		t.Errorf("points %+v: want a gap, then 1/s", s.Points)
	}
}
