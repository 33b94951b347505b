package collect

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/tail"
)

// An access log whose lines the format cannot read (here JSON lines under
// the main format) is an error that says why, on the indicators and in the
// status bar, instead of "no data yet" while lines pour in; once a minute
// of good lines has passed, the note is gone.
func TestUnreadableLinesAreAnError(t *testing.T) {
	clock, src, c := oneAccessLog(t)
	agg := src.Aggregator()

	var b strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, `{"time":"%s","status":200,"uri":"/rank"}`+"\n", midnight.Format(time.RFC3339))
	}
	agg.Ingest([]byte(b.String()))
	c.Tick(midnight)
	c.Tick(midnight.Add(time.Second)) // and still so a tick later, no new lines
	s := snapOf(c, sources.View{})
	in := value(t, s, "nginx.qps")
	if in.Value.Health != sources.HealthError || !strings.Contains(in.Value.Err, "unreadable lines 50/50 (truncated): does the format match the log?") {
		t.Errorf("qps %v %q", in.Value.Health, in.Value.Err)
	}
	var st sources.SourceStatus
	for _, x := range s.Sources {
		if x.Name == "nginx" {
			st = x
		}
	}
	if st.Health != sources.HealthError || !strings.Contains(st.Detail, `e.g. {"time":`) {
		t.Errorf("status %+v", st)
	}

	// a minute later the format is right again (say, nginx was reloaded)
	b.Reset()
	for s := 1; s <= 70; s++ {
		at := midnight.Add(time.Duration(s) * time.Second)
		fmt.Fprintf(&b, "10.0.0.1 - - [%s] \"GET /rank HTTP/1.1\" 200 10 \"-\" \"ua\" 0.010 0.009\n", at.Format("02/Jan/2006:15:04:05 -0700"))
	}
	agg.Ingest([]byte(b.String()))
	for s := 30; s <= 70; s += 10 {
		at := midnight.Add(time.Duration(s) * time.Second)
		clock.Set(at)
		c.Tick(at)
	}
	in = value(t, snapOf(c, sources.View{}), "nginx.qps")
	if in.Value.Health != sources.HealthOK || in.Value.Err != "" {
		t.Errorf("after good lines: qps %v %q", in.Value.Health, in.Value.Err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// While a log's history is still being read, its counts over the last
// seconds are not true yet: unknown, not a green zero.
func TestLoadingHistoryIsUnknown(t *testing.T) {
	for _, tc := range []struct {
		st   []tail.FileStatus
		want sources.Health
	}{
		{[]tail.FileStatus{{Path: "a", Loading: true}}, sources.HealthUnknown},
		{[]tail.FileStatus{{Path: "a"}}, sources.HealthOK},
		{[]tail.FileStatus{{Path: "a", Loading: true, Err: "gone"}}, sources.HealthError},
		{[]tail.FileStatus{{Path: "a"}, {Path: "b", Loading: true}}, sources.HealthUnknown},
	} {
		if h := followHealth(tc.st); h.health != tc.want {
			t.Errorf("%+v: %v, want %v", tc.st, h.health, tc.want)
		}
	}
}

// The note's reason and sample are the last minute's: an early burst of
// one reason does not name a later, different problem, and a sample is
// cut between characters.
func TestUnreadableReasonIsTheLastMinutes(t *testing.T) {
	clock, src, c := oneAccessLog(t)
	var b strings.Builder
	for i := 0; i < 200; i++ { // stamped a day ahead: future_time
		fmt.Fprintf(&b, "10.0.0.1 - - [%s] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\" 0.001 0.001\n", midnight.Add(24*time.Hour).Format("02/Jan/2006:15:04:05 -0700"))
	}
	src.Aggregator().Ingest([]byte(b.String()))
	c.Tick(midnight)
	later := midnight.Add(2 * time.Minute)
	clock.Set(later)
	c.Tick(later)
	b.Reset()
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "{\"msg\":\"%s\"}\n", strings.Repeat("排行榜结果", 20))
	}
	src.Aggregator().Ingest([]byte(b.String()))
	c.Tick(later.Add(time.Second))
	in := value(t, snapOf(c, sources.View{}), "nginx.qps")
	if !strings.Contains(in.Value.Err, "unreadable lines 20/20 (truncated): does the format match") || strings.Contains(in.Value.Err, `\x`) || !strings.Contains(in.Value.Err, "排行榜") {
		t.Errorf("note %q: want the last minute's reason and a clean sample", in.Value.Err)
	}
}

// oneAccessLog is a collector over one access log whose counters the test
// feeds itself, on a stepped clock at midnight.
func oneAccessLog(t *testing.T) (*SteppedClock, *nginx.Source, *Collector) {
	t.Helper()
	clock := NewSteppedClock(midnight)
	cfg := nginx.DefaultSourceConfig
	cfg.Paths, cfg.Format = []string{filepath.Join(t.TempDir(), "access.log")}, "timed"
	must(t, cfg.Validate())
	src, err := nginx.NewSource(cfg, clock.Now)
	must(t, err)
	c, err := New(Options{Nginx: []*nginx.Source{src}, Refresh: time.Hour, Now: clock.Now})
	must(t, err)
	return clock, src, c
}

// A format without $request_time cannot say how many requests were slow:
// the slow ratio says why it has no number, not a bare "—" that reads as
// "none were slow".
func TestSlowRatioWithoutRequestTime(t *testing.T) {
	clock := NewSteppedClock(midnight)
	cfg := nginx.DefaultSourceConfig
	cfg.Paths, cfg.Format = []string{filepath.Join(t.TempDir(), "access.log")}, "combined"
	must(t, cfg.Validate())
	src, err := nginx.NewSource(cfg, clock.Now)
	must(t, err)
	c, err := New(Options{Nginx: []*nginx.Source{src}, Refresh: time.Hour, Now: clock.Now})
	must(t, err)
	var b strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, `10.0.0.1 - - [%s] "GET / HTTP/1.1" 200 1 "-" "ua"`+"\n", midnight.Add(-5*time.Second).Format("02/Jan/2006:15:04:05 -0700"))
	}
	src.Aggregator().Ingest([]byte(b.String()))
	c.Tick(midnight)
	s := snapOf(c, sources.View{})
	if in := value(t, s, "nginx.slow_ratio"); in.Value.Health != sources.HealthUnknown || in.Value.Err != "no $request_time in the log format" {
		t.Errorf("slow ratio: %s %q", in.Value.Health, in.Value.Err)
	}
	if in := value(t, s, "nginx.qps"); in.Value.Health != sources.HealthOK || in.Value.Value != 1 {
		t.Errorf("qps: %s %v", in.Value.Health, in.Value.Value)
	}
}

// A busy log is judged over the span current values cover: lines that
// stop being read turn the stats to an error within that span (not a
// green 0/s for half a minute), and back once they are read again.
func TestUnreadableBusyLogIsJudgedOverTheSpan(t *testing.T) {
	clock, src, c := oneAccessLog(t)
	agg := src.Aggregator()
	good := func(at time.Time) string {
		var b strings.Builder
		for i := 0; i < 30; i++ {
			fmt.Fprintf(&b, "10.0.0.%d - - [%s] \"GET /rank HTTP/1.1\" 200 10 \"-\" \"ua\" 0.010 0.009\n", i, at.Format("02/Jan/2006:15:04:05 -0700"))
		}
		return b.String()
	}
	bad := strings.Repeat(`{"status":200,"uri":"/rank"}`+"\n", 30)
	state := func(at time.Time) string {
		in := value(t, snapOf(c, sources.View{}), "nginx.qps")
		return in.Value.Health.String()
	}
	at := midnight
	step := func(lines string) {
		at = at.Add(time.Second)
		agg.Ingest([]byte(lines))
		clock.Set(at)
		c.Tick(at)
	}
	for i := 0; i < 60; i++ {
		step(good(at))
	}
	if s := state(at); s != "ok" {
		t.Fatalf("a good minute: %s", s)
	}
	for i := 0; i < 12; i++ { // the value span (10 s) and its lag (2 s)
		step(bad)
	}
	if s := state(at); s != "error" {
		t.Fatalf("12 s of unreadable lines on a log of 30 a second: %s, want error", s)
	}
	for i := 0; i < 12; i++ {
		step(good(at))
	}
	if s := state(at); s != "ok" {
		t.Fatalf("12 s of good lines again: %s, want ok", s)
	}
}
