package collect

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/watch"
)

func TestCurrentValuesAndOrder(t *testing.T) {
	f := newFixture(t, t.TempDir(), true)
	at := t0.Add(90 * time.Second) // 23:59:30: window [23:59:18, 23:59:28)
	f.c.Tick(at)
	s := snapOf(f.c, sources.View{})
	if !s.At.Equal(at) || !s.WindowEnd.Equal(at) {
		t.Errorf("live view: At %v WindowEnd %v, want both %v", s.At, s.WindowEnd, at)
	}
	got := names(s)
	want := []string{"nginx.qps", "nginx.slow_ratio", "nginx.499_rate", "app.db"}
	if len(got) < 4 || strings.Join(got[:4], ",") != strings.Join(want, ",") {
		t.Fatalf("key indicators first: got %v", got)
	}
	for i, in := range s.Indicators {
		if in.Key != (i < len(want)) {
			t.Errorf("%s: Key %v", in.Name, in.Key)
		}
	}
	for _, w := range []string{"nginx.5xx_ratio", "nginx.304_rate", "nginx.pay.qps", "nginx.pay.slow_ratio"} {
		value(t, s, w)
	}
	if _, ok := s.Indicator("app.econnreset"); ok {
		t.Error("pack members are for rules, not shown unasked")
	}
	qps := value(t, s, "nginx.qps")
	if qps.Value.Value != 10 || qps.Title != "QPS" || qps.Value.Unit != sources.UnitPerSecond || qps.Value.Health != sources.HealthOK {
		t.Errorf("qps %+v", qps.Value)
	}
	if !qps.Value.At.Equal(at.Add(-DefaultLag)) {
		t.Errorf("qps true at %v, want the window end %v", qps.Value.At, at.Add(-DefaultLag))
	}
	if in := value(t, s, "nginx.pay.qps"); in.Value.Value != 2 {
		t.Errorf("pay qps %v", in.Value.Value)
	}
	if in := value(t, s, "nginx.499_rate"); in.Value.Value != 0 || in.State != sources.StateOK || in.Warn != 0.5 || in.Crit != 1 {
		t.Errorf("499 %+v", in)
	}
	if in := value(t, s, "nginx.slow_ratio"); in.Value.Value != 0 || in.Value.Unit != sources.UnitRatio || in.Title != "slow ‱" {
		t.Errorf("slow %+v", in.Value)
	}
	if in := value(t, s, "app.db"); in.Value.Value != 0 || in.Title != "DB err/min" {
		t.Errorf("db %+v", in)
	}
	if s.Phase != sources.PhaseApproaching || s.Next == nil || s.Next.Stage != "Final" || s.Current == nil {
		t.Errorf("phase %s next %+v", s.Phase, s.Next)
	}

	// in the storm: window [00:00:08, 00:00:18) is all storm seconds
	at = midnight.Add(20 * time.Second)
	f.c.Tick(at)
	s = snapOf(f.c, sources.View{})
	if in := value(t, s, "nginx.qps"); in.Value.Value != 20 {
		t.Errorf("storm qps %v", in.Value.Value)
	}
	if in := value(t, s, "nginx.499_rate"); in.Value.Value != 10 || in.Warn != 2 || in.Crit != 5 {
		t.Errorf("storm 499 %+v (hot thresholds 2/5)", in)
	}
	if in := value(t, s, "nginx.slow_ratio"); !near(in.Value.Value, 0.1) {
		t.Errorf("storm slow ratio %v, want 2/20", in.Value.Value)
	}
	if s.Phase != sources.PhaseHot || s.Prev == nil || !s.Prev.At.Equal(midnight) {
		t.Errorf("phase %s prev %+v", s.Phase, s.Prev)
	}
	if in := value(t, s, "app.db"); in.Value.Value != 0 {
		t.Errorf("no db error yet at 00:00:20 (they are at 00:00:30): %v", in.Value.Value)
	}
	at = midnight.Add(40 * time.Second)
	f.c.Tick(at)
	s = snapOf(f.c, sources.View{})
	if in := value(t, s, "app.db"); in.Value.Value != 6 {
		t.Errorf("db errors in the last minute %v", in.Value.Value)
	}
	// six alike: one line, counted six times
	if len(s.Logs) != 1 || len(s.Logs[0].Lines) != 1 || s.Logs[0].Lines[0].Count != 6 || !strings.Contains(s.Logs[0].Lines[0].Text, "ECONNRESET") {
		t.Errorf("logs %+v", s.Logs)
	}
}

// TestTransitionsOverTheNight steps the clock second by second across the
// milestone and checks each rule fires when the arithmetic says it must.
func TestTransitionsOverTheNight(t *testing.T) {
	f := newFixture(t, t.TempDir(), true)
	f.tickThrough(t0.Add(30*time.Second), midnight.Add(90*time.Second))
	first := map[string]sources.Transition{}
	for _, tr := range f.trs {
		key := tr.Indicator + ":" + tr.To.String()
		if _, ok := first[key]; !ok {
			first[key] = tr
		}
	}
	// 499_rate at T reads (T-2)*10/10 storm 499s per second: > 2 (hot warn)
	// from 00:00:05, > 5 (hot crit) from 00:00:08, each held 3 s in hot.
	// slow_ratio is above crit from 00:00:03, but counts its 5th slow
	// request (min_count) only at 00:00:05; held 3 s in hot.
	// app.db: six errors at 00:00:30 are counted once the window ends past
	// them (00:00:31 + 2 s lag): a burst of five or more warns.
	// qps: the last line is at 00:00:59; the log wrote 13 lines a second,
	// so absent: auto waits its floor of 10 s.
	for _, w := range []struct {
		key string
		at  time.Time
	}{
		{"nginx.499_rate:warn", midnight.Add(8 * time.Second)},
		{"nginx.499_rate:crit", midnight.Add(11 * time.Second)},
		{"nginx.slow_ratio:crit", midnight.Add(8 * time.Second)},
		{"app.db:warn", midnight.Add(33 * time.Second)},
		{"nginx.qps:crit", midnight.Add(69 * time.Second)},
	} {
		tr, ok := first[w.key]
		if !ok {
			t.Errorf("no transition %s; got %v", w.key, f.trs)
			continue
		}
		if !tr.At.Equal(w.at) {
			t.Errorf("%s at %s, want %s", w.key, tr.At.In(cst).Format(time.TimeOnly), w.at.In(cst).Format(time.TimeOnly))
		}
		if tr.Phase != sources.PhaseHot || tr.Milestone != "Final" {
			t.Errorf("%s phase %s milestone %q", w.key, tr.Phase, tr.Milestone)
		}
	}
	if tr := first["nginx.499_rate:crit"]; tr.Threshold != 5 || tr.From != sources.StateWarn {
		t.Errorf("499 crit %+v", tr)
	}
	for _, tr := range f.trs {
		if tr.At.Before(midnight) {
			t.Errorf("quiet before midnight, got %+v", tr)
		}
	}

	s := snapOf(f.c, sources.View{})
	qps := value(t, s, "nginx.qps")
	if qps.State != sources.StateCrit || !strings.Contains(qps.Reason, "no data") {
		t.Errorf("silent log: %s %q", qps.State, qps.Reason)
	}
	if !qps.Value.At.Equal(midnight.Add(59 * time.Second)) {
		t.Errorf("a silent log's value stays at its newest line: %v", qps.Value.At)
	}
	// its other numbers are no news from it either, not a quiet site
	for _, name := range []string{"nginx.499_rate", "nginx.5xx_ratio", "nginx.304_rate"} {
		in := value(t, s, name)
		if in.Value.Health != sources.HealthStale || !in.Value.Silent || in.Value.Err != "the log is silent since 00:00:59 CST" {
			t.Errorf("%s of a silent log: %s %s %q", name, in.State, in.Value.Health, in.Value.Err)
		}
	}
	if s.Unacked == 0 || len(s.Timeline) != len(f.trs) || s.Worst() != sources.StateCrit {
		t.Fatalf("unacked %d, timeline %d of %d", s.Unacked, len(s.Timeline), len(f.trs))
	}
	f.c.Ack()
	s = snapOf(f.c, sources.View{})
	if s.Unacked != 0 {
		t.Errorf("after Ack: %d unacked", s.Unacked)
	}
	for _, tr := range s.Timeline {
		if !tr.Acked {
			t.Errorf("not acked: %+v", tr)
		}
	}
}

func TestSnapshotIsADeepCopy(t *testing.T) {
	f := newFixture(t, t.TempDir(), true)
	f.tickThrough(midnight.Add(30*time.Second), midnight.Add(45*time.Second))
	a := snapOf(f.c, sources.View{Window: time.Minute, Points: 60})
	if len(a.Indicators[0].Series.Points) == 0 || len(a.Timeline) == 0 || len(a.Logs[0].Lines) == 0 || len(a.Tops[0].Rows) == 0 {
		t.Fatalf("nothing to mutate: %d points, %d transitions, %d lines, %d top rows",
			len(a.Indicators[0].Series.Points), len(a.Timeline), len(a.Logs[0].Lines), len(a.Tops[0].Rows))
	}
	b0 := snapOf(f.c, sources.View{Window: time.Minute, Points: 60})
	a.Indicators[0].Series.Points[0].V = -1
	a.Indicators[0].Value.Value = -1
	a.Indicators = a.Indicators[:1]
	a.Timeline[0].Indicator = "mutated"
	a.Logs[0].Lines[0].Text = "mutated"
	a.Tops[0].Rows[0].Key = "mutated"
	a.Prev.Stage = "mutated"
	b := snapOf(f.c, sources.View{Window: time.Minute, Points: 60})
	if b.Indicators[0].Series.Points[0].V != b0.Indicators[0].Series.Points[0].V || b.Indicators[0].Value.Value == -1 ||
		len(b.Indicators) != len(b0.Indicators) || b.Timeline[0].Indicator == "mutated" ||
		b.Logs[0].Lines[0].Text == "mutated" || b.Tops[0].Rows[0].Key == "mutated" || b.Prev.Stage == "mutated" {
		t.Fatal("mutating a snapshot changed the next one")
	}
}

func TestViewEndMovesTheSeries(t *testing.T) {
	f := newFixture(t, t.TempDir(), true)
	f.c.Tick(midnight.Add(100 * time.Second))
	at := func(end time.Time) sources.Series {
		s := snapOf(f.c, sources.View{Window: time.Minute, Points: 60, End: end})
		if !s.WindowEnd.Equal(end) || s.Window != time.Minute {
			t.Fatalf("window end %v", s.WindowEnd)
		}
		return value(t, s, "nginx.499_rate").Series
	}
	before := at(midnight.Add(-30 * time.Second))
	storm := at(midnight.Add(50 * time.Second))
	if len(before.Points) != 60 || len(storm.Points) != 60 {
		t.Fatalf("points %d %d", len(before.Points), len(storm.Points))
	}
	if !before.Points[0].At.Equal(midnight.Add(-90*time.Second)) || !storm.Points[59].At.Equal(midnight.Add(49*time.Second)) {
		t.Errorf("series span %v … %v", before.Points[0].At, storm.Points[59].At)
	}
	for _, p := range before.Points {
		if p.V != 0 {
			t.Fatalf("499s before midnight: %+v", p)
		}
	}
	if last := storm.Points[59]; last.V != 10 {
		t.Errorf("storm 499/s %v", last.V)
	}
	// markers: the milestone is inside the storm view only
	s := snapOf(f.c, sources.View{Window: time.Minute, End: midnight.Add(50 * time.Second)})
	if len(s.Markers) != 1 || !s.Markers[0].At.Equal(midnight) {
		t.Errorf("markers %+v", s.Markers)
	}
}

func TestSourcesStatus(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir, true)
	f.c.Tick(midnight.Add(10 * time.Second))
	s := snapOf(f.c, sources.View{})
	kinds := map[string]sources.SourceStatus{}
	for _, st := range s.Sources {
		kinds[st.Kind] = st
	}
	if st := kinds["nginx"]; st.Name != "nginx" || st.Health != sources.HealthOK || !st.LastData.Equal(midnight.Add(59*time.Second)) {
		t.Errorf("nginx status %+v", st)
	}
	if st := kinds["applog"]; st.Name != "app" || st.Health != sources.HealthOK {
		t.Errorf("applog status %+v", st)
	}
	if st := kinds["schedule"]; st.Health != sources.HealthOK {
		t.Errorf("schedule status %+v", st)
	}
	if len(s.Tops) != 2 || s.Tops[0].Title != "IPs" || s.Tops[1].Title != "paths" || s.Tops[0].Distinct == 0 {
		t.Errorf("tops %+v", s.Tops)
	}
}

func TestUnknownRuleIndicator(t *testing.T) {
	f := newFixture(t, t.TempDir(), false)
	o := f.c.o
	o.Rules = append(o.Rules, watch.Rule{Indicator: "nginx.nope", Crit: watch.Float(1), Direction: watch.Above, Recover: 1})
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), "nginx.nope") {
		t.Fatalf("err %v", err)
	}
}

func BenchmarkSnapshot200(b *testing.B) {
	dir := b.TempDir()
	f := newFixture(b, dir, false)
	// feed the counters directly: the benchmark measures Snapshot, not tailing
	for _, name := range []string{"access.log"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		f.access.Aggregator().Ingest(data)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "app.log"))
	f.app.Watcher().Ingest(data)
	f.app.Watcher().Flush()
	f.c.Tick(midnight.Add(40 * time.Second))
	v := sources.View{Window: 15 * time.Minute, Points: 200}
	b.ReportAllocs()
	for b.Loop() {
		snapOf(f.c, v)
	}
}

// A line counted between two snapshots of the same view shows in the
// second: the series and top-table cache is keyed by the data's version.
func TestSnapshotCacheSeesNewLines(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir, false)
	data, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	f.access.Aggregator().Ingest(data)
	at := midnight.Add(40 * time.Second)
	f.c.Tick(at)
	v := sources.View{Window: 15 * time.Minute, End: at, Points: 200}
	a, b := snapOf(f.c, v), snapOf(f.c, v)
	if !slices.EqualFunc(value(t, a, "nginx.qps").Series.Points, value(t, b, "nginx.qps").Series.Points, samePoint) ||
		!slices.Equal(a.Tops[0].Rows, b.Tops[0].Rows) {
		t.Fatal("two snapshots of the same view and data differ")
	}
	var more strings.Builder
	for range 200 {
		more.WriteString(accessLine(midnight.Add(20*time.Second), "203.0.113.99", "/new", 200, 0.01))
	}
	f.access.Aggregator().Ingest([]byte(more.String()))
	c := snapOf(f.c, v)
	sum := func(s *sources.Snapshot) (n float64) {
		for _, p := range value(t, s, "nginx.qps").Series.Points {
			n += p.V
		}
		return n
	}
	if sum(c) <= sum(b) {
		t.Errorf("series did not take the new lines: %v then %v", sum(b), sum(c))
	}
	if !slices.ContainsFunc(c.Tops[0].Rows, func(r sources.TopRow) bool { return r.Key == "203.0.113.99" }) {
		t.Errorf("top IPs did not take the new lines: %+v", c.Tops[0].Rows)
	}
}

// A condition held for less than its rule's `for` reaches the snapshot as
// its own fields — the state it is heading to and when — while Reason
// stays the rule's: the 499 rate of the test night is over the hot warn 2
// from 00:00:05 and the hot crit 5 from 00:00:08, each held 10 s.
func TestPendingInSnapshot(t *testing.T) {
	f := newFixture(t, t.TempDir(), true)
	// the 499 rate is past hot warn (2/s) from 00:00:05 and hot crit (5/s)
	// from 00:00:08, each held 3 s: warn at 00:00:08, crit at 00:00:11
	f.tickThrough(midnight, midnight.Add(7*time.Second))
	s := snapOf(f.c, sources.View{})
	in := value(t, s, "nginx.499_rate")
	if in.State != sources.StateOK || in.Pending != sources.StateWarn || !in.PendingAt.Equal(midnight.Add(8*time.Second)) || in.Reason != "ok" {
		t.Errorf("at 00:00:07: %s, pending %s at %v, reason %q; want ok, warn at 00:00:08, \"ok\"", in.State, in.Pending, in.PendingAt, in.Reason)
	}
	if d, ok := in.PendingIn(s.At); !ok || d != time.Second {
		t.Errorf("PendingIn = %v %v, want 1s", d, ok)
	}
	if in.Beyond() != sources.StateWarn || in.Below {
		t.Errorf("the value %v is over crit %v: Beyond %s, Below %v", in.Value.Value, in.Crit, in.Beyond(), in.Below)
	}
	if n, _ := s.Pending(); n < 1 {
		t.Errorf("snapshot pending %d", n)
	}

	f.tickThrough(midnight.Add(8*time.Second), midnight.Add(9*time.Second))
	in = value(t, snapOf(f.c, sources.View{}), "nginx.499_rate")
	if in.State != sources.StateWarn || in.Pending != sources.StateCrit || !in.PendingAt.Equal(midnight.Add(11*time.Second)) || !strings.Contains(in.Reason, "warn") {
		t.Errorf("at 00:00:09: %s, pending %s at %v, reason %q; want warn, crit at 00:00:11, the rule's reason", in.State, in.Pending, in.PendingAt, in.Reason)
	}
	f.tickThrough(midnight.Add(10*time.Second), midnight.Add(11*time.Second))
	in = value(t, snapOf(f.c, sources.View{}), "nginx.499_rate")
	if in.State != sources.StateCrit || in.Pending != sources.StateUnknown || !in.PendingAt.IsZero() {
		t.Errorf("at 00:00:11: %s, pending %s at %v; want crit, nothing pending", in.State, in.Pending, in.PendingAt)
	}
	if _, ok := in.PendingIn(midnight); ok {
		t.Error("PendingIn with nothing pending")
	}
	// a warn held under a crit already firing is nothing to look forward to
	if p, at := pendingOf(watch.Status{State: sources.StateCrit, Pending: sources.StateWarn, PendingAt: midnight}); p != sources.StateUnknown || !at.IsZero() {
		t.Errorf("pendingOf a lesser state = %s %v", p, at)
	}
}

// TestASourceThatPanicsStopsAlone: a bug tripped inside one source (here
// the nginx source's clock panics as soon as it reads lines) must not take
// the process — and with it the terminal — down: that source turns to an
// error naming the crash and where it happened, and the app log goes on.
func TestASourceThatPanicsStopsAlone(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir, false)
	ncfg := nginx.DefaultSourceConfig
	ncfg.Paths, ncfg.Start = []string{filepath.Join(dir, "access.log")}, "beginning"
	ncfg.Groups = []nginx.GroupConfig{{Name: "pay", Prefix: "/pay/"}}
	if err := ncfg.Validate(); err != nil {
		t.Fatal(err)
	}
	bad, err := nginx.NewSource(ncfg, func() time.Time { panic("clock exploded") })
	if err != nil {
		t.Fatal(err)
	}
	o := f.c.o
	o.Nginx = []*nginx.Source{bad}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		c.Tick(midnight.Add(10 * time.Second))
		s := snapOf(c, sources.View{})
		var ng, app sources.SourceStatus
		for _, st := range s.Sources {
			switch st.Kind {
			case "nginx":
				ng = st
			case "applog":
				app = st
			}
		}
		if ng.Health == sources.HealthError {
			if !strings.Contains(ng.Detail, "crashed: clock exploded") || !strings.Contains(ng.Detail, "collect/collect_test.go:") {
				t.Errorf("nginx detail %q: want the panic and its place", ng.Detail)
			} else {
				t.Logf("nginx: %s", ng.Detail)
			}
			if app.Health != sources.HealthOK {
				t.Errorf("the app log stopped with the nginx source: %+v", app)
			}
			if n, _ := f.app.Watcher().Count("db", midnight.Add(-time.Hour), midnight.Add(time.Hour)); n != 6 {
				t.Errorf("the app log counted %d db errors, want 6", n)
			}
			// the crash may have come between this tick and the snapshot:
			// the next tick's values know of it
			c.Tick(midnight.Add(11 * time.Second))
			s = snapOf(c, sources.View{})
			if in := value(t, s, "nginx.qps"); in.Value.Health != sources.HealthError {
				t.Errorf("qps from the crashed source shows as %v, want an error", in.Value.Health)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s the crashed source is %+v", ng)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// samePoint compares points with NaN (no data) equal to NaN.
func samePoint(p, q sources.Point) bool {
	return p.At.Equal(q.At) && (p.V == q.V || math.IsNaN(p.V) && math.IsNaN(q.V))
}

// A zoomed top table asks for as many rows as it shows, and gets them.
func TestTopRowsFollowTheView(t *testing.T) {
	f := newFixture(t, t.TempDir(), true)
	f.c.Tick(midnight.Add(40 * time.Second))
	rows := func(v sources.View) int { return len(snapOf(f.c, v).Tops[0].Rows) }
	if n := rows(sources.View{}); n != DefaultTopN {
		t.Errorf("%d rows by default, want %d", n, DefaultTopN)
	}
	if n := rows(sources.View{Rows: 25}); n != 25 {
		t.Errorf("%d rows for a view of 25, want 25 (the night has 30 clients)", n)
	}
}

// recorder is a sink that keeps every transition it is given.
type recorder struct{ trs *[]sources.Transition }

func (r recorder) Take(trs []sources.Transition)  { *r.trs = append(*r.trs, trs...) }
func (r recorder) Status() []sources.SourceStatus { return nil }
