package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check lists the exporter checks a preset runs besides its indicators.
func TestCheckListsExporterChecks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warroom.yml")
	must(t, os.WriteFile(path, []byte("prometheus:\n  servers: [{name: main, url: \"http://127.0.0.1:9\"}]\n  presets: [{kind: mtail, name: fleet, job: mtail}]\n"), 0o644))
	var out, errb bytes.Buffer
	if code := run([]string{"check", path}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		`exporter check: targets down (preset fleet) (instant, count, every refresh, on main): 1 - up{job="mtail"}`,
		`exporter check: nginx_http_requests_total series (preset fleet) (instant, count, every refresh, on main): count(nginx_http_requests_total{})`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check lacks %q:\n%s", want, out.String())
		}
	}
}

// check says what a vts preset cannot read unless the module is set up
// for it.
func TestCheckSaysWhatVTSNeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warroom.yml")
	must(t, os.WriteFile(path, []byte("prometheus:\n  servers: [{name: main, url: \"http://127.0.0.1:9\"}]\n  presets: [{kind: vts, name: edge, by: host, slow: 500ms}]\n"), 0o644))
	var out, errb bytes.Buffer
	if code := run([]string{"check", path}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"preset edge (vts): 499_rate needs nginx's vhost_traffic_status_measure_status_codes (all, or a list with 499)",
		"preset edge (vts): slow_ratio needs vhost_traffic_status_histogram_buckets with a 500ms bucket",
		`le=~"0.5|0.500"`,
		`nginx_vts_server_requests_total{host!="*"}`,
		`sum by (host) (increase(nginx_vts_status_code_requests_total{host!="*",code=~"499"}[5m]))`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check lacks %q:\n%s", want, out.String())
		}
	}
}
