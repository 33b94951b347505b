package demo

import (
	"os"
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

	f, _ := nginx.CompileFormat("main")
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
