package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestExampleConfigIsValid loads what `warroom init` writes, and again with
// its commented-out blocks (webhooks, layout, victorialogs) switched on, so no part of
// the example a user copies is wrong.
func TestExampleConfigIsValid(t *testing.T) {
	if _, err := parseConfig(bytes.NewReader(exampleConfig)); err != nil {
		t.Fatalf("example config: %v", err)
	}
	on := regexp.MustCompile(`(?m)^(\s*)# ((webhooks|layout|victorialogs|rows|  |\s*- |\s*panes|\s*height|\s*kind|\s*url_|\s*secret|\s*min_|\s*group|\s*name).*)$`)
	full := on.ReplaceAll(exampleConfig, []byte("$1$2"))
	// the header comment lines stay comments: they have no YAML after "# "
	cfg, err := parseConfig(bytes.NewReader(full))
	if err != nil {
		t.Fatalf("example config with its commented blocks enabled: %v\n%s", err, full)
	}
	if len(cfg.Notify.Webhooks) != 1 || len(cfg.Layout.Rows) != 5 || len(cfg.VictoriaLogs.Streams) != 2 {
		t.Fatalf("enabling the commented blocks gave %d webhooks, %d layout rows and %d VictoriaLogs streams, want 1, 5 and 2",
			len(cfg.Notify.Webhooks), len(cfg.Layout.Rows), len(cfg.VictoriaLogs.Streams))
	}
}

func TestInit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "warroom.yaml")
	var out, errb bytes.Buffer
	if code := run([]string{"init", path}, &out, &errb); code != exitOK {
		t.Fatalf("init: exit %d: %s", code, errb.String())
	}
	b, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(b, exampleConfig) {
		t.Fatalf("init wrote %d bytes (%v), want the example", len(b), err)
	}
	errb.Reset()
	if code := run([]string{"init", path}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "not overwriting") {
		t.Fatalf("second init: exit %d: %s", code, errb.String())
	}
	out.Reset()
	if code := run([]string{"check", path}, &out, &errb); code != exitOK {
		t.Fatalf("check of the example: exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"notify: notify bell=true desktop=true min_state=warn", "layout: automatic", "nginx.499_rate:\n    normal, approaching, cooling: warn > 0.5/s, crit > 1/s, for 30s, recover at 0.8×\n    hot: warn > 2/s, crit > 5/s, for 3s, recover at 0.8×"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestZeroConfig(t *testing.T) {
	cfg, err := zeroConfig(zeroFlags{access: []string{"/var/log/nginx/access.log"}, format: "combined", apps: []string{"app.log"}, promURL: "http://127.0.0.1:9090"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.AccessLogs) != 1 || cfg.AccessLogs[0].Name != "nginx" || cfg.AccessLogs[0].Format != "combined" {
		t.Errorf("access logs %+v", cfg.AccessLogs)
	}
	if len(cfg.AppLogs) != 1 || !filepath.IsAbs(cfg.AppLogs[0].Paths[0]) {
		t.Errorf("app logs %+v (paths must be absolute)", cfg.AppLogs)
	}
	if len(cfg.Prometheus.Queries) != 2 {
		t.Errorf("prometheus %v", cfg.Prometheus)
	}
	var names []string
	for _, r := range cfg.rules() {
		names = append(names, r.Indicator)
	}
	if got := strings.Join(names, " "); got != "nginx.qps nginx.slow_ratio nginx.499_rate nginx.5xx_ratio app.db prom.targets_down" {
		t.Errorf("zero-config rules %q, want the five built in and a down target warning", got)
	}
	if _, err := zeroConfig(zeroFlags{format: "$nonsense"}); err != nil {
		t.Errorf("no access log: the format is unused, got %v", err)
	}
	if _, err := zeroConfig(zeroFlags{access: []string{"a.log"}, format: "'$remote_addr$status'"}); err == nil || !strings.Contains(err.Error(), "format") {
		t.Errorf("a bad --log-format must be an error naming the format, got %v", err)
	}
	// --time-zone is the app logs' time_zone
	cfg, err = zeroConfig(zeroFlags{apps: []string{"app.log"}, timeZone: "Asia/Shanghai"})
	if err != nil || cfg.AppLogs[0].TimeZone != "Asia/Shanghai" {
		t.Errorf("--time-zone Asia/Shanghai: app logs %+v, %v", cfg.AppLogs, err)
	}
	for _, z := range []zeroFlags{
		{apps: []string{"app.log"}, timeZone: "China/Beijing"},
		{access: []string{"a.log"}, format: "main", timeZone: "Asia/Shanghai"},
	} {
		if _, err := zeroConfig(z); err == nil || !strings.Contains(err.Error(), "--time-zone") {
			t.Errorf("%+v: want an error naming --time-zone, got %v", z, err)
		}
	}
}

func TestDashboardUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--no-color"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "nothing to watch") {
		t.Errorf("no sources: exit %d: %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"-c", "x.yaml", "--access-log", "a.log"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "do not mix") {
		t.Errorf("-c with flags: exit %d: %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"-c", filepath.Join(t.TempDir(), "missing.yaml")}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "missing.yaml") {
		t.Errorf("missing config: exit %d: %s", code, errb.String())
	}
}
