package collect

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/prom"
	"warroom/sources/schedule"
	"warroom/sources/watch"
)

// stagesApart ends "Day 1" at midnight and "Day 2" gap later, each with
// the window −1m … +2m.
func stagesApart(t testing.TB, gap time.Duration) *schedule.Schedule {
	t.Helper()
	d := func(x time.Duration) *model.Duration { m := model.Duration(x); return &m }
	s, err := schedule.New(schedule.Config{Event: "Year-end", TimeZone: "Asia/Shanghai",
		Windows: schedule.WindowsConfig{Before: d(time.Minute), Hot: d(time.Minute), After: d(2 * time.Minute)},
		Stages: []schedule.StageConfig{
			{Name: "Day 1", End: "2027-01-01 00:00"},
			{Name: "Day 2", End: midnight.Add(gap).Format("2006-01-02 15:04")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stormThenQuiet is a night of 10 fast 200s a second from 23:59 until
// until, with a minute of 5 499s a second right after Day 1 (midnight)
// and 4 DB errors at 00:00:30 — and nothing of the kind after Day 2.
func stormThenQuiet(until time.Time) (access, app []byte) {
	var b strings.Builder
	for at := midnight.Add(-time.Minute); at.Before(until); at = at.Add(time.Second) {
		for i := 0; i < 10; i++ {
			b.WriteString(accessLine(at, fmt.Sprintf("10.0.0.%d", i), "/rank", 200, 0.05))
		}
		if s := at.Sub(midnight); s >= 0 && s < time.Minute {
			for i := 0; i < 5; i++ {
				b.WriteString(accessLine(at, "10.9.9.9", "/result", 499, 3))
			}
		}
	}
	access = []byte(b.String())
	b.Reset()
	b.WriteString(midnight.Add(-time.Minute).Format(time.RFC3339) + " info started\n")
	for i := 0; i < 4; i++ {
		b.WriteString(midnight.Add(30*time.Second).Format(time.RFC3339) + " error SequelizeDatabaseError: read ECONNRESET\n")
	}
	b.WriteString(until.Add(-time.Second).Format(time.RFC3339) + " info still here\n")
	return access, []byte(b.String())
}

type overlayFixture struct {
	c      *Collector
	clock  *SteppedClock
	access *nginx.Source
	app    *applog.Source
}

// newOverlayFixture feeds the night into the sources' counters directly
// (the overlay reads aggregates, not files) and builds a collector over
// them with the schedule; secRetention, when set, shortens the access
// log's per-second ring.
func newOverlayFixture(t testing.TB, sched *schedule.Schedule, clock *SteppedClock, secRetention time.Duration, pq *prom.Querier) *overlayFixture {
	t.Helper()
	until := clock.Now()
	f := &overlayFixture{clock: clock}
	ncfg := nginx.DefaultSourceConfig
	ncfg.Paths, ncfg.Format = []string{"/nonexistent/access.log"}, "timed"
	if secRetention > 0 {
		ncfg.Retention.Seconds, ncfg.Retention.Minutes = model.Duration(secRetention), model.Duration(time.Hour)
	}
	if err := ncfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.access, err = nginx.NewSource(ncfg, f.clock.Now); err != nil {
		t.Fatal(err)
	}
	acfg := applog.DefaultSourceConfig
	acfg.Paths = []string{"/nonexistent/app.log"}
	if f.app, err = applog.NewSource(acfg, f.clock.Now); err != nil {
		t.Fatal(err)
	}
	access, app := stormThenQuiet(until)
	f.access.Aggregator().Ingest(access)
	f.app.Watcher().Ingest(app)
	f.app.Watcher().Flush()
	o := Options{Nginx: []*nginx.Source{f.access}, Apps: []*applog.Source{f.app}, Prom: pq,
		Schedule: func() *schedule.Schedule { return sched }, Now: f.clock.Now}
	var queries []prom.QueryConfig
	if pq != nil {
		queries = []prom.QueryConfig{{Name: "db_conn"}}
	}
	o.Rules = watch.WithDefaults(nil, Names([]nginx.SourceConfig{ncfg}, []applog.SourceConfig{acfg}, queries))
	if f.c, err = New(o); err != nil {
		t.Fatal(err)
	}
	f.c.Tick(until)
	return f
}

// TestOverlayPreviousStorm: a minute and a half after Day 2, which is
// quiet, the 499 chart carries Day 1's storm as "prev: Day 1", moved onto
// tonight's axis: the values the aggregator holds for Day 1's minutes, at
// Day 2's. The DB errors likewise, and a view moved to Day 2 too.
func TestOverlayPreviousStorm(t *testing.T) {
	day2 := midnight.Add(5 * time.Minute)
	now := day2.Add(90 * time.Second)
	f := newOverlayFixture(t, stagesApart(t, 5*time.Minute), NewSteppedClock(now), 0, nil)
	v := sources.View{Window: 3 * time.Minute, Points: 180}
	s := snapOf(f.c, v)
	end := f.c.currentEnd(now)
	from := end.Add(-v.Window)

	in := value(t, s, "nginx.499_rate")
	sec := in.Secondary
	if sec.Name != "prev: Day 1" || len(sec.Points) == 0 {
		t.Fatalf("499 overlay: name %q, %d points", sec.Name, len(sec.Points))
	}
	direct, _ := f.access.Aggregator().Series(nginx.Metric499Rate, "", from.Add(-5*time.Minute), end.Add(-5*time.Minute), time.Second)
	if len(direct.Points) != len(sec.Points) {
		t.Fatalf("%d overlay points, the aggregator has %d for the shifted window", len(sec.Points), len(direct.Points))
	}
	storm := 0
	first := f.access.Aggregator().First()
	for i, p := range sec.Points {
		if p.At.Before(from) || p.At.After(end) {
			t.Fatalf("overlay point %d at %s outside the view [%s, %s]", i, p.At, from, end)
		}
		if d := direct.Points[i]; !samePoint(p, sources.Point{At: d.At.Add(5 * time.Minute), V: d.V}) {
			t.Fatalf("overlay point %d = %v, want the aggregator's %v moved 5m on", i, p, d)
		}
		inStorm := !p.At.Before(day2) && p.At.Before(day2.Add(time.Minute))
		if inStorm {
			storm++
		}
		want := map[bool]float64{true: 5, false: 0}[inStorm]
		if !p.At.Add(-5 * time.Minute).Add(time.Second).After(first) {
			want = math.NaN() // before Day 1's log began: no data, not 0
		}
		if !samePoint(p, sources.Point{At: p.At, V: want}) {
			t.Errorf("overlay at %s = %g, want %g", p.At.Format("15:04:05"), p.V, want)
		}
	}
	if storm != 60 {
		t.Errorf("%d overlay seconds of storm, want 60", storm)
	}
	for _, p := range in.Series.Points { // tonight is quiet
		if p.V != 0 {
			t.Fatalf("tonight's 499s at %s = %g", p.At, p.V)
		}
	}

	db := value(t, s, "app.db").Secondary
	peak := 0.0
	for _, p := range db.Points {
		if p.At.Equal(day2.Add(30 * time.Second)) {
			peak = p.V
		}
	}
	if db.Name != "prev: Day 1" || peak != 4*60 {
		t.Errorf("db overlay %q: %g/min at 00:05:30, want Day 1's 4 errors in that second (240/min)", db.Name, peak)
	}

	// the same view moved to Day 2 by its end
	moved := snapOf(f.c, sources.View{Window: 3 * time.Minute, Points: 180, End: day2.Add(2 * time.Minute)})
	if got := value(t, moved, "nginx.499_rate").Secondary; len(got.Points) != 180 || got.Points[60].V != 5 {
		t.Errorf("moved view: %d overlay points, storm point %v", len(got.Points), got.Points)
	}
}

// TestOverlayAbsent: nothing before the first stage, and nothing when the
// view is nowhere near a stage end.
func TestOverlayAbsent(t *testing.T) {
	sched := stagesApart(t, 5*time.Minute)
	f := newOverlayFixture(t, sched, NewSteppedClock(midnight.Add(90*time.Second)), 0, nil)
	s := snapOf(f.c, sources.View{Window: 3 * time.Minute})
	for _, in := range s.Indicators {
		if len(in.Secondary.Points) > 0 || in.Secondary.Name != "" {
			t.Errorf("%s has an overlay though Day 1 is the first stage: %q", in.Name, in.Secondary.Name)
		}
	}
	far := snapOf(f.c, sources.View{Window: 3 * time.Minute, End: midnight.Add(time.Hour)})
	for _, in := range far.Indicators {
		if len(in.Secondary.Points) > 0 {
			t.Errorf("%s has an overlay an hour after the last stage", in.Name)
		}
	}
	if _, _, ok := overlayMilestones(sched, midnight.Add(2*time.Minute), midnight.Add(4*time.Minute), 2*time.Minute); !ok {
		t.Error("Day 2 a minute after the view's end is within reach")
	}
	if _, _, ok := overlayMilestones(nil, midnight, midnight, time.Minute); ok {
		t.Error("no schedule, no overlay")
	}
}

// TestOverlayPerMinute: when the per-second ring no longer holds the
// previous stage, the overlay is read per minute — fewer points, the same
// storm.
func TestOverlayPerMinute(t *testing.T) {
	day2 := midnight.Add(30 * time.Minute)
	now := day2.Add(90 * time.Second)
	f := newOverlayFixture(t, stagesApart(t, 30*time.Minute), NewSteppedClock(now), time.Minute, nil)
	s := snapOf(f.c, sources.View{Window: 3 * time.Minute, Points: 180})
	sec := value(t, s, "nginx.499_rate").Secondary
	if len(sec.Points) < 3 || len(sec.Points) > 4 {
		t.Fatalf("per-minute overlay has %d points: %v", len(sec.Points), sec.Points)
	}
	found := false
	for _, p := range sec.Points {
		if p.At.Equal(day2) {
			found = true
			if p.V != 5 {
				t.Errorf("Day 1's storm minute read %g/s, want 5", p.V)
			}
		} else if first := f.access.Aggregator().First().Add(30 * time.Minute); p.At.Add(time.Minute).After(first) && p.V != 0 {
			t.Errorf("overlay at %s = %g, want 0", p.At, p.V)
		} else if !p.At.Add(time.Minute).After(first) && !math.IsNaN(p.V) {
			t.Errorf("overlay at %s = %g, before Day 1's log began: want NaN (no data)", p.At, p.V)
		}
		if p.At.Second() != 0 {
			t.Errorf("per-minute point off the minute: %s", p.At)
		}
	}
	if !found {
		t.Errorf("no overlay point at Day 2's end: %v", sec.Points)
	}
}

// TestOverlayPrometheus: the shifted query is fetched off the snapshot's
// path — a snapshot taken while the server hangs returns at once without
// the overlay — then cached and shown moved onto the view, and fetched
// again at most once a minute however the view changes.
func TestOverlayPrometheus(t *testing.T) {
	var requests atomic.Int32
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/query_range") {
			http.Error(w, "only ranges here", http.StatusBadRequest)
			return
		}
		requests.Add(1)
		started <- struct{}{}
		<-release
		start, _ := strconv.ParseFloat(r.FormValue("start"), 64)
		end, _ := strconv.ParseFloat(r.FormValue("end"), 64)
		step, _ := strconv.ParseFloat(r.FormValue("step"), 64)
		var vals []string
		for x := start; x <= end; x += step {
			vals = append(vals, fmt.Sprintf(`[%.3f,"7"]`, x))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[%s]}]}}`, strings.Join(vals, ","))
	}))
	defer srv.Close()
	defer close(release)

	day2 := midnight.Add(5 * time.Minute)
	now := day2.Add(90 * time.Second)
	clock := NewSteppedClock(now)
	q, err := prom.New(prom.Config{
		Servers: []prom.ServerConfig{{Name: "main", URL: srv.URL}},
		Queries: []prom.QueryConfig{{Name: "db_conn", Expr: "x", Unit: sources.UnitCount}},
	}, prom.Options{Now: clock.Now, Refresh: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f := newOverlayFixture(t, stagesApart(t, 5*time.Minute), clock, 0, q)

	v := sources.View{Window: 3 * time.Minute, Points: 180}
	s := snapOf(f.c, v) // returns although the server hangs
	if sec := value(t, s, "prom.db_conn").Secondary; len(sec.Points) > 0 {
		t.Fatalf("overlay before any answer: %v", sec)
	}
	waitFor(t, started)
	snapOf(f.c, v) // a fetch is under way: no second one
	release <- struct{}{}
	deadline := time.Now().Add(5 * time.Second)
	var sec sources.Series
	for len(sec.Points) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the shifted answer never reached a snapshot")
		}
		time.Sleep(5 * time.Millisecond)
		sec = value(t, snapOf(f.c, v), "prom.db_conn").Secondary
	}
	end := f.c.currentEnd(now)
	from := end.Add(-v.Window)
	for _, p := range sec.Points {
		if p.At.Before(from) || p.At.After(end) || p.V != 7 {
			t.Fatalf("overlay point %v: want 7 inside [%s, %s]", p, from.Format("15:04:05"), end.Format("15:04:05"))
		}
	}
	if sec.Name != "prev: Day 1" || len(sec.Points) < 50 {
		t.Errorf("overlay %q with %d points", sec.Name, len(sec.Points))
	}

	// the live view slides on and the window changes within the minute:
	// no new request (the slide stays inside the span fetched ahead)
	for i := 1; i <= 30; i++ {
		clock.Set(now.Add(time.Duration(i) * time.Second))
		snapOf(f.c, v)
		snapOf(f.c, sources.View{Window: 4 * time.Minute, Points: 180})
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("%d requests within a minute, want 1", n)
	}
	// a minute after the first, the changed window is fetched: once
	clock.Set(now.Add(61 * time.Second))
	snapOf(f.c, sources.View{Window: 4 * time.Minute, Points: 180})
	waitFor(t, started)
	release <- struct{}{}
	snapOf(f.c, sources.View{Window: 4 * time.Minute, Points: 180})
	if n := requests.Load(); n != 2 {
		t.Fatalf("%d requests after a minute, want 2", n)
	}
}

func waitFor(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("no request reached the server")
	}
}

// BenchmarkSnapshot200Overlay is BenchmarkSnapshot200's view a minute and
// a half after a stage end with a previous stage: every access-log and
// app-log indicator read twice.
func BenchmarkSnapshot200Overlay(b *testing.B) {
	benchOverlay(b, stagesApart(b, 5*time.Minute))
}

// BenchmarkSnapshot200NoOverlay is the same night and view with a single
// stage: the baseline the overlay's cost is measured against.
func BenchmarkSnapshot200NoOverlay(b *testing.B) {
	benchOverlay(b, testSchedule(b))
}

func benchOverlay(b *testing.B, sched *schedule.Schedule) {
	now := midnight.Add(5*time.Minute + 90*time.Second)
	f := newOverlayFixture(b, sched, NewSteppedClock(now), 0, nil)
	v := sources.View{Window: 15 * time.Minute, Points: 200}
	if s := snapOf(f.c, v); sched.Len() > 1 && len(value2(s, "nginx.qps").Secondary.Points) == 0 {
		b.Fatal("no overlay")
	}
	b.ReportAllocs()
	for b.Loop() {
		snapOf(f.c, v)
	}
}

func value2(s *sources.Snapshot, name string) sources.Indicator {
	in, _ := s.Indicator(name)
	return in
}
