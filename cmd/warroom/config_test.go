package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"
)

func TestCheckGood(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"check", "testdata/good.yml"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"testdata/good.yml: OK", "refresh: 2s", "access logs: 2",
		"web: /nonexistent/nginx/access.log", "format timed: 10 variables", "client x_forwarded_for, slow > 800ms",
		"group pay: prefix /pay/, slow 300ms", "group static: glob /static/*, slow inherited",
		"api: command: ssh web2 tail -F /var/log/nginx/access.log",
		"warning: no $request_time",
		"warning: client x_forwarded_for but no $http_x_forwarded_for: clients are counted by $remote_addr",
		"app logs: 2", "app: /nonexistent/event/app.log (start end)", "packs db; 1 own patterns", `pattern oom: substring "JavaScript heap out of memory"`,
		"edge: command: ssh web1 tail -F /var/log/nginx/error.log", "packs upstream", "times without a zone read in Asia/Shanghai",
		"prometheus: 1 servers, 2 queries", `server "main" url=http://127.0.0.1:9090`, "password: <secret>",
		"query prom.db_conn (instant, count, every refresh, on main): max(mysql_global_status_threads_connected)",
		"query prom.cpu (range, count, every 15s, on main)",
		"schedule: inline, 20 milestones", "Year-end 2026 (Asia/Shanghai)",
		"rules: 18 (14 built in)", "web.qps: absent auto (8× the usual gap between lines, 10s to 15m)",
		"web.499_rate:\n    normal, approaching, cooling: warn > 0.5/s, crit > 1/s, for 30s\n    hot: warn > 2/s, crit > 5/s, for 3s\n",
		"web.slow_ratio:\n    normal, approaching, cooling: warn > 5‱, crit > 20‱, for 30s, recover at 0.8×, min_count 5, min_total 20\n    hot: warn > 5‱, crit > 20‱, for 3s",
		"web.pay.5xx_ratio:\n    normal, approaching, cooling: warn > 100‱, crit > 500‱, for 30s",
		"prom.db_conn: warn > 800, crit > 950, at once", "web.pay.slow_ratio:\n    normal, approaching, cooling: crit > 100‱, for 1m\n    hot: crit > 100‱, for 3s", "web.static.slow_ratio:\n    normal, approaching, cooling: warn > 5‱, crit > 20‱, for 30s, recover at 0.8×, min_count 5, min_total 20", "app.db: warn > 0, crit > 3, at once",
		"timeline file: testdata/warroom-timeline.jsonl", "reports: /var/lib/warroom/reports",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCheckBad(t *testing.T) {
	cases := map[string]string{
		"bad_unknown_key.yml":       "line 4: formt: unknown field",
		"bad_format.yml":            "line 4: format: nginx: format at col 13: variables $remote_addr and $status have no delimiter",
		"bad_client.yml":            "line 4: client: want remote_addr, x_forwarded_for or x_real_ip",
		"bad_group_dup.yml":         `line 6: groups[1].name: duplicate group "pay"`,
		"bad_duration.yml":          `line 3: slow: not a valid duration string: "fast"`,
		"bad_refresh.yml":           "line 1: refresh: must be between 100ms and 1m",
		"bad_dup_source.yml":        `access_logs[1].name: duplicate source name "a"`,
		"bad_paths_and_command.yml": "line 4: command: give paths or command, not both",
		"bad_syntax.yml":            "line 1: did not find expected node content",
		"bad_rule_indicator.yml":    `line 7: rules[1].indicator: unknown indicator "web.4999_rate"`,
		"bad_rule_field.yml":        "line 6: rules[0].absnet: unknown field",
		"bad_schedule_both.yml":     "line 5: schedule_file: give schedule or schedule_file, not both",
		"bad_schedule_zone.yml":     `line 3: time_zone: unknown time zone "Asia/Shangai"`,
		"bad_app_pack.yml":          `line 4: packs[1]: unknown pack "dbs"`,
		"bad_app_start.yml":         "line 4: start: ",
		"bad_prom_server.yml":       `line 8: queries[0].server: unknown server "mian"`,
		"bad_dup_kinds.yml":         `app_logs[0].name: duplicate source name "web"`,
		"bad_unknown_section.yml":   "line 2: notfiy: unknown field",
		"bad_command_start.yml":     "line 4: start: 30m: a command's output cannot be searched",
		"bad_app_zone.yml":          `line 4: time_zone: unknown time zone "China/Beijing"`,
		// what used to pass check and fail (or watch nothing) at run time
		"bad_glob.yml":             `line 3: paths[1]: bad glob "[a.log": syntax error in pattern`,
		"bad_paths_empty.yml":      "line 3: access_logs[0].paths: nothing to follow",
		"bad_no_input.yml":         "line 5: app_logs[0]: nothing to follow: give paths (files or globs) or command",
		"bad_empty.yml":            "bad_empty.yml: nothing to watch: give access_logs, app_logs, prometheus queries or victorialogs streams",
		"bad_comments.yml":         "bad_comments.yml: nothing to watch: give access_logs, app_logs, prometheus queries or victorialogs streams",
		"bad_null.yml":             "line 1: nothing to watch: give access_logs, app_logs, prometheus queries or victorialogs streams",
		"bad_schedule_only.yml":    "line 1: nothing to watch",
		"bad_prom_no_queries.yml":  "line 3: prometheus.queries: nothing to watch",
		"bad_rules_only.yml":       "line 1: nothing to watch", // not "unknown indicator": that is the consequence
		"bad_refresh_negative.yml": "line 1: refresh: must not be negative, got -1s",
		"bad_schedule_file.yml":    `line 4: schedule_file: testdata/schedule_invalid.yml: line 2: time_zone: unknown time zone "Asia/Shangai"`,
		"bad_schedule_missing.yml": "line 4: schedule_file: stat testdata/schedule_missing.yml: no such file or directory",
		"bad_vl_filter.yml":        "line 5: filter: stream \"fleet\": a filter, not a query: no pipes (|) outside quotes",
		"bad_vl_server.yml":        `line 6: streams[0].server: unknown server "lv" (known: vl)`,
		"bad_vl_dup_source.yml":    `line 6: victorialogs.streams[0].name: duplicate source name "web"`,
		"bad_vl_no_streams.yml":    "line 3: victorialogs.streams: nothing to watch",
		"bad_vl_rule.yml":          `line 5: rules[0].indicator: unknown indicator "fleet.db"`,
	}
	for file, want := range cases {
		var out, errb bytes.Buffer
		code := run([]string{"check", filepath.Join("testdata", file)}, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), want) || !strings.Contains(errb.String(), file) {
			t.Errorf("%s: exit %d, stderr %q; want %q", file, code, errb.String(), want)
		}
		if strings.Contains(out.String(), "OK") {
			t.Errorf("%s: check printed OK:\n%s", file, out.String())
		}
	}
}

// TestBadConfigRefusedEverywhere: the errors check reports stop watch and
// snapshot too, before anything runs, with the file, line and field (the
// screen loads its config the same way, with loadConfig; it is left out
// so a regression cannot take over the terminal running the tests). A
// schedule file's content is the exception: it is reloaded while they run,
// so only check judges it.
func TestBadConfigRefusedEverywhere(t *testing.T) {
	// were the config accepted, watch would run until this ends
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	old := watchContext
	watchContext = func() context.Context { return ctx }
	defer func() { watchContext = old }()
	for _, file := range []string{"bad_glob.yml", "bad_paths_empty.yml", "bad_no_input.yml", "bad_empty.yml", "bad_null.yml", "bad_schedule_only.yml", "bad_refresh_negative.yml"} {
		for _, cmd := range [][]string{{"watch", "-c"}, {"snapshot", "--timeout", "2s", "-c"}} {
			var out, errb bytes.Buffer
			code := run(append(cmd, filepath.Join("testdata", file)), &out, &errb)
			if code != exitUsage || !strings.Contains(errb.String(), file+": ") || !strings.Contains(errb.String(), "line ") && !strings.Contains(errb.String(), "nothing to watch") {
				t.Errorf("%v %s: exit %d, stderr %q, stdout %q", cmd, file, code, errb.String(), out.String())
			}
		}
	}
}

// TestCheckClientWithoutItsVariable: a client field the format does not
// log falls back to $remote_addr at run time; check says so.
func TestCheckClientWithoutItsVariable(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"check", "testdata/warn_client.yml"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"  real: /nonexistent/nginx/access.log (start end)\n    format timed: 10 variables",
		"    warning: client x_real_ip but no $http_x_real_ip: clients are counted by $remote_addr",
		"    warning: client x_forwarded_for but no $http_x_forwarded_for: clients are counted by $remote_addr",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "warning: client"); n != 2 {
		t.Errorf("%d client warnings, want 2 (the xff source logs its variable):\n%s", n, out.String())
	}
}

func TestCheckMissingFile(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"check", "testdata/nope.yml"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "nope.yml") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

// TestCheckVictoriaLogs: a config of VictoriaLogs streams alone is
// valid; check lists the servers without secrets and the streams with
// what they give, and the built-in rules judge the first access stream
// and the first app stream as they would an access log and an app log.
func TestCheckVictoriaLogs(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"check", "testdata/good_vl.yml"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"victorialogs: 1 servers, 2 streams", `server "vl" url=http://127.0.0.1:9428 timeout=5s`, "password: <secret>",
		"stream fleet (access, on vl): app:=nginx",
		"fields status=status request_time=request_time path=path client=client_ip host=host; slow > 1s",
		"group pay: prefix /pay/, slow 500ms",
		"gives fleet.qps, fleet.slow_ratio, fleet.499_rate, fleet.5xx_ratio, fleet.304_rate, fleet.pay.qps, fleet.pay.slow_ratio\n",
		"stream api (app, on vl): app:=api level:error", "packs db; 1 own patterns; keep 50 lines; host field host",
		`pattern oom: substring "JavaScript heap out of memory"`, "gives api.db, api.oom\n",
		"rules: 9 (6 built in)", "fleet.qps: absent auto", "fleet.pay.499_rate: warn > 2/s, at once",
		"fleet.pay.5xx_ratio:\n    normal, approaching, cooling: warn > 100‱, crit > 500‱", "fleet.499_rate:\n    normal, approaching, cooling: warn > 0.5/s",
		"fleet.5xx_ratio: warn > 200‱, at once", "api.db: warn > 4, crit > 10, at once", "api.oom: crit > 0, at once",
		"testdata/good_vl.yml: OK",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Fatalf("check printed a password:\n%s", out.String())
	}
}

func TestCheckGoodKeepsSecrets(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"check", "testdata/good.yml"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Fatalf("check printed a password:\n%s", out.String())
	}
}

// TestCheckListsMilestones pins the clock and the operator's zone: the
// next five milestones in the event's zone, labelled, and in no other.
func TestCheckListsMilestones(t *testing.T) {
	cfg, err := loadConfig("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York") // time/tzdata is linked in: no system tzdata needed
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC) // 20:00 in Shanghai
	sched, err := checkedSchedule(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	checkSections(cfg, sched, now, ny, func(f string, a ...any) { fmt.Fprintf(&b, f, a...) })
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.Contains(l, "Day ") && strings.Contains(l, "-05:00") {
			t.Errorf("a milestone in the operator's zone, not the event's: %s", l)
		}
	}
	for _, want := range []string{
		"Day 9   2026-12-21 00:00 Mon +08:00  in 4h ",
		"Day 13  2026-12-25 00:00 Fri +08:00  in 4d4h",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("listing lacks %q:\n%s", want, b.String())
		}
	}
	if n := strings.Count(b.String(), "+08:00  "); n != 5 {
		t.Errorf("%d milestones listed, want 5:\n%s", n, b.String())
	}
}

func TestScheduleFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "schedule.yml"), []byte("event: E\ntime_zone: UTC\nstages: [{name: S1, end: \"2030-01-01 00:00\"}]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "w.yml"), []byte("access_logs: [{name: web, paths: [access.log]}]\nschedule_file: schedule.yml\n"), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"check", filepath.Join(dir, "w.yml")}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "schedule.yml (reloaded when it changes), 1 milestones") || !strings.Contains(out.String(), "S1  2030-01-01 00:00") {
		t.Fatalf("schedule file not listed:\n%s", out.String())
	}
}

// TestCheckRefusesAliasBombs: a config of a few hundred kilobytes whose
// aliases repeat a 100 KiB path 40,000 times (4 GB once check joins the
// paths to print them, or resolves them against the config's directory)
// is refused at its line, for the main file and for a schedule_file alike.
// Without the bound this test runs out of memory.
func TestCheckRefusesAliasBombs(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("a", 100<<10)
	// a plain item between the aliases keeps yaml's own guard (a ratio of
	// aliased to plain nodes within one decode) quiet
	items := strings.Repeat("*p, b, ", 40000) + "b"
	main := "app_logs:\n  - name: app\n    paths: [&p \"" + long + "\", " + items + "]\n"
	sched := "event: E\ntime_zone: UTC\nstages:\n  - &s {name: \"" + long + "\", end: \"2030-01-01 00:00\"}\n  - " +
		strings.Repeat("*s\n  - ", 40000) + "{name: last, end: \"2030-01-02 00:00\"}\n"
	os.WriteFile(filepath.Join(dir, "bomb.yml"), []byte(main), 0o644)
	os.WriteFile(filepath.Join(dir, "schedule.yml"), []byte(sched), 0o644)
	os.WriteFile(filepath.Join(dir, "w.yml"), []byte("access_logs: [{name: web, paths: [access.log]}]\nschedule_file: schedule.yml\n"), 0o644)
	for file, want := range map[string]string{
		"bomb.yml": "bomb.yml: line 3: aliases expand the document to more than 16777216 bytes",
		"w.yml":    "schedule_file: " + filepath.Join(dir, "schedule.yml") + ": line 167: aliases expand the document to more than 16777216 bytes",
	} {
		var out, errb bytes.Buffer
		code := run([]string{"check", filepath.Join(dir, file)}, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), want) || out.Len() > 0 {
			t.Errorf("%s: exit %d, stderr %.300q, stdout %.300q; want exit 2 and %q", file, code, errb.String(), out.String(), want)
		}
	}
}

// A Prometheus preset of any name is judged by the built-in rules of an
// access log, as a stream and every log are.
func TestPresetGetsTheBuiltInRules(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "warroom.yml")
	must(t, os.WriteFile(path, []byte("prometheus:\n  servers: [{name: main, url: \"http://127.0.0.1:9\"}]\n  presets: [{kind: mtail, name: fleet, by: instance}]\n"), 0o644))
	var out, errb bytes.Buffer
	if code := run([]string{"check", path}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"rules: 4 (4 built in)", "fleet.499_rate", "fleet.slow_ratio", "fleet.5xx_ratio", "fleet.qps"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check lacks %q:\n%s", want, out.String())
		}
	}
}
