package collect

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/schedule"
	"warroom/sources/watch"
)

// twoStages ends "Day 1" at midnight and "Day 2" five minutes later, each
// with the window −1m … +2m (HOT the first minute).
func twoStages(t testing.TB, event string) *schedule.Schedule {
	t.Helper()
	d := func(x time.Duration) *model.Duration { m := model.Duration(x); return &m }
	s, err := schedule.New(schedule.Config{Event: event, TimeZone: "Asia/Shanghai",
		Windows: schedule.WindowsConfig{Before: d(time.Minute), Hot: d(time.Minute), After: d(2 * time.Minute)},
		Stages: []schedule.StageConfig{
			{Name: "Day 1", End: "2027-01-01 00:00"},
			{Name: "Day 2", End: "2027-01-01 00:05"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stagesNight writes 23:59:00–00:07:59: 10 fast 200s a second throughout;
// after each stage end a minute of 499s from 10.9.9.9 — 5 a second after
// Day 1, 10 after Day 2 — and 4 DB errors at 00:05:30.
func stagesNight(t testing.TB, dir string) (access, app string) {
	t.Helper()
	var b strings.Builder
	day2 := midnight.Add(5 * time.Minute)
	for s := -60; s < 480; s++ {
		at := midnight.Add(time.Duration(s) * time.Second)
		for i := 0; i < 10; i++ {
			b.WriteString(accessLine(at, fmt.Sprintf("10.0.0.%d", i), "/rank", 200, 0.05))
		}
		n := 0
		switch {
		case s >= 0 && s < 60:
			n = 5
		case s >= 300 && s < 360:
			n = 10
		}
		for i := 0; i < n; i++ {
			b.WriteString(accessLine(at, "10.9.9.9", "/result", 499, 3))
		}
	}
	access = filepath.Join(dir, "access.log")
	if err := os.WriteFile(access, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	b.WriteString(midnight.Add(-time.Minute).Format(time.RFC3339) + " info started\n")
	for i := 0; i < 4; i++ {
		b.WriteString(day2.Add(30*time.Second).Format(time.RFC3339) + " error SequelizeDatabaseError: read ECONNRESET\n")
	}
	b.WriteString(day2.Add(time.Minute).Format(time.RFC3339) + " info still here\n")
	app = filepath.Join(dir, "app.log")
	if err := os.WriteFile(app, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return access, app
}

// TestReplayWritesReports replays the night: each stage's report appears
// when the logs' clock passes its window end, once, named after the
// event and stage inside the reports dir whatever the event is called,
// with the numbers of its window beside the previous stage's.
func TestReplayWritesReports(t *testing.T) {
	dir := t.TempDir()
	accessPath, appPath := stagesNight(t, dir)
	clock, access := stagesSource(t, accessPath)
	acfg := applog.DefaultSourceConfig
	acfg.Paths = []string{appPath}
	app, err := applog.NewSource(acfg, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	sched := twoStages(t, "../../Year-end/x")
	reports := filepath.Join(dir, "reports")
	var mu sync.Mutex
	var written []string
	var writtenAt []time.Time
	o := Options{Nginx: []*nginx.Source{access}, Apps: []*applog.Source{app},
		Schedule: func() *schedule.Schedule { return sched }, Now: clock.Now,
		ReportsDir: reports,
		OnReport: func(path string, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("report: %v", err)
			}
			written = append(written, path)
			writtenAt = append(writtenAt, clock.Now())
		}}
	o.Rules = watch.WithDefaults(nil, Names([]nginx.SourceConfig{access.Config()}, []applog.SourceConfig{acfg}, nil))
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Replay(context.Background(), clock.Set); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(written)
	want := []string{filepath.Join(reports, "year-end-x-day-1.md"), filepath.Join(reports, "year-end-x-day-2.md")}
	if !slices.Equal(written, want) {
		t.Fatalf("reports %q, want %q", written, want)
	}
	entries, _ := os.ReadDir(reports)
	if len(entries) != 2 {
		t.Errorf("reports dir holds %d entries", len(entries))
	}
	// each was due at its window end plus the lag (00:02:02, 00:07:02)
	// and written before the replay returned (the clock had moved on)
	for _, at := range writtenAt {
		if at.Before(midnight.Add(2*time.Minute + DefaultLag)) {
			t.Errorf("a report written at %v, before its window was complete", at)
		}
	}

	day2, err := os.ReadFile(want[1])
	if err != nil {
		t.Fatal(err)
	}
	md := string(day2)
	for _, s := range []string{
		"# ../../Year-end/x — Day 2", // the title keeps the name, the file name does not
		"Window 00:04:00 CST – 00:07:00 CST (−1m … +2m)",
		"Compared with **Day 1**",
		"| requests | 2400 | 2100 | +300 (+14%) |",
		"| 499 (client gave up) | 600 | 300 | +300 (+100%) |",
		"| DB errors (app log) | 4 | 0 | +4 |",
		"| peak QPS, busiest second | 20/s at 00:05:00 CST (0s) | 15/s at 00:00:00 CST (0s) | +5/s (+33%) |",
		"| 10.9.9.9 | 600 | 600 | 600 |",
		"| nginx.499\\_rate | ok → ",
		"| ok → warn | 6/s | 2/s | hot |", // the 499 rule's value and threshold as the screen writes them
	} {
		if !strings.Contains(md, s) {
			t.Errorf("Day 2 report lacks %q:\n%s", s, md)
		}
	}
	day1, _ := os.ReadFile(want[0])
	if !strings.Contains(string(day1), "No previous milestone") || strings.Contains(string(day1), "00:05:") {
		t.Errorf("Day 1 report:\n%s", day1)
	}

	// a clock stepped back over Day 1's end writes nothing again
	n := len(written)
	mu.Unlock()
	c.Tick(midnight.Add(time.Minute))
	c.Tick(midnight.Add(3 * time.Minute))
	mu.Lock()
	if len(written) != n {
		t.Errorf("reports rewritten: %q", written)
	}
}

// TestNoReportsUnlessAsked: no ReportsDir, no files and no work.
func TestNoReportsUnlessAsked(t *testing.T) {
	f := newFixture(t, t.TempDir(), false)
	if err := f.c.Replay(context.Background(), f.clock.Set); err != nil {
		t.Fatal(err)
	}
	if len(f.c.reported) != 0 {
		t.Errorf("reported %v", f.c.reported)
	}
}

// stagesSource follows the stages night's access log on a clock a minute
// before midnight.
func stagesSource(t *testing.T, accessPath string) (*SteppedClock, *nginx.Source) {
	t.Helper()
	clock := NewSteppedClock(midnight.Add(-time.Minute))
	ncfg := nginx.DefaultSourceConfig
	ncfg.Paths = []string{accessPath}
	must(t, ncfg.Validate())
	access, err := nginx.NewSource(ncfg, clock.Now)
	must(t, err)
	return clock, access
}

// stagesSchedule has stages with one-minute windows before and in HOT,
// two after, in Shanghai.
func stagesSchedule(t *testing.T, stages ...schedule.StageConfig) *schedule.Schedule {
	t.Helper()
	d := func(x time.Duration) *model.Duration { m := model.Duration(x); return &m }
	sched, err := schedule.New(schedule.Config{Event: "E", TimeZone: "Asia/Shanghai",
		Windows: schedule.WindowsConfig{Before: d(time.Minute), Hot: d(time.Minute), After: d(2 * time.Minute)},
		Stages:  stages})
	must(t, err)
	return sched
}

// A previous milestone from before the access log's first line has no
// data, not zero traffic: the report says so instead of comparing.
func TestReportDoesNotCompareWithBeforeTheLog(t *testing.T) {
	dir := t.TempDir()
	accessPath, _ := stagesNight(t, dir)
	clock, access := stagesSource(t, accessPath)
	sched := stagesSchedule(t, schedule.StageConfig{Name: "Day 0", End: "2026-12-31 23:50"}, schedule.StageConfig{Name: "Day 1", End: "2027-01-01 00:00"})
	reports := filepath.Join(dir, "reports")
	c, err := New(Options{Nginx: []*nginx.Source{access}, Schedule: func() *schedule.Schedule { return sched },
		Now: clock.Now, ReportsDir: reports})
	must(t, err)
	must(t, c.Replay(context.Background(), clock.Set))
	b, err := os.ReadFile(filepath.Join(reports, "e-day-1.md"))
	must(t, err)
	md := string(b)
	if strings.Contains(md, "Compared with **Day 0**") || strings.Contains(md, "No previous milestone") ||
		!strings.Contains(md, "Not compared with **Day 0**: its window is from before the access log's first line") {
		t.Errorf("Day 1 report:\n%s", md)
	}
}
