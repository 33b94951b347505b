package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"warroom/sources/prom/promtest"
)

// writeLiveLogs writes an access log with 5 requests a second (one a 499)
// from 30 s ago to 5 s ahead — so the 10 s window read a moment later is
// full whatever the timing — and an app log with one DB error.
func writeLiveLogs(t *testing.T, dir string) (access, app string) {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	var b strings.Builder
	for s := -30; s <= 5; s++ {
		at := now.Add(time.Duration(s) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		for i := 0; i < 5; i++ {
			status := 200
			if i == 0 {
				status = 499
			}
			fmt.Fprintf(&b, "10.0.0.%d - - [%s] \"GET /rank HTTP/1.1\" %d 10 \"-\" \"ua\" 0.010 0.009\n", i, at, status)
		}
	}
	access = filepath.Join(dir, "access.log")
	must(t, os.WriteFile(access, []byte(b.String()), 0o644))
	app = filepath.Join(dir, "app.log")
	must(t, os.WriteFile(app, []byte(now.Add(-20*time.Second).Format(time.RFC3339)+" error SequelizeDatabaseError: read ECONNRESET\n"+
		now.Add(-19*time.Second).Format(time.RFC3339)+" info ok\n"), 0o644))
	return access, app
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// writeConfig writes a config reading access and app and asking promURL
// for `up`. The query is evaluated every 30s, which gives a request 10s to
// answer (at every 1s, it would have 1s): a loopback server slowed by a
// loaded machine is not a failure, and a hanging one is cut short by the
// snapshot's --timeout.
func writeConfig(t *testing.T, dir, access, app, promURL string) string {
	t.Helper()
	cfg := fmt.Sprintf(`access_logs:
  - name: nginx
    paths: [%q]
app_logs:
  - name: app
    paths: [%q]
prometheus:
  servers:
    - name: main
      url: %s
      basic_auth: {username: warroom, password: s3cret-pw}
  queries:
    - name: up
      expr: up
      unit: count
      interval: 30s
`, access, app, promURL)
	path := filepath.Join(dir, "warroom.yml")
	must(t, os.WriteFile(path, []byte(cfg), 0o644))
	return path
}

// fakeProm answers every instant query with 42, like a Prometheus would.
func fakeProm(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"x"},"value":[%d,"42"]}]}}`, time.Now().Unix())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// jsonRow is snapshotRow as a script reads it.
type jsonRow struct {
	Name   string     `json:"name"`
	Value  *float64   `json:"value"`
	Unit   string     `json:"unit"`
	Health string     `json:"health"`
	At     *time.Time `json:"at"`
	Error  string     `json:"error"`

	State     string     `json:"state"`
	Pending   string     `json:"pending"`
	PendingAt *time.Time `json:"pending_at"`
}

func snapshotRows(t *testing.T, out string) map[string]jsonRow {
	t.Helper()
	var rows []jsonRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	m := map[string]jsonRow{}
	for _, r := range rows {
		m[r.Name] = r
	}
	// with several access logs their sum (all.*) leads
	if len(rows) < 4 || (rows[0].Name != "nginx.qps" && rows[0].Name != "all.qps") || rows[3].Name != "app.db" {
		t.Errorf("key indicators first: %s", out)
	}
	return m
}

func TestSnapshotHealthy(t *testing.T) {
	dir := t.TempDir()
	access, app := writeLiveLogs(t, dir)
	cfg := writeConfig(t, dir, access, app, fakeProm(t).URL)
	var out, errb bytes.Buffer
	code := run([]string{"snapshot", "-c", cfg, "--json", "--timeout", "1m"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	rows := snapshotRows(t, out.String())
	check := func(name string, want float64, unit string) {
		r, ok := rows[name]
		if !ok || r.Value == nil || *r.Value != want || r.Unit != unit || r.Health != "ok" || r.At == nil || r.Error != "" {
			t.Errorf("%s: %+v, want %v %s ok", name, r, want, unit)
		}
	}
	check("nginx.qps", 5, "per-second")
	check("nginx.499_rate", 1, "per-second")
	check("nginx.slow_ratio", 0, "ratio")
	check("app.db", 1, "count")
	check("prom.up", 42, "count")
	if strings.Contains(out.String()+errb.String(), "s3cret") {
		t.Error("a password was printed")
	}
	for _, key := range []string{`"name"`, `"value"`, `"unit"`, `"health"`, `"at"`} {
		if !strings.Contains(out.String(), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}

	// the plain form: one line per indicator
	out.Reset()
	if code := run([]string{"snapshot", "-c", cfg}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "nginx.qps") || !strings.Contains(out.String(), "prom.up") || strings.Count(out.String(), "\n") != len(rows) {
		t.Errorf("plain output:\n%s", out.String())
	}
	// values as the screen writes them, times in the (machine's, with no
	// schedule) zone with its name
	zone := time.Now().Format("MST")
	for _, re := range []string{`(?m)^nginx\.qps +5/s +ok +ok +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ` + regexp.QuoteMeta(zone), `(?m)^nginx\.slow_ratio +0‱ `} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("plain output lacks %s:\n%s", re, out.String())
		}
	}
}

// A value past a threshold that its rule still holds under `for` prints
// as what it is: ok, with the worse state on its way and when.
func TestSnapshotPrintsPending(t *testing.T) {
	dir := t.TempDir()
	access, app := writeLiveLogs(t, dir) // 1 499 a second
	cfg := filepath.Join(dir, "warroom.yml")
	must(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`access_logs:
  - name: nginx
    paths: [%q]
app_logs:
  - name: app
    paths: [%q]
rules:
  - indicator: nginx.499_rate
    warn: 0.5
    crit: 5
    for: 10m
`, access, app)), 0o644))
	var out, errb bytes.Buffer
	before := time.Now()
	if code := run([]string{"snapshot", "-c", cfg, "--json"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	after := time.Now()
	r := snapshotRows(t, out.String())["nginx.499_rate"]
	if r.State != "ok" || r.Pending != "warn" || r.PendingAt == nil ||
		r.PendingAt.Before(before.Add(10*time.Minute).Truncate(time.Second)) || r.PendingAt.After(after.Add(10*time.Minute)) {
		t.Errorf("499 %+v, want ok, warn pending 10m after the snapshot", r)
	}
	if q := snapshotRows(t, out.String())["nginx.qps"]; q.State != "ok" || q.Pending != "" || q.PendingAt != nil {
		t.Errorf("qps %+v, want ok and nothing pending", q)
	}

	out.Reset()
	if code := run([]string{"snapshot", "-c", cfg}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "nginx.499_rate ") && !strings.Contains(line, " ok→warn in 10m ") {
			t.Errorf("plain form: %q, want the state ok→warn in 10m", line)
		}
		if strings.HasPrefix(line, "nginx.qps ") && !strings.Contains(line, " ok ") {
			t.Errorf("plain form: %q, want the state ok", line)
		}
	}
}

func TestSnapshotUnreachablePrometheus(t *testing.T) {
	dir := t.TempDir()
	access, app := writeLiveLogs(t, dir)
	cfg := writeConfig(t, dir, access, app, "http://127.0.0.1:1")
	var out, errb bytes.Buffer
	// a refused connection is an answer: with an hour's timeout this
	// returns at once, or the test's own deadline catches the wait
	code := run([]string{"snapshot", "-c", cfg, "--json", "--timeout", "1h"}, &out, &errb)
	if code != exitProblem {
		t.Fatalf("exit %d, want 1\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	rows := snapshotRows(t, out.String())
	up := rows["prom.up"]
	if up.Health != "unreachable" || up.Value != nil || up.Error == "" {
		t.Errorf("prom.up %+v", up)
	}
	if !strings.Contains(errb.String(), `query "up"`) || !strings.Contains(errb.String(), "unreachable") {
		t.Errorf("stderr does not name the query: %s", errb.String())
	}
	if r := rows["nginx.qps"]; r.Value == nil || *r.Value != 5 {
		t.Errorf("the logs still answered: %+v", r)
	}
	if strings.Contains(out.String()+errb.String(), "s3cret") {
		t.Error("a password was printed")
	}
}

func TestSnapshotHangingPrometheusRespectsTimeout(t *testing.T) {
	dir := t.TempDir()
	access, app := writeLiveLogs(t, dir)
	// a listener that accepts and never answers
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	// the query waits up to 10s for its answer: the snapshot's own 1.5s
	// timeout must cut it short, and say so
	cfg := writeConfig(t, dir, access, app, "http://"+ln.Addr().String())
	var out, errb bytes.Buffer
	code := run([]string{"snapshot", "-c", cfg, "--json", "--timeout", "1500ms"}, &out, &errb)
	if code != exitProblem {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	rows := snapshotRows(t, out.String())
	if r := rows["prom.up"]; r.Health != "unknown" || r.Value != nil || r.Error != "no answer within 1.5s" {
		t.Errorf("prom.up %+v: want no answer within the snapshot's timeout", r)
	}
}

// A config's relative log paths are read from its directory, wherever
// warroom runs; a command source on the default start (end) reads the
// command's output, which a one-shot run cannot search for its last minute.
func TestSnapshotRelativePathsAndCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc[prod]") // glob characters in the directory are its own
	must(t, os.Mkdir(dir, 0o755))
	access, _ := writeLiveLogs(t, dir)
	cfg := filepath.Join(dir, "warroom.yml")
	must(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`access_logs:
  - name: nginx
    paths: [access.log]
app_logs:
  - name: app
    paths: [app.log]
  - name: edge
    command: [sh, -c, 'cat %s; exec sleep 60']
`, access)), 0o644))
	var out, errb bytes.Buffer
	code := run([]string{"snapshot", "-c", cfg, "--json", "--timeout", "1m"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	rows := snapshotRows(t, out.String())
	for name, want := range map[string]float64{"nginx.qps": 5, "app.db": 1} {
		if r := rows[name]; r.Value == nil || *r.Value != want || r.Health != "ok" {
			t.Errorf("%s: %+v, want %v ok", name, r, want)
		}
	}
	if r, ok := rows["edge.db"]; !ok || r.Health != "ok" || r.Error != "" {
		t.Errorf("edge.db (the command source): %+v", r)
	}
	// --start with a duration applies to the files; the command reads as
	// it comes
	out.Reset()
	if code := run([]string{"snapshot", "-c", cfg, "--json", "--timeout", "1m", "--start", "5m"}, &out, &errb); code != exitOK {
		t.Fatalf("--start 5m with a command source: exit %d\nstderr %s", code, errb.String())
	}
}

func TestSnapshotUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"snapshot"}, &out, &errb); code != exitUsage {
		t.Fatalf("exit %d", code)
	}
	if code := run([]string{"snapshot", "-c", "testdata/bad_refresh.yml"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "refresh") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

// startPrometheus runs a real Prometheus on a loopback port with its own
// config and data dir (no scrape targets: the test asks for constant
// expressions), or skips when the binary is missing — unless
// WARROOM_REQUIRE_INTEGRATION=1, where that fails.
func startPrometheus(t *testing.T) string {
	t.Helper()
	return promtest.Start(t, "global:\n  evaluation_interval: 1s\n")
}

func TestSnapshotRealPrometheus(t *testing.T) {
	url := startPrometheus(t)
	dir := t.TempDir()
	access, app := writeLiveLogs(t, dir)
	cfg := fmt.Sprintf(`access_logs:
  - {name: nginx, paths: [%q]}
app_logs:
  - {name: app, paths: [%q]}
prometheus:
  servers:
    - {name: main, url: %s}
  queries:
    - {name: seven, expr: "vector(7)", unit: count, interval: 30s}
    - {name: broken, expr: "sum(rate(x[1m]", interval: 30s}
`, access, app, url)
	path := filepath.Join(dir, "warroom.yml")
	must(t, os.WriteFile(path, []byte(cfg), 0o644))
	var out, errb bytes.Buffer
	code := run([]string{"snapshot", "-c", path, "--json"}, &out, &errb)
	if code != exitProblem {
		t.Fatalf("exit %d with a broken query\n%s\n%s", code, out.String(), errb.String())
	}
	rows := snapshotRows(t, out.String())
	if r := rows["prom.seven"]; r.Value == nil || *r.Value != 7 || r.Health != "ok" {
		t.Errorf("prom.seven %+v", r)
	}
	if r := rows["prom.broken"]; r.Health != "error" || !strings.Contains(r.Error, "parse error") {
		t.Errorf("prom.broken %+v", r)
	}
	if !strings.Contains(errb.String(), `query "broken"`) {
		t.Errorf("stderr: %s", errb.String())
	}
}

// TestSnapshotFrame prints the screen as plain text at a given size: the
// shape a README picture or a cron mail needs, no escape sequences.
func TestSnapshotFrame(t *testing.T) {
	dir := t.TempDir()
	access, app := writeLiveLogs(t, dir)
	cfg := writeConfig(t, dir, access, app, fakeProm(t).URL)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		var out, errb bytes.Buffer
		if code := run([]string{"snapshot", "-c", cfg, "--frame", fmt.Sprintf("%dx%d", size[0], size[1]), "--timeout", "1m"}, &out, &errb); code != exitOK {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != size[1] {
			t.Errorf("%dx%d: %d lines", size[0], size[1], len(lines))
		}
		for i, l := range lines {
			if n := utf8.RuneCountInString(l); n > size[0] {
				t.Errorf("%dx%d: line %d is %d wide", size[0], size[1], i+1, n)
			}
		}
		if strings.ContainsRune(out.String(), 0x1b) {
			t.Errorf("escape sequences in a plain frame")
		}
		for _, want := range []string{"QPS", "5/s", "499/s", "1/s", "DB err/min"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%dx%d frame lacks %q:\n%s", size[0], size[1], want, out.String())
			}
		}
	}
	// a frame with a source that did not answer still exits 1, as the
	// probe does without --frame
	var out, errb bytes.Buffer
	down := writeConfig(t, t.TempDir(), access, app, "http://127.0.0.1:1")
	if code := run([]string{"snapshot", "-c", down, "--frame", "80x24", "--timeout", "1m"}, &out, &errb); code != exitProblem || !strings.Contains(out.String(), "QPS") {
		t.Errorf("frame with Prometheus down: exit %d, want %d:\n%s", code, exitProblem, out.String())
	}
	out.Reset()
	if code := run([]string{"snapshot", "-c", cfg, "--frame", "wide"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "WIDTHxHEIGHT") {
		t.Errorf("bad --frame: exit %d: %s", code, errb.String())
	}
}

// An app log that cannot be read has no count, not a count of 0.
func TestSnapshotUnreadAppLogHasNoValue(t *testing.T) {
	dir := t.TempDir()
	access, _ := writeLiveLogs(t, dir)
	cfg := filepath.Join(dir, "w.yml")
	must(t, os.WriteFile(cfg, []byte(fmt.Sprintf("access_logs:\n  - name: nginx\n    paths: [%q]\napp_logs:\n  - name: app\n    paths: [%q]\n", access, filepath.Join(dir, "missing.log"))), 0o644))
	var out, errb bytes.Buffer
	code := run([]string{"snapshot", "-c", cfg, "--json", "--timeout", "1m"}, &out, &errb)
	rows := snapshotRows(t, out.String())
	if r := rows["app.db"]; code != exitProblem || r.Value != nil || r.Health != "error" || !strings.Contains(r.Error, "missing.log") {
		t.Errorf("exit %d, app.db %+v: want no value, an error naming the file", code, r)
	}
}

// nginxStamp is an access-log line's time as nginx writes it.
const nginxStamp = "02/Jan/2006:15:04:05 -0700"

// startLiveWriter writes an access log as a busy nginx would: a history of
// 60 requests a second (the first of each a 499) from 40 s before now to
// 20 s after — so whatever the span read a moment later holds at least 60
// a second — then, until the test ends, one request stamped with the
// clock every 1/60 s, appended as the snapshot reads.
func startLiveWriter(t *testing.T, path string) {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	var b strings.Builder
	for s := -40; s <= 20; s++ {
		at := now.Add(time.Duration(s) * time.Second).Format(nginxStamp)
		for i := range 60 {
			status := 200
			if i == 0 {
				status = 499
			}
			fmt.Fprintf(&b, "10.0.0.%d - - [%s] \"GET /rank HTTP/1.1\" %d 10 \"-\" \"ua\" 0.010 0.009\n", i, at, status)
		}
	}
	must(t, os.WriteFile(path, []byte(b.String()), 0o644))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	stop, done := make(chan struct{}), make(chan struct{})
	wrote := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second / 60)
		defer tick.Stop()
		for n := 0; ; n++ {
			line := fmt.Sprintf("10.0.1.%d - - [%s] \"GET /live HTTP/1.1\" 200 10 \"-\" \"ua\" 0.010 0.009\n", n%250, time.Now().Format(nginxStamp))
			if _, err := f.WriteString(line); err != nil {
				t.Errorf("live writer: %v", err)
				return
			}
			if n == 0 {
				close(wrote)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done; f.Close() })
	<-wrote // the log is live before the snapshot starts
}

// A log written 60 lines a second is never quiet; a snapshot still answers
// as soon as each source has: a file once it is read to the size it had,
// a command streaming it once it caught up with now, Prometheus once its
// query returned. The timeout is an hour, so the answer cannot come from
// giving up: a snapshot waiting for the log to go quiet is a hang, caught
// by the test's own deadline.
func TestSnapshotLiveLog(t *testing.T) {
	url := startPrometheus(t)
	dir := t.TempDir()
	access := filepath.Join(dir, "access.log")
	startLiveWriter(t, access)
	app := filepath.Join(dir, "app.log")
	must(t, os.WriteFile(app, []byte(time.Now().Add(-20*time.Second).Format(time.RFC3339)+" error SequelizeDatabaseError: read ECONNRESET\n"), 0o644))
	cfg := filepath.Join(dir, "warroom.yml")
	must(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`access_logs:
  - {name: nginx, paths: [%q]}
  - {name: stream, command: [tail, -n, "+1", -F, %q]}
app_logs:
  - {name: app, paths: [%q]}
prometheus:
  servers:
    - {name: main, url: %s}
  queries:
    - {name: seven, expr: "vector(7)", unit: count, interval: 30s}
`, access, access, app, url)), 0o644))
	var out, errb bytes.Buffer
	code := run([]string{"snapshot", "-c", cfg, "--json", "--timeout", "1h"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	rows := snapshotRows(t, out.String())
	for name, r := range rows {
		if r.Health != "ok" || r.Error != "" {
			t.Errorf("%s: %+v, want ok", name, r)
		}
	}
	atLeast := func(name string, want float64) {
		if r, ok := rows[name]; !ok || r.Value == nil || *r.Value < want {
			t.Errorf("%s: %+v, want at least %v", name, r, want)
		}
	}
	// the history alone holds 60 requests and one 499 a second in any span
	atLeast("nginx.qps", 60)
	atLeast("nginx.499_rate", 1)
	atLeast("stream.qps", 1)
	atLeast("app.db", 1)
	atLeast("prom.seven", 7)
}

// A format without $request_time cannot give a slow ratio: the probe
// says so on its row, and still exits 0 — every source answered.
func TestSnapshotFormatWithoutRequestTime(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().Truncate(time.Second)
	var b strings.Builder
	for s := -30; s <= 2; s++ {
		fmt.Fprintf(&b, "10.0.0.1 - - [%s] \"GET /rank HTTP/1.1\" 200 10 \"-\" \"ua\"\n", now.Add(time.Duration(s)*time.Second).Format("02/Jan/2006:15:04:05 -0700"))
	}
	access := filepath.Join(dir, "access.log")
	must(t, os.WriteFile(access, []byte(b.String()), 0o644))
	path := filepath.Join(dir, "warroom.yml")
	must(t, os.WriteFile(path, []byte(fmt.Sprintf("access_logs:\n  - {name: comb, paths: [%q], format: combined, start: beginning}\n", access)), 0o644))
	var out, errb bytes.Buffer
	if code := run([]string{"snapshot", "-c", path, "--json"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	var rows []jsonRow
	must(t, json.Unmarshal(out.Bytes(), &rows))
	found := false
	for _, r := range rows {
		if r.Name == "comb.slow_ratio" {
			found = r.Health == "unknown" && strings.Contains(r.Error, "no $request_time")
		}
	}
	if !found {
		t.Errorf("comb.slow_ratio does not say why it is unknown:\n%s", out.String())
	}
}
