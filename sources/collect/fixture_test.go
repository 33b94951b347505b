package collect

// The test night and the collector over it, as the tests here share them.

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/schedule"
	"warroom/sources/watch"
)

var (
	cst = time.FixedZone("CST", 8*3600)
	// the stage ends at midnight; the night starts two minutes before
	midnight = time.Date(2027, 1, 1, 0, 0, 0, 0, cst)
	t0       = midnight.Add(-2 * time.Minute)
)

func accessLine(t time.Time, ip, path string, status int, reqSec float64) string {
	return fmt.Sprintf(`%s - - [%s] "GET %s HTTP/1.1" %d 100 "-" "ua" %.3f 0.001`+"\n",
		ip, t.Format("02/Jan/2006:15:04:05 -0700"), path, status, reqSec)
}

// night writes the access log of the test night:
//   - 23:58:00–23:59:59: 10 req/s, all fast and 200 (/pay/ for 2 of them)
//   - 00:00:00–00:00:59: 20 req/s, 10 of them 499, 2 slow (2 s)
//   - then silence.
//
// and the app log: 6 DB errors at 00:00:30, then an info line.
func night(t testing.TB, dir string) (access, app string) {
	t.Helper()
	var b strings.Builder
	for s := 0; s < 120; s++ {
		at := t0.Add(time.Duration(s) * time.Second)
		for i := 0; i < 10; i++ {
			path := "/rank"
			if i < 2 {
				path = "/pay/order/1"
			}
			b.WriteString(accessLine(at, fmt.Sprintf("10.0.0.%d", i), path, 200, 0.050))
		}
	}
	for s := 0; s < 60; s++ {
		at := midnight.Add(time.Duration(s) * time.Second)
		for i := 0; i < 20; i++ {
			status, rt := 200, 0.050
			if i < 10 {
				status = 499
			}
			if i == 10 || i == 11 {
				rt = 2.0
			}
			b.WriteString(accessLine(at, fmt.Sprintf("10.0.1.%d", i), "/rank", status, rt))
		}
	}
	access = filepath.Join(dir, "access.log")
	if err := os.WriteFile(access, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	b.WriteString(t0.Format(time.RFC3339) + " info started\n")
	for i := 0; i < 6; i++ {
		b.WriteString(midnight.Add(30*time.Second).Format(time.RFC3339) + " error SequelizeDatabaseError: read ECONNRESET\n")
		b.WriteString("    at Query.run (query.js:52:25)\n")
	}
	b.WriteString(midnight.Add(40*time.Second).Format(time.RFC3339) + " info still here\n")
	app = filepath.Join(dir, "app.log")
	if err := os.WriteFile(app, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return access, app
}

func testSchedule(t testing.TB) *schedule.Schedule {
	t.Helper()
	s, err := schedule.New(schedule.Config{Event: "Year-end", TimeZone: "Asia/Shanghai",
		Stages: []schedule.StageConfig{{Name: "Final", End: "2027-01-01 00:00"}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type fixture struct {
	c      *Collector
	clock  *SteppedClock
	access *nginx.Source
	app    *applog.Source
	trs    []sources.Transition
}

// newFixture builds real sources over the night's files, started from the
// beginning, and a collector with the default rules; run starts the
// sources (not the ticker) and waits until everything is read.
func newFixture(t testing.TB, dir string, run bool) *fixture {
	t.Helper()
	accessPath, appPath := night(t, dir)
	f := &fixture{clock: NewSteppedClock(midnight.Add(2 * time.Minute))}
	ncfg := nginx.DefaultSourceConfig
	ncfg.Paths, ncfg.Start = []string{accessPath}, "beginning"
	if !run {
		ncfg.Format = "timed" // the test feeds the counters itself
	}
	ncfg.Groups = []nginx.GroupConfig{{Name: "pay", Prefix: "/pay/"}}
	if err := ncfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.access, err = nginx.NewSource(ncfg, f.clock.Now); err != nil {
		t.Fatal(err)
	}
	acfg := applog.DefaultSourceConfig
	acfg.Paths, acfg.Start = []string{appPath}, "beginning"
	if f.app, err = applog.NewSource(acfg, f.clock.Now); err != nil {
		t.Fatal(err)
	}
	o := Options{Nginx: []*nginx.Source{f.access}, Apps: []*applog.Source{f.app},
		Schedule: func() *schedule.Schedule { return testSchedule(t) },
		Refresh:  time.Hour, Now: f.clock.Now,
		Sinks: []sources.Sink{recorder{&f.trs}}}
	o.Rules = watch.WithDefaults(nil, Names([]nginx.SourceConfig{ncfg}, []applog.SourceConfig{acfg}, nil))
	if f.c, err = New(o); err != nil {
		t.Fatal(err)
	}
	if !run {
		return f
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _, _ := f.access.Aggregator().Counts()
		n, _ := f.app.Watcher().Count("db", t0, midnight.Add(time.Hour))
		if b.Requests == 120*10+60*20 && n == 6 {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("sources did not read the night: %d requests, %d db errors", b.Requests, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tickThrough ticks every second in [from, to].
func (f *fixture) tickThrough(from, to time.Time) {
	for at := from; !at.After(to); at = at.Add(time.Second) {
		f.clock.Set(at)
		f.c.Tick(at)
	}
}

func value(t *testing.T, s *sources.Snapshot, name string) sources.Indicator {
	t.Helper()
	in, ok := s.Indicator(name)
	if !ok {
		t.Fatalf("no indicator %s in %v", name, names(s))
	}
	return in
}

func names(s *sources.Snapshot) []string {
	var out []string
	for _, in := range s.Indicators {
		out = append(out, in.Name)
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// snapOf sets view v and takes a snapshot, as a screen does.
func snapOf(c *Collector, v sources.View) *sources.Snapshot {
	c.SetView(v)
	return c.Snapshot()
}
