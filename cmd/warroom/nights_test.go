package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"warroom/sources/nginx/synth"
	"warroom/sources/prom/promtest"
)

// filedNight writes the night as filed (incidents) or the same night
// clean: 5 lines a second from 23:50, three times that from 00:00 for five
// minutes; with incidents, from 00:00:30 a hang (20 499s a second, 9 s
// requests), a DB connection lost at 01:30 (12 read ECONNRESET, one every
// 5 s) and the access log silent 02:10:00–02:12:59.
func filedNight(t *testing.T, dir string, incidents bool) (access, storm, app string) {
	t.Helper()
	const rate = 5
	access = filepath.Join(dir, "access.log")
	f, err := os.Create(access)
	must(t, err)
	start := stageEnd.Add(-10 * time.Minute)
	silentFrom, silentTo := stageEnd.Add(2*time.Hour+10*time.Minute), stageEnd.Add(2*time.Hour+13*time.Minute)
	if !incidents {
		silentFrom = silentTo
	}
	must(t, synth.Write(f, synth.Options{Seed: 11, Lines: rate * int(silentFrom.Sub(start)/time.Second), Start: start, Rate: rate, Slow: 0.00001, IPs: 300}))
	must(t, synth.Write(f, synth.Options{Seed: 12, Lines: rate * 600, Start: silentTo, Rate: rate, Slow: 0.00001, IPs: 300}))
	must(t, f.Close())

	var b strings.Builder
	for s := 0; s < 300; s++ { // 00:00:00–00:04:59: three times the traffic again, and from 00:00:30 the hang
		at := stageEnd.Add(time.Duration(s) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		for i := 0; i < 3*rate; i++ {
			fmt.Fprintf(&b, "10.7.%d.%d - - [%s] \"GET /yearend-api/v1/result HTTP/1.1\" 200 90 \"-\" \"ua\" 0.020 0.019\n", s%200, i, at)
		}
		if s >= 30 && incidents {
			for i := 0; i < 20; i++ {
				fmt.Fprintf(&b, "10.9.%d.%d - - [%s] \"GET /yearend-api/v1/rank HTTP/1.1\" 499 0 \"-\" \"ua\" 9.000 -\n", s%200, i, at)
			}
		}
	}
	storm = filepath.Join(dir, "storm.log")
	must(t, os.WriteFile(storm, []byte(b.String()), 0o644))

	b.Reset()
	b.WriteString(start.Format(time.RFC3339) + " info listening on :3000\n")
	lost := stageEnd.Add(90 * time.Minute)
	for i := 0; i < 12 && incidents; i++ { // 01:30:00–01:30:55, one every 5 s
		b.WriteString(lost.Add(time.Duration(i)*5*time.Second).Format(time.RFC3339) + " error SequelizeDatabaseError: read ECONNRESET\n")
		b.WriteString("    at Query.run (/srv/node_modules/sequelize/lib/dialects/mysql/query.js:52:25)\n")
	}
	b.WriteString(stageEnd.Add(2*time.Hour+20*time.Minute).Format(time.RFC3339) + " info still listening\n")
	app = filepath.Join(dir, "app.log")
	must(t, os.WriteFile(app, []byte(b.String()), 0o644))

	return access, storm, app
}

// initConfigFor is the config `warroom init` writes, reading the given
// logs: its rules, schedule and everything else as written.
func initConfigFor(t *testing.T, dir string, access []string, app string) string {
	t.Helper()
	cfg := string(exampleConfig)
	q := make([]string, len(access))
	for i, p := range access {
		q[i] = fmt.Sprintf("%q", p)
	}
	for old, repl := range map[string]string{
		"paths: [/var/log/nginx/access.log]":  "paths: [" + strings.Join(q, ", ") + "]",
		"paths: [/var/log/yearend-api/*.log]": fmt.Sprintf("paths: [%q]", app),
		// the example's Prometheus, as on a machine without one (a port
		// free a moment ago: 9090 may hold someone's Prometheus)
		"url: http://127.0.0.1:9090": "url: http://" + promtest.FreeAddr(t),
	} {
		if !strings.Contains(cfg, old) {
			t.Fatalf("example.yaml no longer has %q", old)
		}
		cfg = strings.Replace(cfg, old, repl, 1)
	}
	path := filepath.Join(dir, "init.yml")
	must(t, os.WriteFile(path, []byte(cfg), 0o644))
	return path
}

// builtinConfigFor reads the given logs with nothing else configured: the
// built-in rules, and the night's schedule.
func builtinConfigFor(t *testing.T, dir string, access []string, app string) string {
	t.Helper()
	path := filepath.Join(dir, "builtin.yml")
	must(t, os.WriteFile(path, []byte(fmt.Sprintf(`access_logs:
  - {name: nginx, paths: %s}
app_logs:
  - {name: app, paths: [%q]}
schedule:
  event: Year-end 2026
  time_zone: Asia/Shanghai
  stages:
    - {name: Final, end: "2027-01-01 00:00"}
`, yamlList(access), app)), 0o644))
	return path
}

// TestRehearsedNights replays the night as filed, and the same night with
// only its refresh surge, under the built-in rules and under the config
// `warroom init` writes: each incident is raised within 15 s of its start
// (the DB errors within 10 s of the fifth), and the clean night raises
// nothing. The delays are logged (go test -v -run TestRehearsedNights).
func TestRehearsedNights(t *testing.T) {
	for _, rules := range []string{"built-in rules", "warroom init's config"} {
		for _, incidents := range []bool{true, false} {
			name := rules + ", clean night with a 4× surge"
			if incidents {
				name = rules + ", night as filed"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				access, storm, app := filedNight(t, dir, incidents)
				cfg := initConfigFor(t, dir, []string{access, storm}, app)
				if rules == "built-in rules" {
					cfg = builtinConfigFor(t, dir, []string{access, storm}, app)
				}
				first := map[string]time.Time{} // indicator → first raised (warn or crit)
				driven := map[string]string{}   // indicator → what drove it then
				var all []string
				for _, tr := range replayConfig(t, cfg) {
					all = append(all, fmt.Sprintf("%s %s %s→%s", tr.instant.In(shanghai).Format("15:04:05"), tr.Indicator, tr.From, tr.To))
					if (tr.To == "warn" || tr.To == "crit") && first[tr.Indicator].IsZero() {
						first[tr.Indicator] = tr.instant
						driven[tr.Indicator] = tr.DrivenBy
					}
				}
				if !incidents {
					if len(all) > 0 {
						t.Fatalf("the clean night raised:\n%s", strings.Join(all, "\n"))
					}
					return
				}
				for _, inc := range []struct {
					name       string
					indicators []string
					start      time.Time
					within     time.Duration
				}{
					{"499 storm from 00:00:30", []string{"nginx.499_rate"}, stageEnd.Add(30 * time.Second), 15 * time.Second},
					{"slow ratio jump from 00:00:30", []string{"nginx.slow_ratio"}, stageEnd.Add(30 * time.Second), 15 * time.Second},
					{"DB connection lost: the 5th error at 01:30:20", []string{"app.db"}, stageEnd.Add(90*time.Minute + 20*time.Second), 10 * time.Second},
					{"access log silent after its line at 02:09:59", []string{"nginx.qps"}, stageEnd.Add(2*time.Hour + 9*time.Minute + 59*time.Second), 15 * time.Second},
				} {
					var raised time.Time
					for _, ind := range inc.indicators {
						if at := first[ind]; !at.IsZero() && (raised.IsZero() || at.Before(raised)) {
							raised = at
						}
					}
					d := raised.Sub(inc.start)
					if raised.IsZero() || d < 0 || d > inc.within {
						t.Errorf("%s: raised at %v (after %s), want within %s\n%s", inc.name, raised.In(shanghai).Format("15:04:05"), d, inc.within, strings.Join(all, "\n"))
						continue
					}
					t.Logf("%s: raised after %s", inc.name, d)
				}
				// the hang's 499s and slow requests are on one path, from
				// its own clients (a background 499 elsewhere now and then)
				for ind, mark := range map[string]string{"nginx.499_rate": "499", "nginx.slow_ratio": "slow"} {
					want := regexp.MustCompile(`^` + mark + ` ← /yearend-api/v1/rank (9\d|100)% · \d+ IPs · top 10\.9\.`)
					if got := driven[ind]; !want.MatchString(got) {
						t.Errorf("%s raised, driven by %q, want %s", ind, got, want)
					}
				}
			})
		}
	}
}
