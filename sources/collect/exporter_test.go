package collect

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	promcfg "github.com/prometheus/common/config"

	"warroom/sources"
	"warroom/sources/prom"
	"warroom/sources/prom/promtest"
)

// A preset whose exporter is down says so, and has no values: two hosts'
// logs, each read by its own real mtail, scraped by a real Prometheus;
// then host b's mtail is killed. Presets reading b alone turn stale with
// the reason (its 499/s was 0: no 499 yet; it must not stay 0), the
// fleet's keeps host a's numbers and says b is down, and a preset of
// metrics nobody exports says so from the start.
func TestPresetExporterDown(t *testing.T) {
	dir := t.TempDir()
	var mt [2]promtest.MtailProcess
	var logs, targets []string
	for i := range mt {
		l := filepath.Join(dir, fmt.Sprintf("%d.log", i))
		if err := os.WriteFile(l, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		mt[i] = promtest.StartMtailProcess(t, prom.MtailProgram, l)
		logs, targets = append(logs, l), append(targets, fmt.Sprintf("%q", mt[i].Addr))
	}
	// 100 fast 200s on each host
	write := func() {
		line := fmt.Sprintf("10.0.0.1 - - [%s] \"GET /x HTTP/1.1\" 200 10 \"-\" \"ua\" 0.010 0.001\n",
			time.Now().Format("02/Jan/2006:15:04:05 -0700"))
		for _, l := range logs {
			f, err := os.OpenFile(l, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(strings.Repeat(line, 100)); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	url := promtest.Start(t, fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: mtail
    static_configs: [{targets: [%s]}]
`, strings.Join(targets, ", ")))
	b := mt[1].Addr
	write()
	waitProm(t, url, `count(nginx_http_requests_total offset 2s)`, 2) // both scraped twice over
	write()                                                           // so each has a rate

	cfg := prom.Config{
		Servers: []prom.ServerConfig{{Name: "main", URL: url, HTTP: promcfg.DefaultHTTPClientConfig}},
		Presets: []prom.PresetConfig{
			{Kind: "mtail", Name: "fleet"},
			{Kind: "mtail", Name: "b", Selector: fmt.Sprintf(`instance=%q`, b)},
			{Kind: "mtail", Name: "bjob", Selector: fmt.Sprintf(`instance=%q`, b), Job: "mtail"},
			{Kind: "nginxlog-exporter", Name: "ghost", Namespace: "ghost", Job: "ghost"},
		},
	}
	q, err := prom.New(cfg, prom.Options{Now: time.Now, Refresh: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Prom: q, Now: time.Now, Refresh: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	status := func(s *sources.Snapshot, name string) sources.SourceStatus {
		for _, st := range s.Sources {
			if st.Name == name {
				return st
			}
		}
		t.Fatalf("no status %q in %+v", name, s.Sources)
		return sources.SourceStatus{}
	}
	value := func(s *sources.Snapshot, name string) sources.Value {
		in, ok := s.Indicator(name)
		if !ok {
			t.Fatalf("no indicator %s", name)
		}
		return in.Value
	}
	// until the condition holds on a fresh snapshot, or a minute passed
	wait := func(what string, cond func(s *sources.Snapshot) bool) *sources.Snapshot {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			c.Refresh()
			c.Tick(time.Now())
			s := c.Snapshot()
			if cond(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never came: statuses %+v", what, s.Sources)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	s := wait("every exporter up", func(s *sources.Snapshot) bool {
		return status(s, "fleet exporter").Health == sources.HealthOK && status(s, "b exporter").Health == sources.HealthOK &&
			status(s, "bjob exporter").Health == sources.HealthOK && value(s, "b.qps").Value > 0
	})
	if v := value(s, "b.499_rate"); v.Health != sources.HealthOK || v.Value != 0 {
		t.Fatalf("b.499_rate before: %v (%s), want 0: no 499 yet", v.Value, v.Health)
	}
	// nothing exports ghost_http_response_count_total, and no target is
	// of job ghost: no value, never 0
	g := status(s, "ghost exporter")
	if g.Health != sources.HealthError || g.Detail != "no ghost_http_response_count_total series; Prometheus has no target of job ghost" {
		t.Errorf("ghost exporter: %s %q", g.Health, g.Detail)
	}
	for _, name := range []string{"ghost.qps", "ghost.499_rate", "ghost.slow_ratio", "ghost.5xx_ratio"} {
		if v := value(s, name); v.Health == sources.HealthOK || !math.IsNaN(v.Value) {
			t.Errorf("%s = %v (%s), want no value", name, v.Value, v.Health)
		}
	}

	mt[1].Kill()
	want := map[string]string{
		"b exporter":     "exporter down: up==0 for job mtail: " + b,
		"bjob exporter":  "exporter down: up==0 for job mtail: " + b + " (1 of 2 targets)",
		"fleet exporter": "exporter down: up==0 for job mtail: " + b + " (1 of 2 targets); the values are the other targets'",
	}
	// the checks are two queries, and a scrape may fall between them:
	// asked again until both saw it
	s = wait("b's exporter down", func(s *sources.Snapshot) bool {
		for name, d := range want {
			if st := status(s, name); st.Health != sources.HealthError || st.Detail != d {
				return false
			}
		}
		return true
	})
	for _, name := range []string{"b.qps", "b.499_rate", "b.slow_ratio", "b.5xx_ratio", "bjob.qps", "bjob.499_rate"} {
		v := value(s, name)
		if v.Health != sources.HealthStale || !math.IsNaN(v.Value) || !strings.HasPrefix(v.Err, "exporter down: up==0 for job mtail") {
			t.Errorf("%s = %v (%s: %q), want stale without a value", name, v.Value, v.Health, v.Err)
		}
	}
	// host a still counts: the fleet's numbers are a's
	if v := value(s, "fleet.qps"); v.Health != sources.HealthOK || math.IsNaN(v.Value) {
		t.Errorf("fleet.qps = %v (%s), want a's", v.Value, v.Health)
	}
}
