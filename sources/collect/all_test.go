package collect

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/schedule"
)

// With a log per host, all.* is the fleet: rates add up, a ratio is the
// ratio of the sums (not an average of the hosts' ratios), the chart sums
// point by point, and a host that fell silent is left out with a note
// saying so — the partial sum never passes for the whole.
func TestAllSumsTheLogs(t *testing.T) {
	dir := t.TempDir()
	clock := NewSteppedClock(time.Unix(0, 0))
	var srcs []*nginx.Source
	for i, host := range []string{"web1", "web2", "web3"} {
		var b strings.Builder
		for s := 0; s < 60; s++ {
			at := midnight.Add(time.Duration(s) * time.Second)
			switch i {
			case 0: // 2/s, all fast
				b.WriteString(accessLine(at, "10.0.0.1", "/rank", 200, 0.01))
				b.WriteString(accessLine(at, "10.0.0.1", "/rank", 200, 0.01))
			case 1: // 3/s, one of them slow
				b.WriteString(accessLine(at, "10.0.0.2", "/rank", 200, 0.01))
				b.WriteString(accessLine(at, "10.0.0.2", "/rank", 499, 0.01))
				b.WriteString(accessLine(at, "10.0.0.2", "/rank", 200, 2.5))
			case 2: // 1/s until 00:00:20, then nothing
				if s < 20 {
					b.WriteString(accessLine(at, "10.0.0.3", "/rank", 200, 0.01))
				}
			}
		}
		path := filepath.Join(dir, host+".log")
		must(t, os.WriteFile(path, []byte(b.String()), 0o644))
		cfg := nginx.DefaultSourceConfig
		cfg.Name, cfg.Paths, cfg.Start, cfg.Format = host, []string{path}, "beginning", "timed"
		must(t, cfg.Validate())
		s, err := nginx.NewSource(cfg, clock.Now)
		must(t, err)
		srcs = append(srcs, s)
	}
	c, err := New(Options{Nginx: srcs, Now: clock.Now, Refresh: time.Hour,
		Schedule: func() *schedule.Schedule { return testSchedule(t) }})
	must(t, err)
	cur, err := c.NewReplayCursor(clock.Set)
	must(t, err)
	defer cur.Close()
	for cur.At().Before(midnight.Add(40 * time.Second)) {
		if _, ok, err := cur.Step(); err != nil || !ok {
			t.Fatalf("replay ended at %v: %v", cur.At(), err)
		}
	}
	s := snapOf(c, sources.View{Window: 5 * time.Minute, Points: 30})
	in := func(name string) sources.Indicator {
		t.Helper()
		i, ok := s.Indicator(name)
		if !ok {
			t.Fatalf("no %s in %v", name, names(s))
		}
		return i
	}
	qps, slow, r499 := in("all.qps"), in("all.slow_ratio"), in("all.499_rate")
	if !qps.Key || in("web1.qps").Key {
		t.Error("the sum is not the key indicator, or a host's still is")
	}
	if !near(qps.Value.Value, 5) || !near(r499.Value.Value, 1) || !near(slow.Value.Value, 10.0/50) {
		t.Errorf("qps %v, 499/s %v, slow ratio %v; want 5 (2+3, web3 silent), 1, 0.2 (10 slow of 50, not the hosts' mean 1/6)",
			qps.Value.Value, r499.Value.Value, slow.Value.Value)
	}
	if qps.Value.Health != sources.HealthOK || !strings.Contains(qps.Value.Err, "2 of 3 logs: without web3 silent since 00:00:19") {
		t.Errorf("health %v, note %q: want ok, naming the silent host", qps.Value.Health, qps.Value.Err)
	}
	if qps.Title != "all QPS" || in("web1.qps").Title != "web1 QPS" {
		t.Errorf("titles %q, %q", qps.Title, in("web1.qps").Title)
	}
	// the chart: 6/s while web3 wrote, 5/s after
	var at10, at30 float64 = math.NaN(), math.NaN()
	for _, p := range qps.Series.Points {
		switch p.At.Sub(midnight) {
		case 0:
			at10 = p.V
		case 30 * time.Second:
			at30 = p.V
		}
	}
	if !near(at10, 6) || !near(at30, 5) {
		t.Errorf("chart at 00:00:00 %v, at 00:00:30 %v; want 6 and 5 (points %v)", at10, at30, qps.Series.Points)
	}
}
