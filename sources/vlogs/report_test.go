package vlogs_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources/collect"
	"warroom/sources/report/reporttest"
	"warroom/sources/schedule"
	"warroom/sources/vlogs"
	"warroom/sources/vlogs/vltest"
)

// keyed is a table's ground truth: a key with its counts.
type keyed struct {
	key string
	counted
}

// route is a path as a table writes it, worked out apart from the
// tables' own code: the query dropped, numeric segments as :id.
var digits = regexp.MustCompile(`/[0-9]+(/|$)`)

func route(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return digits.ReplaceAllString(p, "/:id$1")
}

// expectedRows are the Markdown rows of the table of field over the
// lines in [from, to): n rows ranked by requests, or by 499s, slow
// requests and 5xx together first when byTrouble.
func expectedRows(lines []vltest.Line, from, to time.Time, field func(vltest.Line) string, n int, byTrouble bool) []string {
	m := map[string]*counted{}
	for _, l := range lines {
		if l.Time.Before(from) || !l.Time.Before(to) {
			continue
		}
		k := field(l)
		if m[k] == nil {
			m[k] = &counted{}
		}
		m[k].add(l)
	}
	var ks []keyed
	for k, c := range m {
		ks = append(ks, keyed{k, *c})
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if byTrouble {
			if c := cmp.Compare(b.s499+b.slow+b.s5xx, a.s499+a.slow+a.s5xx); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.key, b.key))
	})
	var out []string
	for _, k := range ks[:min(n, len(ks))] {
		out = append(out, fmt.Sprintf("| %s | %d | %d | %d | %d |", k.key, k.n, k.s499, k.slow, k.s5xx))
	}
	return out
}

// A milestone report on a fleet read from a real VictoriaLogs has the
// stream's top tables for the window — clients, paths by route, hosts
// ranked by their trouble — with VictoriaLogs' counts of exactly the
// window's lines, rendered as the access logs' are and labelled with
// the stream's name. A window VictoriaLogs may not hold from its start
// says so; a server down when the report is written leaves the tables
// out by name, with why.
func TestReportHasTheStreamsTopTables(t *testing.T) {
	vl := vltest.Start(t)
	end := time.Now().UTC().Truncate(time.Minute).Add(-8 * time.Minute)
	// from 3 minutes before the stage end to 3 after it
	tr := genTraffic(4, end.Add(-3*time.Minute), 6*60)
	vl.Insert(t, "app:=nginx", tr.lines)
	// the API's DB errors: 7 in Day 1's window, 3 before it
	var db []vltest.Line
	for i := range 10 {
		at := end.Add(time.Duration(10+i) * time.Second)
		if i >= 7 {
			at = end.Add(-150 * time.Second)
		}
		db = append(db, vltest.Line{Time: at, Msg: "SequelizeDatabaseError: read ECONNRESET", Fields: map[string]string{"app": "api", "host": "api-1"}})
	}
	vl.Insert(t, "app:=api", db)

	d := func(x time.Duration) *model.Duration { m := model.Duration(x); return &m }
	stage := func(name string, at time.Time) schedule.StageConfig {
		return schedule.StageConfig{Name: name, End: at.Format("2006-01-02 15:04")}
	}
	// windows −1m … +2m: Day 0's starts a minute before the first line,
	// Day 1's well inside the traffic, Day 2's is written with the
	// server down
	sched, err := schedule.New(schedule.Config{Event: "E", TimeZone: "UTC",
		Windows: schedule.WindowsConfig{Before: d(time.Minute), Hot: d(time.Minute), After: d(2 * time.Minute)},
		Stages:  []schedule.StageConfig{stage("Day 0", end.Add(-3*time.Minute)), stage("Day 1", end), stage("Day 2", end.Add(3*time.Minute))}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := accessConfig(vl.URL)
	cfg.Streams = append(cfg.Streams, vlogs.StreamConfig{Name: "api", Kind: vlogs.KindApp, Filter: "app:=api"})
	srcs, err := vlogs.New(cfg, vlogs.Options{Now: time.Now, KeyAccess: true})
	if err != nil {
		t.Fatal(err)
	}
	srcs[0].(*vlogs.Access).Refresh(context.Background()) // the counts the summary sums
	srcs[1].(*vlogs.App).Refresh(context.Background())
	clock := collect.NewSteppedClock(end.Add(-10 * time.Minute))
	dir := t.TempDir()
	written := make(chan string, 3)
	c, err := collect.New(collect.Options{Sources: srcs, Now: clock.Now, ReportsDir: dir,
		Schedule: func() *schedule.Schedule { return sched },
		OnReport: func(path string, err error) {
			if err != nil {
				t.Errorf("report: %v", err)
			}
			written <- path
		}})
	if err != nil {
		t.Fatal(err)
	}
	tick := func(at time.Time) {
		clock.Set(at)
		c.Tick(at)
	}
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tick(clock.Now())
	tick(end.Add(2*time.Minute + collect.DefaultLag)) // Day 0's and Day 1's windows are over
	<-written
	<-written
	md := read("e-day-1.md")
	if !strings.Contains(md, "| DB errors (app log) | 7 |") {
		t.Errorf("Day 1's DB errors from the app stream, 7 in its window:\n%s", md)
	}
	from, to := end.Add(-time.Minute), end.Add(2*time.Minute)
	var inWindow int
	for _, l := range tr.lines {
		if !l.Time.Before(from) && l.Time.Before(to) {
			inWindow++
		}
	}
	tables := []struct {
		heading   string
		field     func(vltest.Line) string
		byTrouble bool
	}{
		{"Top IPs — fleet (VictoriaLogs)", func(l vltest.Line) string { return l.Fields["remote_addr"] }, false},
		{"Top paths — fleet (VictoriaLogs)", func(l vltest.Line) string { return route(l.Fields["path"]) }, false},
		{"Top hosts — fleet (VictoriaLogs)", func(l vltest.Line) string { return l.Fields["host"] }, true},
	}
	for _, tb := range tables {
		rows := expectedRows(tr.lines, from, to, tb.field, collect.DefaultTopN, tb.byTrouble)
		section := reporttest.Section(md, tb.heading)
		got := reporttest.TableRows(section)
		if !slices.Equal(got, rows) || len(rows) == 0 {
			t.Errorf("%s:\n%s\nwant rows\n%s", tb.heading, section, strings.Join(rows, "\n"))
		}
	}
	if !strings.Contains(md, fmt.Sprintf("| requests | %d |", inWindow)) {
		t.Errorf("Day 1's totals are not the window's %d requests:\n%s", inWindow, md)
	}
	if strings.Contains(md, "Uncertain") || strings.Contains(md, "Missing") || strings.Contains(md, "no access log is configured") {
		t.Errorf("Day 1 report:\n%s", md)
	}
	if hosts := reporttest.Section(md, "Top hosts — fleet (VictoriaLogs)"); !strings.Contains(hosts, "| web-3 |") ||
		strings.Index(hosts, "| web-3 |") > strings.Index(hosts, "| web-") {
		t.Errorf("web-3 (its 499s) is not the first host:\n%s", hosts)
	}

	day0 := read("e-day-0.md")
	if s := reporttest.Section(day0, "Top hosts — fleet (VictoriaLogs)"); !strings.Contains(s, "**Uncertain**: VictoriaLogs holds no line of the stream in the 5m before the window") {
		t.Errorf("Day 0, whose window starts before the first line, is not marked uncertain:\n%s", day0)
	}

	vl.Stop(t)
	tick(end.Add(5*time.Minute + collect.DefaultLag))
	<-written
	md = read("e-day-2.md")
	missing := reporttest.Section(md, "Top talkers — fleet (VictoriaLogs)")
	if !strings.Contains(missing, "**Missing**: the top tables could not be fetched: unreachable: ") ||
		!strings.Contains(md, "- Day 2: fleet's top tables are missing: unreachable: ") || strings.Contains(md, "## Top IPs") {
		t.Errorf("Day 2, written with the server down:\n%s", md)
	}
}
