package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources/prom/promtest"
	"warroom/sources/vlogs/vltest"
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

// check asks each VictoriaLogs server once and each stream what its
// filter matched in the last 15 minutes: a real VictoriaLogs holding 30
// nginx lines, a stream matching nothing (a warning), a quiet app stream,
// a filter the server refuses (a problem: exit 1, with the server's
// reason); a server that is not there is a warning, one that answers
// with a login page a problem.
func TestCheckAsksVictoriaLogs(t *testing.T) {
	vl := vltest.Start(t)
	now := time.Now()
	var lines []vltest.Line
	for i := range 30 {
		lines = append(lines, vltest.Line{Time: now.Add(-time.Duration(i) * 10 * time.Second), Msg: "GET /",
			Fields: map[string]string{"app": "nginx", "host": "web-1", "status": "200"}})
	}
	vl.Insert(t, "app:=nginx", lines)
	login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "<html><head><title>Sign in \x1b[31m</title></head></html>")
	}))
	defer login.Close()
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		must(t, os.WriteFile(path, []byte(body), 0o644))
		return path
	}
	good := write("good.yml", fmt.Sprintf(`victorialogs:
  servers: [{name: vl, url: %q}]
  streams:
    - {name: fleet, filter: "app:=nginx"}
    - {name: ghost, filter: "app:=nothing"}
    - {name: api, kind: app, filter: "app:=api"}
`, vl.URL))
	var out, errb bytes.Buffer
	if code := run([]string{"check", good}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errb.String(), out.String())
	}
	for _, want := range []string{
		"victorialogs, asked now:\n  vl: reachable (answered in ",
		// its lines have a status but no request time
		"    stream fleet: 30 lines in the last 15m\n      warning: no line has a request time (field request_time): the slow ratio would be unknown\n",
		"    stream ghost: no line in the last 15m\n      warning: does the filter match what the shipper sends",
		"    stream api: no line in the last 15m (quiet, or a filter that matches nothing)\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check lacks %q:\n%s", want, out.String())
		}
	}

	bad := write("bad.yml", fmt.Sprintf(`victorialogs:
  servers:
    - {name: vl, url: %q}
    - {name: gone, url: "http://%s"}
    - {name: proxy, url: %q}
  streams:
    - {name: fleet, filter: "app:=nginx"}
    - {name: typo, filter: 'app:~"["'}
    - {name: far, server: gone, filter: "app:=nginx"}
    - {name: behind, server: proxy, filter: "app:=nginx"}
`, vl.URL, promtest.FreeAddr(t), login.URL))
	out.Reset()
	errb.Reset()
	if code := run([]string{"check", bad}, &out, &errb); code != exitProblem {
		t.Fatalf("exit %d, want %d: %s\n%s", code, exitProblem, errb.String(), out.String())
	}
	for _, want := range []string{
		"    stream fleet: 30 lines in the last 15m\n",
		"    stream typo: error: HTTP 400: ",
		`invalid regexp`,
		"      problem: the screen would show no number of this stream\n",
		"  gone: unreachable: ",
		"    warning: not reached from here; its streams were not tried\n",
		"  proxy: error: HTTP 401: Sign in \\x1b[31m\n    problem: it does not answer as VictoriaLogs does",
		": 2 problems",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "stream far:") || strings.Contains(out.String(), "stream behind:") {
		t.Errorf("streams of servers that did not answer were tried:\n%s", out.String())
	}
}

// check sends each Prometheus query once: a real Prometheus answers the
// good one with its value in the indicator's unit, refuses the broken one
// (a problem: exit 1), and a server not reached from here is a warning
// said once.
func TestCheckAsksPrometheus(t *testing.T) {
	url := promtest.Start(t, "global: {scrape_interval: 1h}\nscrape_configs: []\n")
	path := filepath.Join(t.TempDir(), "warroom.yml")
	must(t, os.WriteFile(path, []byte(fmt.Sprintf(`prometheus:
  servers:
    - {name: main, url: %q}
    - {name: gone, url: "http://%s"}
  queries:
    - {name: seven, expr: "vector(7)", unit: count}
    - {name: broken, expr: "sum(", unit: count}
    - {name: nothing, expr: "absent_metric_xyz", unit: count}
    - {name: far, expr: "vector(1)", unit: count, server: gone}
    - {name: far2, expr: "vector(2)", unit: count, server: gone}
`, url, promtest.FreeAddr(t))), 0o644))
	var out, errb bytes.Buffer
	code := run([]string{"check", path}, &out, &errb)
	for _, want := range []string{
		"prometheus, asked now:",
		"  seven (on main): 7\n",
		"  broken (on main): error: ",
		"    problem: the screen would show no number of this query",
		"  nothing (on main): no series now (an empty answer)",
		"  gone: unreachable: ",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check lacks %q:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "gone: unreachable"); n != 1 {
		t.Errorf("the unreachable server said %d times:\n%s", n, out.String())
	}
	if code != exitProblem {
		t.Errorf("exit %d with a query Prometheus refuses, want %d", code, exitProblem)
	}
}

// check reads a stream of raw nginx lines with its format: lines the
// format does not fit are counted (a warning), and a format that fits
// none of them — numbers that would read as a quiet night — is a problem.
func TestCheckSaysWhetherTheFormatFitsRawLines(t *testing.T) {
	vl := vltest.Start(t)
	now := time.Now()
	var lines []vltest.Line
	for i := range 25 {
		msg := fmt.Sprintf(`10.0.0.%d - - [%s] "GET /rank HTTP/1.1" 499 0 "-" "ua"`, i, now.Format("02/Jan/2006:15:04:05 -0700"))
		if i%5 == 0 {
			msg = "upstream timed out (110: Connection timed out) while reading response header"
		}
		lines = append(lines, vltest.Line{Time: now.Add(-time.Duration(i) * time.Second), Msg: msg, Fields: map[string]string{"app": "raw", "host": "web-1"}})
		lines = append(lines, vltest.Line{Time: now.Add(-time.Duration(i) * time.Second), Msg: `{"status":"200","path":"/"}`, Fields: map[string]string{"app": "json", "host": "web-2"}})
	}
	vl.Insert(t, "*", lines)
	path := filepath.Join(t.TempDir(), "raw.yml")
	must(t, os.WriteFile(path, []byte(fmt.Sprintf(`victorialogs:
  servers: [{name: vl, url: %q}]
  streams:
    - name: edge
      filter: "app:=raw"
      format: combined
      groups: [{name: rank, prefix: /rank}, {name: shadowed, glob: "/ra*"}, {name: none, prefix: /nothing}]
    - {name: wrong, filter: "app:=json", format: combined}
`, vl.URL)), 0o644))
	var out, errb bytes.Buffer
	if code := run([]string{"check", "-c", path}, &out, &errb); code != exitProblem {
		t.Fatalf("exit %d, want %d: %s\n%s", code, exitProblem, errb.String(), out.String())
	}
	if strings.Contains(out.String(), "group rank matched none") {
		t.Errorf("the group that matches the lines is said to match none:\n%s", out.String())
	}
	for _, want := range []string{
		"    stream edge: 25 lines in the last 15m, 5 of which the format does not fit\n      warning: ",
		"    stream wrong: 25 lines in the last 15m, none of which the format fits\n      problem: ",
		"      warning: group shadowed matched none of them (an earlier group takes its paths, or its prefix or glob matches nothing)\n",
		"      warning: group none matched none of them",
		// combined has no $request_time: said from the config alone
		"    warning: the format has no $request_time: the slow ratio and the groups' would be unknown\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check lacks %q:\n%s", want, out.String())
		}
	}
}
