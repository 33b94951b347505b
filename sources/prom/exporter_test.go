package prom

import (
	"math"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/config"
)

func TestPresetChecks(t *testing.T) {
	checks := func(p PresetConfig) map[string]QueryConfig {
		p.applyDefaults([]ServerConfig{{Name: "main"}})
		out := map[string]QueryConfig{}
		for _, q := range p.queries() {
			if q.Check != "" {
				if !q.Hidden || q.Preset != p.Name || q.Table != "" {
					t.Errorf("check %s: %+v", q.Name, q)
				}
				out[q.Check] = q
			}
		}
		return out
	}
	c := checks(PresetConfig{Kind: "ingress-nginx", Selector: `namespace="yearend"`})
	if got := c[CheckUp].Expr; got != `1 - (up and on (job, instance) group by (job, instance) (last_over_time(nginx_ingress_controller_requests{namespace="yearend"}[5m])))` {
		t.Errorf("up check without a job: %s", got)
	}
	if got := c[CheckSeries].Expr; got != `count(nginx_ingress_controller_requests{namespace="yearend"})` {
		t.Errorf("series check: %s", got)
	}
	if c[CheckSeries].Name != "nginx.exporter.series" || c[CheckSeries].Title != "nginx_ingress_controller_requests" {
		t.Errorf("series check: %+v", c[CheckSeries])
	}
	c = checks(PresetConfig{Kind: "mtail", Job: `ng"inx`})
	if got := c[CheckUp].Expr; got != `1 - up{job="ng\"inx"}` {
		t.Errorf("up check of a job: %s", got)
	}
}

func TestExporters(t *testing.T) {
	now := time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC)
	target := func(job, inst string, down float64) sources.Series {
		return sources.Series{Labels: map[string]string{"job": job, "instance": inst}, Points: []sources.Point{{At: now, V: down}}}
	}
	count := func(n float64) Result {
		r := Result{Name: "nginx.exporter.series", Health: sources.HealthOK, FetchedAt: now, Value: sources.Value{Value: n}}
		if !math.IsNaN(n) {
			r.Series = []sources.Series{{Points: []sources.Point{{At: now, V: n}}}}
		}
		return r
	}
	ups := func(more int, ss ...sources.Series) Result {
		return Result{Name: "nginx.exporter.up", Health: sources.HealthOK, FetchedAt: now.Add(-time.Second), Series: ss, More: more}
	}
	many := []sources.Series{target("ing", "p1", 1), target("ing", "p2", 1), target("ing", "p3", 1), target("ing", "p4", 1), target("ing", "p5", 0)}
	for _, tc := range []struct {
		name       string
		job        string
		up, series Result
		health     sources.Health
		down       bool
		msg        string
	}{
		{name: "all up", up: ups(0, target("ing", "p1", 0), target("ing", "p2", 0)), series: count(40), health: sources.HealthOK},
		{name: "one of two down", up: ups(0, target("ing", "p1", 1), target("ing", "p2", 0)), series: count(20),
			health: sources.HealthError, msg: "exporter down: up==0 for job ing: p1 (1 of 2 targets); the values are the other targets'"},
		{name: "the only one down", up: ups(0, target("mtail", "web1:3903", 1)), series: count(math.NaN()),
			health: sources.HealthError, down: true, msg: "exporter down: up==0 for job mtail: web1:3903"},
		{name: "many down, more than kept", up: ups(3, many...), series: count(math.NaN()),
			health: sources.HealthError, down: true, msg: "exporter down: up==0 for job ing: p1, p2, p3 and 1 more (at least 4 of 8 targets)"},
		{name: "two jobs", up: ups(0, target("a", "x", 1), target("b", "y", 1)), series: count(math.NaN()),
			health: sources.HealthError, down: true, msg: "exporter down: up==0 for job a, job b: x, y (2 of 2 targets)"},
		{name: "up but nothing exported", up: ups(0, target("ing", "p1", 0)), series: count(math.NaN()),
			health: sources.HealthError, down: true, msg: "no nginx_ingress_controller_requests series"},
		{name: "no series, no target of the job", job: "ing", up: ups(0), series: count(math.NaN()),
			health: sources.HealthError, down: true, msg: "no nginx_ingress_controller_requests series; Prometheus has no target of job ing"},
		{name: "series check failed", up: ups(0), series: Result{Name: "nginx.exporter.series", Health: sources.HealthUnreachable, Err: "dial: refused"},
			health: sources.HealthUnreachable, msg: "dial: refused"},
		{name: "up check stale", up: Result{Name: "nginx.exporter.up", Health: sources.HealthStale, Err: "no fresh answer"}, series: count(3),
			health: sources.HealthStale, msg: "no fresh answer"},
		{name: "not answered yet", up: Result{Name: "nginx.exporter.up"}, series: Result{Name: "nginx.exporter.series"},
			health: sources.HealthUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := PresetConfig{Kind: "ingress-nginx", Job: tc.job}
			p.applyDefaults([]ServerConfig{{Name: "main"}})
			snap := Snapshot{At: now, Results: []Result{{Name: "nginx.qps"}, tc.up, tc.series}}
			es := snap.Exporters(p.queries())
			if len(es) != 1 {
				t.Fatalf("exporters %+v", es)
			}
			e := es[0]
			if e.Preset != "nginx" || e.Health != tc.health || e.Down != tc.down || e.Msg != tc.msg {
				t.Errorf("got %s down=%v %q, want %s down=%v %q", e.Health, e.Down, e.Msg, tc.health, tc.down, tc.msg)
			}
			if tc.health == sources.HealthOK && !e.FetchedAt.Equal(now.Add(-time.Second)) {
				t.Errorf("fetched at %v, want the older answer's", e.FetchedAt)
			}
		})
	}
	// a snapshot without the checks (a querier built before them) knows
	// nothing of the exporter
	if es := (Snapshot{}).Exporters([]QueryConfig{{Name: "x"}}); len(es) != 0 {
		t.Errorf("no checks configured: %+v", es)
	}
	if es := (Snapshot{}).Exporters((&PresetConfig{Kind: "mtail", Name: "m", Server: "s"}).queries()); len(es) != 1 || es[0].Health != sources.HealthUnknown || !strings.Contains(es[0].Preset, "m") {
		t.Errorf("checks not answered: %+v", es)
	}
}

func TestPresetJobConfig(t *testing.T) {
	load := func(preset string) (Config, error) {
		var c Config
		err := config.Load(strings.NewReader("servers: [{name: main, url: \"http://127.0.0.1:9\"}]\npresets:\n  - "+preset+"\n"), &c)
		return c, err
	}
	c, err := load("{kind: mtail, job: mtail}")
	if err != nil || c.Presets[0].Job != "mtail" {
		t.Fatalf("job not read: %+v %v", c.Presets, err)
	}
	if _, err := load("{kind: mtail, job: \"a\\tb\"}"); err == nil || !strings.Contains(err.Error(), `line 3: job: "a\tb": no control characters`) {
		t.Errorf("a job with a tab: %v", err)
	}
}
