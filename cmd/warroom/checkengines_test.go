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
