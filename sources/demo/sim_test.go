package demo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/schedule"
)

// TestBackfillPlaysTheNight writes the backfill (which covers the stage
// end before First) and reads it back with the real engines: every line
// parses, the hang after the stage end has the 499s, slow requests and DB
// errors of the script, and the quiet time before it has almost none.
func TestBackfillPlaysTheNight(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sim, err := New(Options{Dir: t.TempDir(), Now: func() time.Time { return now }, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Prepare(); err != nil {
		t.Fatal(err)
	}
	prev := sim.First().Add(-sim.Every()) // 8 minutes before now
	if d := now.Sub(prev); d != 8*time.Minute {
		t.Fatalf("previous stage end %v before now, want 8m", d)
	}

	f, _ := nginx.CompileFormat("timed")
	agg := nginx.NewAggregator(nginx.Options{Format: f})
	data, err := os.ReadFile(sim.AccessLog())
	if err != nil {
		t.Fatal(err)
	}
	agg.Ingest(data)
	sum := agg.Summary(1)
	if sum.BadLines != 0 {
		t.Fatalf("%d malformed lines: %+v", sum.BadLines, sum.Malformed)
	}
	quiet := agg.Window(now.Add(-10*time.Minute), prev.Add(-30*time.Second), 5)
	hang := agg.Window(prev.Add(60*time.Second), prev.Add(200*time.Second), 5)
	qs, hs := quiet.Requests, hang.Requests
	if qs == 0 || hs == 0 {
		t.Fatalf("requests quiet=%d hang=%d", qs, hs)
	}
	qQPS, hQPS := float64(qs)/90, float64(hs)/140
	if hQPS < 2.5*qQPS {
		t.Errorf("hang QPS %.0f not well above quiet QPS %.0f", hQPS, qQPS)
	}
	if r := float64(hang.S499) / 140; r < 8 || r > 20 {
		t.Errorf("499/s in the hang = %.1f, want about 14", r)
	}
	if r := float64(quiet.S499) / 90; r > 0.5 {
		t.Errorf("499/s before the stage end = %.2f, want almost none", r)
	}
	if hang.SlowRatio() < 0.05 || quiet.SlowRatio() > 0.005 {
		t.Errorf("slow ratio hang=%.4f quiet=%.4f", hang.SlowRatio(), quiet.SlowRatio())
	}
	if len(hang.TopIPs) == 0 || hang.TopIPs[0].Key[:5] != "10.8." {
		t.Errorf("the hammering IPs should top the hang: %+v", hang.TopIPs)
	}

	w, err := applog.New(applog.Options{Name: "app", Packs: []string{"db"}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	app, err := os.ReadFile(sim.AppLog())
	if err != nil {
		t.Fatal(err)
	}
	w.Ingest(app)
	w.Flush()
	burst, _ := w.Count("db", prev.Add(60*time.Second), prev.Add(150*time.Second))
	before, _ := w.Count("db", now.Add(-10*time.Minute), prev)
	if burst < 400 || burst > 700 || before != 0 {
		t.Errorf("db errors: burst=%d (want ~540), before the stage end=%d (want 0)", burst, before)
	}

	sch, err := schedule.New(sim.ScheduleConfig())
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := sch.Next(now); !ok || !m.End.Equal(sim.First()) {
		t.Errorf("next milestone %v, want %v", m.End, sim.First())
	}
	if m, ok := sch.Prev(now); !ok || !m.End.Equal(prev) {
		t.Errorf("previous milestone %v, want %v", m.End, prev)
	}
}

func TestOffset(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sim, _ := New(Options{Dir: "x", Now: func() time.Time { return now }})
	for _, c := range []struct {
		at   time.Duration // from now
		want time.Duration
	}{
		{0, -2 * time.Minute},
		{2 * time.Minute, 0},
		{4 * time.Minute, 2 * time.Minute},
		{8 * time.Minute, -4 * time.Minute}, // past the aftermath: counting down to the next
		{-7 * time.Minute, time.Minute},     // after the backfilled stage end
	} {
		if got := sim.Offset(now.Add(c.at)); got != c.want {
			t.Errorf("Offset(now%+v) = %v, want %v", c.at, got, c.want)
		}
	}
}

// TestDemoDirRerunStartsClean runs the simulator twice on one directory, the
// second run starting while the first one's history is still recent (as
// `warroom demo --dir D` run twice does): the logs then hold the second
// run's night alone, byte for byte what it writes in an empty directory,
// and the directory's other files are left alone.
func TestDemoDirRerunStartsClean(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 7, 53, 0, 0, time.UTC)
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(dir string, now time.Time, live time.Duration) *Simulator {
		t.Helper()
		clock := now
		sim, err := New(Options{Dir: dir, Now: func() time.Time { return clock }, Backfill: 3 * time.Minute, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Prepare(); err != nil {
			t.Fatal(err)
		}
		if live > 0 { // the live run writing on after the backfill
			clock = now.Add(live)
			if err := sim.writeUntil(clock); err != nil {
				t.Fatal(err)
			}
		}
		return sim
	}
	// the first run covers 07:50–07:58, the second 07:56–07:59
	run(dir, t0, 5*time.Minute)
	second := run(dir, t0.Add(6*time.Minute), 0)
	alone := run(t.TempDir(), t0.Add(6*time.Minute), 0)

	for _, c := range []struct{ got, want string }{
		{second.AccessLog(), alone.AccessLog()},
		{second.AppLog(), alone.AppLog()},
	} {
		got, err := os.ReadFile(c.got)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(c.want)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("%s: a single run wrote nothing", c.want)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s after a second run: %d lines, want the second run's %d alone",
				filepath.Base(c.got), bytes.Count(got, []byte("\n")), bytes.Count(want, []byte("\n")))
		}
	}
	if b, err := os.ReadFile(notes); err != nil || string(b) != "mine\n" {
		t.Errorf("notes.txt = %q, %v; want it untouched", b, err)
	}
}

// TestDemoRefusesForeignLogs points the simulator at a directory whose
// access.log or app.log it did not write: Prepare fails and neither file
// is emptied.
func TestDemoRefusesForeignLogs(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	// a previous demo's pair, to mix with foreign files
	prev := t.TempDir()
	sim, err := New(Options{Dir: prev, Now: func() time.Time { return now }, Backfill: time.Minute, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Prepare(); err != nil {
		t.Fatal(err)
	}
	demoAcc, _ := os.ReadFile(sim.AccessLog())
	demoApp, _ := os.ReadFile(sim.AppLog())
	realAcc := []byte(`203.0.113.9 - - [01/Dec/2026:07:00:00 +0800] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0" 0.001 0.001` + "\n")
	realApp := []byte("2026-12-01T07:00:00.000+08:00 INFO [billing] started\n")
	for _, c := range []struct {
		name     string
		acc, app []byte
	}{
		{"foreign access.log", realAcc, demoApp},
		{"foreign app.log", demoAcc, realApp},
		{"both foreign", realAcc, realApp},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			acc, app := filepath.Join(dir, "access.log"), filepath.Join(dir, "app.log")
			os.WriteFile(acc, c.acc, 0o644)
			os.WriteFile(app, c.app, 0o644)
			sim, err := New(Options{Dir: dir, Now: func() time.Time { return now }, Backfill: time.Minute, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.Prepare(); err == nil || !strings.Contains(err.Error(), "not written by the demo") {
				t.Errorf("Prepare() = %v, want a refusal", err)
			}
			for _, f := range []struct {
				path string
				want []byte
			}{{acc, c.acc}, {app, c.app}} {
				if got, _ := os.ReadFile(f.path); !bytes.Equal(got, f.want) {
					t.Errorf("%s changed: %d bytes, had %d", filepath.Base(f.path), len(got), len(f.want))
				}
			}
		})
	}
}
