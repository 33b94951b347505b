package collect

import (
	"fmt"
	"io"
	"math"
	"net/http"
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

// The mtail preset over a real fleet: two hosts' nginx logs, each read by
// its own real mtail running warroom's program, scraped by a real
// Prometheus. The preset's indicators have the ratios of the lines
// written exactly (counters of one host are scraped together, so rate()'s
// extrapolation cancels out in a ratio), and its hosts table and drivers
// name the host the 499s, slow requests and 5xx came from.
func TestMtailPresetOnARealFleet(t *testing.T) { mtailPresetOnARealFleet(t, promtest.Start) }

// The same fleet scraped by a real VictoriaMetrics instead, which
// answers Prometheus's query API: the preset's queries are the same.
func TestMtailPresetOnVictoriaMetrics(t *testing.T) {
	mtailPresetOnARealFleet(t, promtest.StartVictoriaMetrics)
}

func mtailPresetOnARealFleet(t *testing.T, start func(testing.TB, string) string) {
	dir := t.TempDir()
	logs := [2]string{filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")}
	var targets []string
	for _, l := range logs {
		if err := os.WriteFile(l, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		targets = append(targets, fmt.Sprintf("%q", promtest.StartMtail(t, prom.MtailProgram, l)))
	}
	url := start(t, fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: mtail
    static_configs: [{targets: [%s]}]
`, strings.Join(targets, ", ")))
	b := targets[1][1 : len(targets[1])-1]

	line := func(status int, rt float64) string {
		return fmt.Sprintf("10.0.0.1 - - [%s] \"GET /x HTTP/1.1\" %d 10 \"-\" \"ua\" %.3f 0.001\n",
			time.Now().Format("02/Jan/2006:15:04:05 -0700"), status, rt)
	}
	write := func(path string, ls ...string) {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(strings.Join(ls, "")); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	repeat := func(n int, s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	// every series first, so rate() has a sample before the batch — and
	// a count well above the batch's, so rate() does not cut its
	// extrapolation where a counter would have been zero, which differs
	// from series to series
	write(logs[0], repeat(1000, line(200, 0.01))...)
	var warm []string
	for _, st := range []int{200, 499, 502} {
		warm = append(warm, repeat(1000, line(st, 0.01))...)
	}
	write(logs[1], warm...)
	waitProm(t, url, `count(nginx_http_requests_total)`, 4)
	waitProm(t, url, `count(nginx_http_requests_total offset 2s)`, 4) // scraped twice over
	// the batch: host a 200 fast requests; host b 100: 50 given up, 20
	// slow, 10 bad gateway
	write(logs[0], repeat(200, line(200, 0.01))...)
	var bl []string
	bl = append(bl, repeat(50, line(499, 0.01))...)
	bl = append(bl, repeat(20, line(200, 2.5))...)
	bl = append(bl, repeat(10, line(502, 0.01))...)
	bl = append(bl, repeat(20, line(200, 0.01))...)
	write(logs[1], bl...)

	cfg := prom.Config{
		Servers: []prom.ServerConfig{{Name: "main", URL: url, HTTP: promcfg.DefaultHTTPClientConfig}},
		Presets: []prom.PresetConfig{
			// one host: its ratios are exact
			{Kind: "mtail", Name: "b", Selector: fmt.Sprintf(`instance=%q`, b)},
			// the fleet, with its hosts table
			{Kind: "mtail", Name: "fleet", By: "instance"},
			// the host without a 499 or a 5xx: 0, not unknown
			{Kind: "mtail", Name: "a", Selector: fmt.Sprintf(`instance=%q`, targets[0][1:len(targets[0])-1])},
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
	for _, want := range []string{"b.qps", "b.slow_ratio", "b.499_rate", "b.5xx_ratio", "fleet.qps"} {
		if !c.Known(want) {
			t.Fatalf("no indicator %s: %v", want, c.Indicators())
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	var s *sources.Snapshot
	for {
		c.Refresh()
		c.Tick(time.Now())
		s = c.Snapshot()
		v := func(name string) float64 { in, _ := s.Indicator(name); return in.Value.Value }
		// all 100 of b's batch in the rates: 499s are half its requests
		ok := near(v("b.499_rate")/v("b.qps"), 0.5) && near(v("b.slow_ratio"), 0.2) && near(v("b.5xx_ratio"), 0.1) &&
			len(s.Tops) == 1 && len(s.Tops[0].Rows) == 2 && s.Tops[0].Rows[0].S499 > 0 &&
			v("a.qps") > 0 // a's batch in its rate too: a ratio of no requests is unknown
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("b: 499/s %g of %g/s, slow %g, 5xx %g; tops %+v", v("b.499_rate"), v("b.qps"), v("b.slow_ratio"), v("b.5xx_ratio"), s.Tops)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, name := range []string{"a.499_rate", "a.5xx_ratio"} {
		if in, _ := s.Indicator(name); in.Value.Health != sources.HealthOK || in.Value.Value != 0 {
			t.Errorf("%s = %v (%s), want 0: no such request yet", name, in.Value.Value, in.Value.Health)
		}
	}
	in, _ := s.Indicator("b.qps")
	if !in.Key || in.Value.Unit != sources.UnitPerSecond {
		t.Errorf("b.qps: key %v unit %s", in.Key, in.Value.Unit)
	}
	// the fleet's table ranks b first (its 499s, slow and 5xx) and the
	// drivers name it: every 499, slow request and 5xx is b's
	top := s.Tops[0]
	if top.Title != "fleet hosts" || top.Rows[0].Key != b || top.Rows[1].S499+top.Rows[1].Slow+top.Rows[1].S5xx != 0 {
		t.Errorf("hosts table %+v", top)
	}
	for _, name := range []string{"fleet.499_rate", "fleet.slow_ratio", "fleet.5xx_ratio"} {
		in, _ := s.Indicator(name)
		if in.Driver == nil || in.Driver.Host.Key != b || !strings.HasSuffix(in.Driver.Line(), "host "+b+" ~100%") {
			t.Errorf("%s driven by %+v", name, in.Driver)
		}
	}
}

// waitProm waits until expr evaluates to want on the Prometheus at url.
func waitProm(t *testing.T, url, expr string, want float64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url + "/api/v1/query?query=" + strings.ReplaceAll(expr, " ", "%20"))
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), fmt.Sprintf(`"%g"]`, want)) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never %g: %s", expr, want, body)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var _ = math.NaN
