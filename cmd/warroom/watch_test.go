package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources/nginx/synth"
)

var (
	shanghai = time.FixedZone("CST", 8*3600)
	stageEnd = time.Date(2027, 1, 1, 0, 0, 0, 0, shanghai)
)

// nightOptions shape a generated night around the 00:00 stage end.
type nightOptions struct {
	storm       bool // 30 499s a second, 00:01:00–00:05:59
	dbBurst     bool // five DB errors at 00:07:30
	silence     bool // the access log silent 00:12:00–00:14:59
	shortWindow bool // the stage window closes at +15m, inside the logs
}

// writeNight generates 23:50–00:20 of access log at 40 req/s (synth, so
// realistic and deterministic) plus what opts add, and a config that
// replays it with the default rules (slow_ratio loosened: synth's slow
// requests are not this test's subject).
func writeNight(t *testing.T, dir string, opts nightOptions) string {
	t.Helper()
	const rate = 40
	access := filepath.Join(dir, "access.log")
	f, err := os.Create(access)
	must(t, err)
	start := stageEnd.Add(-10 * time.Minute)
	firstEnd := stageEnd.Add(20 * time.Minute)
	if opts.silence {
		firstEnd = stageEnd.Add(12 * time.Minute)
	}
	must(t, synth.Write(f, synth.Options{Seed: 7, Lines: rate * int(firstEnd.Sub(start)/time.Second), Start: start, Rate: rate, Slow: 0.0001, IPs: 500}))
	if opts.silence {
		must(t, synth.Write(f, synth.Options{Seed: 8, Lines: rate * 300, Start: stageEnd.Add(15 * time.Minute), Rate: rate, Slow: 0.0001, IPs: 500}))
	}
	must(t, f.Close())

	paths := []string{access}
	if opts.storm {
		var b strings.Builder
		for s := 60; s < 360; s++ {
			at := stageEnd.Add(time.Duration(s) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
			for i := 0; i < 30; i++ {
				fmt.Fprintf(&b, "10.9.%d.%d - - [%s] \"GET /yearend-api/v1/rank?stage=20 HTTP/1.1\" 499 0 \"-\" \"ua\" 8.000 -\n", s%200, i, at)
			}
		}
		storm := filepath.Join(dir, "storm.log")
		must(t, os.WriteFile(storm, []byte(b.String()), 0o644))
		paths = append(paths, storm)
	}
	app := filepath.Join(dir, "app.log")
	var b strings.Builder
	b.WriteString(stageEnd.Add(-9*time.Minute).Format(time.RFC3339) + " info listening on :3000\n")
	if opts.dbBurst {
		for i := 0; i < 5; i++ {
			b.WriteString(stageEnd.Add(7*time.Minute+30*time.Second).Format(time.RFC3339) + " error SequelizeDatabaseError: read ECONNRESET\n")
			b.WriteString("    at Query.run (/srv/node_modules/sequelize/lib/dialects/mysql/query.js:52:25)\n")
		}
	}
	b.WriteString(stageEnd.Add(19*time.Minute).Format(time.RFC3339) + " info still listening\n")
	must(t, os.WriteFile(app, []byte(b.String()), 0o644))

	cfg := fmt.Sprintf(`access_logs:
  - name: nginx
    paths: %s
app_logs:
  - name: app
    paths: [%q]
schedule:
  event: Year-end 2026
  time_zone: Asia/Shanghai
  stages:
    - {name: Final, end: "2027-01-01 00:00"}
rules:
  - {indicator: nginx.slow_ratio, crit: 0.5}
reports_dir: reports
`, yamlList(paths), app)
	if opts.shortWindow {
		// the logs run to +19m: a window that closes at +15m is reported
		cfg = strings.Replace(cfg, `end: "2027-01-01 00:00"}`, `end: "2027-01-01 00:00", windows: {after: 15m}}`, 1)
	}
	path := filepath.Join(dir, "warroom.yml")
	must(t, os.WriteFile(path, []byte(cfg), 0o644))
	return path
}

// yamlList is paths as a YAML flow list of quoted strings.
func yamlList(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = fmt.Sprintf("%q", p)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

type transitionLine struct {
	At        string   `json:"at"`
	Indicator string   `json:"indicator"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	Value     *float64 `json:"value"`
	Threshold *float64 `json:"threshold"`
	Phase     string   `json:"phase"`
	Milestone string   `json:"milestone"`
	Reason    string   `json:"reason"`
	DrivenBy  string   `json:"driven_by"`
	instant   time.Time
}

func replayNight(t *testing.T, opts nightOptions) []transitionLine {
	t.Helper()
	return replayConfig(t, writeNight(t, t.TempDir(), opts))
}

// replayConfig runs watch --replay on the config at cfg and returns its
// JSON lines, each checked for the fields every line carries; At is the
// instant parsed.
func replayConfig(t *testing.T, cfg string) []transitionLine {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run([]string{"watch", "-c", cfg, "--replay"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var trs []transitionLine
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var tr transitionLine
		if err := json.Unmarshal(sc.Bytes(), &tr); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		for _, key := range []string{`"at"`, `"indicator"`, `"from"`, `"to"`, `"value"`, `"threshold"`, `"phase"`, `"milestone"`} {
			if !strings.Contains(sc.Text(), key) {
				t.Errorf("line lacks %s: %s", key, sc.Text())
			}
		}
		at, err := time.Parse("2006-01-02T15:04:05.000Z07:00", tr.At)
		if err != nil {
			t.Fatalf("at %q: %v", tr.At, err)
		}
		tr.instant = at
		trs = append(trs, tr)
	}
	return trs
}

// TestWatchReplayNight rehearses a night: a 499 storm right after the
// stage end, a DB error burst, and the access log silent for 3 minutes.
// Each expected time follows from the rules: values cover the 10 s ending
// 2 s before the tick; 499_rate in hot warns above 2/s and goes crit above
// 5/s, each held 3 s (HotHold), and recovers at 0.8 of the threshold;
// app.db warns at five errors in the last minute; qps is absent after 10 s
// (absent: auto for a log of 40 lines a second).
func TestWatchReplayNight(t *testing.T) {
	trs := replayNight(t, nightOptions{storm: true, dbBurst: true, silence: true})
	want := []struct{ at, indicator, from, to, phase string }{
		// the storm's first second (00:01:00) is in the window at 00:01:03
		// (30/s ÷ 10 = 3 > 2), its second at 00:01:04 (6 > 5)
		{"00:01:06", "nginx.499_rate", "ok", "warn", "hot"},
		{"00:01:07", "nginx.499_rate", "warn", "crit", "hot"},
		// the last storm second (00:05:59) alone in the window: 3 ≤ 4
		{"00:06:11", "nginx.499_rate", "crit", "warn", "hot"},
		{"00:06:12", "nginx.499_rate", "warn", "ok", "hot"},
		{"00:07:33", "app.db", "ok", "warn", "hot"},
		{"00:08:33", "app.db", "warn", "ok", "hot"},
		// the last line before the silence is at 00:11:59
		{"00:12:09", "nginx.qps", "ok", "crit", "cooling"},
		{"00:15:01", "nginx.qps", "crit", "ok", "cooling"},
	}
	var got []string
	for _, tr := range trs {
		got = append(got, fmt.Sprintf("%s %s %s→%s %s", tr.At, tr.Indicator, tr.From, tr.To, tr.Phase))
	}
	if len(trs) != len(want) {
		t.Fatalf("%d transitions, want %d:\n%s", len(trs), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		tr := trs[i]
		at, err := time.Parse("2006-01-02T15:04:05.000Z07:00", tr.At)
		if err != nil {
			t.Fatal(err)
		}
		if at.Format("15:04:05") != w.at || !strings.HasSuffix(tr.At, "+08:00") || tr.Indicator != w.indicator ||
			tr.From != w.from || tr.To != w.to || tr.Phase != w.phase || tr.Milestone != "Final" {
			t.Errorf("transition %d: got %s, want %s %s %s→%s %s", i, got[i], w.at, w.indicator, w.from, w.to, w.phase)
		}
	}
	if tr := trs[1]; tr.Threshold == nil || *tr.Threshold != 5 || tr.Value == nil || *tr.Value < 5 || tr.Reason != "above crit 5/s" {
		// the reason reads in the indicator's unit, as on screen
		t.Errorf("crit: value %v threshold %v reason %q", tr.Value, tr.Threshold, tr.Reason)
	}
	if tr := trs[6]; tr.Value != nil || !strings.Contains(tr.Reason, "no data for 10s") {
		t.Errorf("absent: %+v", tr)
	}
}

func TestWatchReplayCleanNight(t *testing.T) {
	if trs := replayNight(t, nightOptions{}); len(trs) != 0 {
		t.Fatalf("a clean night gave transitions: %+v", trs)
	}
}

func TestWatchLiveUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "w.yml")
	log := filepath.Join(dir, "access.log")
	must(t, os.WriteFile(log, nil, 0o644))
	timeline := filepath.Join(dir, "timeline.jsonl")
	hooked := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hooked <- string(b)
	}))
	defer hook.Close()
	// a rule that fires at once: qps below 1 with no traffic
	must(t, os.WriteFile(cfg, []byte(fmt.Sprintf("refresh: 100ms\naccess_logs:\n  - {name: nginx, paths: [%q]}\n"+
		"rules:\n  - {indicator: nginx.qps, absent: 200ms}\ntimeline_file: timeline.jsonl\n"+
		"notify:\n  webhooks:\n    - {name: hook, kind: generic, url: %q, group_wait: 100ms}\n", log, hook.URL)), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	old := watchContext
	watchContext = func() context.Context { return ctx }
	oldTerm := isTerminal
	isTerminal = func(io.Writer) bool { return true } // stderr stands for a terminal
	defer func() { watchContext, isTerminal = old, oldTerm }()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"watch", "-c", cfg}, &out, &errb) }()
	// run until the crit is out on every way it goes: the JSON line, the
	// webhook and the bell (headless notifications), however long a loaded
	// machine takes
	const crit = `"indicator":"nginx.qps","from":"unknown","to":"crit"`
	body := ""
	deadline := time.After(60 * time.Second)
	for body == "" || !strings.Contains(out.String(), crit) || !strings.Contains(errb.String(), "\a") {
		select {
		case body = <-hooked:
		case code := <-done:
			t.Fatalf("watch ended by itself: exit %d: %s", code, errb.String())
		case <-deadline:
			t.Fatalf("after 60s: webhook %q\nstdout: %s\nstderr: %q", body, out.String(), errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(body, "nginx.qps") || !strings.Contains(body, "crit") {
		t.Errorf("webhook body %s", body)
	}
	file, err := os.ReadFile(timeline)
	if err != nil || string(file) != out.String() {
		t.Fatalf("timeline file %q (%v), stdout %q", file, err, out.String())
	}
	if strings.Contains(out.String(), "\a") || strings.Contains(out.String(), "\x1b") {
		t.Error("terminal sequences in the JSON lines")
	}
}

// TestWatchReplayWritesReport: rehearsing the night leaves the milestone's
// Markdown report, with the storm in it, in reports_dir (relative to the
// config file).
func TestWatchReplayWritesReport(t *testing.T) {
	dir := t.TempDir()
	cfg := writeNight(t, dir, nightOptions{storm: true, dbBurst: true, shortWindow: true})
	var out, errb bytes.Buffer
	if code := run([]string{"watch", "-c", cfg, "--replay"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "reports", "*.md"))
	if len(files) != 1 || filepath.Base(files[0]) != "year-end-2026-final.md" {
		t.Fatalf("reports: %v", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Final", "499", "nginx.499\\_rate | ok → warn", "| 499 (client gave up) | 9187 |", "/yearend-api/v1/rank | 27081 | 9066"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q:\n%s", want, b)
		}
	}
}

// TestWatchReplayNightAsFiled rehearses the night the project was built
// for, on its real clock: a stage end at 00:00, a refresh storm (×4) and a
// 5-minute hang with clients giving up right after it, the service's MySQL
// connection lost at 01:30 (a burst of read ECONNRESET), and the access log
// silent for 3 minutes at 02:10. watch --replay must raise exactly these
// alarms at these times, judged in the phase each falls in.
func TestWatchReplayNightAsFiled(t *testing.T) {
	dir := t.TempDir()
	access, storm, app := filedNight(t, dir, true)
	cfg := builtinConfigFor(t, dir, []string{access, storm}, app)
	var got []string
	for _, tr := range replayConfig(t, cfg) {
		got = append(got, fmt.Sprintf("%s %s %s→%s %s", tr.instant.Format("15:04:05"), tr.Indicator, tr.From, tr.To, tr.Phase))
	}
	want := []string{
		// the hang's requests take 9 s: slow (crit above 20‱, held 3 s in
		// hot) from the first second in the 10 s window that lags 2 s
		"00:00:36 nginx.slow_ratio ok→crit hot",
		// 20 499s a second from 00:00:30: over 2/s (hot warn) once two
		// such seconds are in the window (00:00:34), over 5/s (hot crit)
		// with three (00:00:35); each held 3 s in hot
		"00:00:37 nginx.499_rate ok→warn hot",
		"00:00:38 nginx.499_rate warn→crit hot",
		// down at once past 0.8 of the threshold: ≤ 4/s once only the
		// last hang second (00:04:59) and the background's few remain
		"00:05:11 nginx.499_rate crit→warn hot",
		"00:05:12 nginx.slow_ratio crit→ok hot",
		"00:05:12 nginx.499_rate warn→ok hot",
		// at 01:30 the night is "normal" again: five DB errors in the last
		// minute warn (the 5th comes at 01:30:20), more than 10 is crit
		// (the 11th at 01:30:50); down at half the threshold as they leave
		// the minute: 5 left once the 7th (01:30:30) leaves at 01:31:30,
		// counted 01:31:33, and 2 once the 10th (01:30:45) leaves
		"01:30:23 app.db ok→warn normal",
		"01:30:53 app.db warn→crit normal",
		"01:31:33 app.db crit→warn normal",
		"01:31:48 app.db warn→ok normal",
		// the last line before the silence is at 02:09:59: a log of 5
		// lines a second is silent after 10 s (absent: auto); back with
		// the first line at 02:13:00
		"02:10:09 nginx.qps ok→crit normal",
		"02:13:01 nginx.qps crit→ok normal",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("transitions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
