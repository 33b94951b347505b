package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources/prom/promtest"
)

// A replay asks Prometheus about the night at the night's instants: a real
// Prometheus holding that night (backfilled with promtool) shows the DB
// pool filling up at 01:30 in a replay run the next morning; the rule on it
// fires at the night's instant, in watch --replay and on the replay screen
// alike.
func TestReplayAsksPrometheusAboutTheNight(t *testing.T) {
	dir := t.TempDir()
	access, storm, app := filedNight(t, dir, true)
	lost := stageEnd.Add(90 * time.Minute)
	url := poolNight(t, stageEnd.Add(-10*time.Minute), stageEnd.Add(2*time.Hour+20*time.Minute), lost)

	cfg := builtinConfigFor(t, dir, []string{access, storm}, app)
	body, err := os.ReadFile(cfg)
	must(t, err)
	cfg = filepath.Join(dir, "prom.yml")
	must(t, os.WriteFile(cfg, append(body, []byte(fmt.Sprintf(poolConfig, url))...), 0o644))

	want := watchReplayOutput(t, cfg)
	var raised string
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		if tr := parseTransitionLine(t, line); tr.Indicator == "prom.db_waiting" && tr.To == "warn" {
			raised = tr.instant.In(shanghai).Format("15:04:05")
			if d := tr.instant.Sub(lost); d < 0 || d > 10*time.Second {
				t.Errorf("prom.db_waiting warned at %s, want within 10 s after 01:30:00", raised)
			}
			break
		}
	}
	if raised == "" {
		t.Fatalf("watch --replay never warned on prom.db_waiting:\n%s", want)
	}

	r := startReplay(t, cfg, replayOptions{speed: 60, stage: "Final"})
	r.toEnd()
	if len(r.outs) != 1 {
		t.Errorf("%d collectors built for a replay that never went back", len(r.outs))
	}
	if got := r.outs[len(r.outs)-1].String(); got != want {
		t.Errorf("the replay screen fired\n%s\nwatch --replay printed\n%s", got, want)
	}
}

// A config that reads only Prometheus replays it over the range asked:
// the pool filling up two hours ago warns at its instant.
func TestReplayOfPrometheusAlone(t *testing.T) {
	dir := t.TempDir()
	lost := time.Now().Truncate(time.Minute).Add(-2 * time.Hour)
	url := poolNight(t, lost.Add(-30*time.Minute), lost.Add(30*time.Minute), lost)
	cfg := filepath.Join(dir, "prom.yml")
	must(t, os.WriteFile(cfg, []byte(fmt.Sprintf(poolConfig, url)), 0o644))
	from := lost.Add(-10 * time.Minute).In(time.Local).Format("2006-01-02 15:04:05")
	want := ""
	for _, args := range [][]string{{"--from", from, "--to", "+20m"}, {"--from", from}} {
		var out, errb bytes.Buffer
		args = append([]string{"watch", "-c", cfg, "--replay"}, args...)
		if code := run(args, &out, &errb); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		got := firstRaised(t, out.String())
		if r, ok := got["prom.db_waiting"]; !ok || r.Before(lost) || r.Sub(lost) > 10*time.Second {
			t.Errorf("%v: prom.db_waiting raised at %v, want within 10 s after %v:\n%s", args, r, lost, out.String())
		}
		if want == "" {
			want = out.String()
		} else if !strings.HasPrefix(out.String(), want) {
			t.Errorf("an hour from --from fired\n%s\nnot what 20 minutes fired, and more:\n%s", out.String(), want)
		}
	}
}

// poolNight starts a real Prometheus backfilled with the DB pool's
// waiting clients every 15 s over [from, to]: 0, then 30 for the five
// minutes from lost on (clients queue for connections while the DB is
// gone). It returns its URL.
func poolNight(t *testing.T, from, to, lost time.Time) string {
	t.Helper()
	var om strings.Builder
	om.WriteString("# TYPE yearend_db_pool_waiting gauge\n")
	for at := from; !at.After(to); at = at.Add(15 * time.Second) {
		v := 0
		if !at.Before(lost) && at.Before(lost.Add(5*time.Minute)) {
			v = 30
		}
		fmt.Fprintf(&om, "yearend_db_pool_waiting{pod=\"api-1\"} %d %d\n", v, at.Unix())
	}
	om.WriteString("# EOF\n")
	return promtest.StartBackfilled(t, "global: {scrape_interval: 1h}\nscrape_configs: []\n", om.String())
}

// poolConfig is the Prometheus section asking about the pool, with a
// rule on it (%q: the server's URL).
const poolConfig = `prometheus:
  servers:
    - {name: main, url: %q}
  queries:
    - {name: db_waiting, expr: "max(yearend_db_pool_waiting)", unit: count, interval: 5s}
rules:
  - {indicator: prom.db_waiting, warn: 10}
`
