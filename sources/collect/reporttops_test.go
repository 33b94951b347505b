package collect

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	promcfg "github.com/prometheus/common/config"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/prom"
	"warroom/sources/prom/promtest"
	"warroom/sources/report"
	"warroom/sources/report/reporttest"
	"warroom/sources/schedule"
)

// scrape is how often the night's counters were scraped.
const scrape = 15 * time.Second

// hostsNight is a fleet's counters as mtail exports them, a sample every
// 15 s over [start, stop]: the increments of each series at each scrape
// (inc), and their sum over a span — what a hosts table should count.
type hostsNight struct {
	start, stop time.Time
	// the window: web-2 gives clients up (499s) and fails (502s) inside
	// it only, web-1 is busier outside it
	from, to time.Time
}

// nightSeries are the night's series: requests by pod and status, and
// the duration histogram's slow-threshold bucket and count by pod.
var nightSeries = []struct {
	metric, pod, status string
}{
	{"nginx_http_requests_total", "web-1", "200"},
	{"nginx_http_requests_total", "web-2", "200"},
	{"nginx_http_requests_total", "web-2", "499"},
	{"nginx_http_requests_total", "web-2", "502"},
	{"nginx_http_request_duration_seconds_bucket", "web-1", ""},
	{"nginx_http_request_duration_seconds_bucket", "web-2", ""},
	{"nginx_http_request_duration_seconds_count", "web-1", ""},
	{"nginx_http_request_duration_seconds_count", "web-2", ""},
}

// requests is what pod answered with status in the scrape interval
// ending at t, and how many of them were slow (over 1 s).
func (n hostsNight) requests(pod, status string, t time.Time) (all, slow uint64) {
	in := t.After(n.from) && !t.After(n.to)
	switch {
	case pod == "web-1" && status == "200" && in:
		return 40, 0
	case pod == "web-1" && status == "200":
		return 100, 0 // busier outside the window: a table over another span would show it
	case pod == "web-2" && status == "200":
		return 20, 4
	case pod == "web-2" && status == "499" && in:
		return 6, 0
	case pod == "web-2" && status == "502" && in:
		return 3, 0
	}
	return 0, 0
}

// inc is a series' increment at the scrape at t.
func (n hostsNight) inc(metric, pod, status string, t time.Time) uint64 {
	if status != "" {
		all, _ := n.requests(pod, status, t)
		return all
	}
	var all, slow uint64
	for _, st := range []string{"200", "499", "502"} {
		a, s := n.requests(pod, st, t)
		all, slow = all+a, slow+s
	}
	if strings.HasSuffix(metric, "_bucket") {
		return all - slow // le="1": the requests not slow
	}
	return all
}

func (n hostsNight) openMetrics() string {
	var b strings.Builder
	typed := map[string]bool{}
	for _, s := range nightSeries {
		family := strings.TrimSuffix(s.metric, "_total")
		if !typed[family] {
			typed[family] = true
			kind := "gauge"
			if family != s.metric {
				kind = "counter"
			}
			fmt.Fprintf(&b, "# TYPE %s %s\n", family, kind)
		}
		labels := fmt.Sprintf("pod=%q", s.pod)
		switch {
		case s.status != "":
			labels += fmt.Sprintf(",status=%q", s.status)
		case strings.HasSuffix(s.metric, "_bucket"):
			labels += `,le="1"`
		}
		v := uint64(1000) // well above zero: no extrapolation stops at it
		for at := n.start; !at.After(n.stop); at = at.Add(scrape) {
			if at.After(n.start) {
				v += n.inc(s.metric, s.pod, s.status, at)
			}
			fmt.Fprintf(&b, "%s{%s} %d %d\n", s.metric, labels, v, at.Unix())
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// hostRows are the Markdown rows the hosts table of (from, to] should
// have, worked out from the increments: ranked by 499s, slow and 5xx
// together, then by requests; estimates (~).
func (n hostsNight) hostRows(from, to time.Time) []string {
	type row struct {
		pod                  string
		req, s499, slow, bad uint64
	}
	rows := map[string]*row{}
	for at := from.Add(scrape); !at.After(to); at = at.Add(scrape) {
		for _, s := range nightSeries {
			if s.status == "" {
				continue
			}
			r := rows[s.pod]
			if r == nil {
				r = &row{pod: s.pod}
				rows[s.pod] = r
			}
			all, slow := n.requests(s.pod, s.status, at)
			r.req += all
			r.slow += slow
			switch {
			case s.status == "499":
				r.s499 += all
			case s.status[0] == '5':
				r.bad += all
			}
		}
	}
	var rs []*row
	for _, r := range rows {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if ta, tb := a.s499+a.slow+a.bad, b.s499+b.slow+b.bad; ta != tb {
			return ta > tb
		}
		return a.req > b.req
	})
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("| %s | ~%d | ~%d | ~%d | ~%d |", r.pod, r.req, r.s499, r.slow, r.bad))
	}
	return out
}

// reportsOf runs a collector over a preset of the mtail kind with a hosts
// table (by pod) on the Prometheus at url, with stages at ends (windows
// −1m … +2m, Asia/Shanghai), ticked once before the first window and once
// after the last: it returns each report by file name.
func reportsOf(t *testing.T, url string, timeout time.Duration, ends ...time.Time) map[string]string {
	t.Helper()
	cfg := prom.Config{
		Servers: []prom.ServerConfig{{Name: "main", URL: url, HTTP: promcfg.DefaultHTTPClientConfig}},
		Presets: []prom.PresetConfig{{Kind: "mtail", Name: "nginx", By: "pod"}},
	}
	clock := NewSteppedClock(ends[0].Add(-20 * time.Minute))
	q, err := prom.New(cfg, prom.Options{Now: clock.Now})
	must(t, err)
	var stages []schedule.StageConfig
	for i, e := range ends {
		stages = append(stages, schedule.StageConfig{Name: fmt.Sprintf("Day %d", i), End: e.In(shanghai).Format("2006-01-02 15:04")})
	}
	sched := stagesSchedule(t, stages...)
	dir := t.TempDir()
	written := make(chan string, len(ends))
	c, err := New(Options{Prom: q, Now: clock.Now, ReportsDir: dir, ReportTimeout: timeout,
		Schedule: func() *schedule.Schedule { return sched },
		OnReport: func(path string, err error) {
			if err != nil {
				t.Errorf("report: %v", err)
			}
			written <- path
		}})
	must(t, err)
	c.Tick(clock.Now())
	at := ends[len(ends)-1].Add(2*time.Minute + DefaultLag)
	clock.Set(at)
	c.Tick(at)
	out := map[string]string{}
	for range ends {
		path := <-written
		b, err := os.ReadFile(path)
		must(t, err)
		out[filepath.Base(path)] = string(b)
	}
	return out
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// A milestone report on a fleet read from Prometheus (the mtail preset
// with a hosts table) has the hosts table of the window: each pod's
// increase() of the counters over exactly the window, asked of a real
// Prometheus holding that night, as of the window's end — whatever the
// clock says when the report is written — ranked by trouble, marked as
// estimates, labelled with the preset's name. A window starting before
// Prometheus's first sample says its table may be low.
func TestReportHasAPresetsHostsTable(t *testing.T) {
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai)
	night := hostsNight{start: end.Add(-10 * time.Minute), stop: end.Add(20 * time.Minute),
		from: end.Add(-time.Minute), to: end.Add(2 * time.Minute)}
	url := promtest.StartBackfilled(t, "global: {scrape_interval: 1h}\nscrape_configs: []\n", night.openMetrics())
	// Day 0 ends at the first sample: its window starts a minute before
	reports := reportsOf(t, url, 0, night.start, end)

	md := reports["e-day-1.md"]
	want := night.hostRows(night.from, night.to)
	section := reporttest.Section(md, "Top hosts — nginx (Prometheus)")
	if got := reporttest.TableRows(section); strings.Join(got, "\n") != strings.Join(want, "\n") || len(want) != 2 {
		t.Errorf("Day 1's hosts table:\n%s\nwant rows\n%s", section, strings.Join(want, "\n"))
	}
	if !strings.Contains(section, "`~`: an estimate") || strings.Contains(md, "Uncertain") || strings.Contains(md, "Missing") {
		t.Errorf("Day 1 report:\n%s", md)
	}
	// web-2's trouble ranks it first, though web-1 answered more
	if !strings.HasPrefix(want[0], "| web-2 | ~348 | ~72 | ~48 | ~36 |") {
		t.Errorf("the rows worked out: %q", want)
	}
	if !strings.Contains(reporttest.Section(reports["e-day-0.md"], "Top hosts — nginx (Prometheus)"),
		"**Uncertain**: Prometheus holds no series of the preset's request counter within 5m before the window's start") {
		t.Errorf("Day 0, whose window starts before the first sample:\n%s", reports["e-day-0.md"])
	}
}

// A Prometheus that cannot be reached, or never answers, leaves the
// hosts table out of the report by name, with why — and the report is
// written all the same, within the report's timeout.
func TestReportNamesMissingHostsTables(t *testing.T) {
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai)
	md := reportsOf(t, "http://"+promtest.FreeAddr(t), 0, end)["e-day-0.md"]
	if s := reporttest.Section(md, "Top talkers — nginx (Prometheus)"); !strings.Contains(s, "**Missing**: the top tables could not be fetched: unreachable: ") ||
		!strings.Contains(md, "- Day 0: nginx's top tables are missing: unreachable: ") {
		t.Errorf("with Prometheus down:\n%s", md)
	}

	// a server that takes the connection and never answers
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	md = reportsOf(t, "http://"+ln.Addr().String(), time.Second, end)["e-day-0.md"]
	if s := reporttest.Section(md, "Top talkers — nginx (Prometheus)"); !strings.Contains(s, "**Missing**: the top tables could not be fetched: no answer within 1s.") {
		t.Errorf("with Prometheus silent:\n%s", md)
	}
}

// tabler is a source with no indicators whose report tables are what
// tops makes of its ctx.
type tabler struct {
	name string
	tops func(ctx context.Context) []report.Fetched
}

func (s *tabler) Name() string                           { return s.name }
func (s *tabler) Run(ctx context.Context) error          { <-ctx.Done(); return nil }
func (s *tabler) Indicators() []IndicatorSpec            { return nil }
func (s *tabler) Values(TickInfo) []sources.Value        { return nil }
func (s *tabler) Series(int, SeriesQuery) sources.Series { return sources.Series{} }
func (s *tabler) Status(TickInfo) []sources.SourceStatus { return nil }
func (s *tabler) ReportTops(ctx context.Context, _, _ time.Time, _ int) []report.Fetched {
	return s.tops(ctx)
}

// A fleet source that crashes, or never returns whatever its ctx says,
// neither stops the report nor the others' tables: each is named as
// missing, with why.
func TestReportOutlivesBadFleetSources(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srcs := []Source{
		&tabler{"crashing", func(context.Context) []report.Fetched { panic("a bad answer") }},
		&tabler{"deaf", func(context.Context) []report.Fetched { <-release; return nil }},
		&tabler{"fine", func(context.Context) []report.Fetched {
			return []report.Fetched{{Source: "fine", Kind: "VictoriaLogs", Tables: []report.FetchedTable{
				{Title: "hosts", Key: "host", Rows: []report.Top{{Key: "web-3", Count: 7, S499: 7}}}}}}
		}},
	}
	sched := stagesSchedule(t, schedule.StageConfig{Name: "Day 1", End: "2027-01-01 00:00"})
	clock := NewSteppedClock(midnight.Add(-time.Hour))
	dir := t.TempDir()
	written := make(chan error, 1)
	c, err := New(Options{Sources: srcs, Now: clock.Now, ReportsDir: dir, ReportTimeout: time.Second,
		Schedule: func() *schedule.Schedule { return sched },
		OnReport: func(_ string, err error) { written <- err }})
	must(t, err)
	c.Tick(clock.Now())
	c.Tick(midnight.Add(3 * time.Minute))
	must(t, <-written)
	b, err := os.ReadFile(filepath.Join(dir, "e-day-1.md"))
	must(t, err)
	md := string(b)
	for _, s := range []string{
		"## Top talkers — crashing\n\n**Missing**: the top tables could not be fetched: crashed: a bad answer (a warroom bug, at ",
		"## Top talkers — deaf\n\n**Missing**: the top tables could not be fetched: no answer within 1s.",
		"## Top hosts — fine (VictoriaLogs)\n\n| host | requests | 499 | slow | 5xx |\n|---|---:|---:|---:|---:|\n| web-3 | 7 | 7 | 0 | 0 |\n",
		"- Day 1: deaf's top tables are missing: no answer within 1s",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("the report lacks %q:\n%s", s, md)
		}
	}
}

// summer is a source with no indicators counted per second (a
// VictoriaLogs stream's Sum), holding only the seconds from held on.
type summer struct {
	tabler
	held time.Time
}

func (s *summer) Sum(from, to time.Time) (nginx.Bucket, bool) {
	if from.Before(s.held) {
		return nginx.Bucket{}, false
	}
	return nginx.Bucket{Requests: uint32(to.Sub(from) / time.Second)}, true
}

// A stream that does not hold the previous stage's window here (a
// replay that began at this night, a day's retention) does not compare
// the night with its zeros: the report says it is not compared, and why.
func TestReportDoesNotCompareWithAWindowAStreamDoesNotHold(t *testing.T) {
	src := &summer{tabler: tabler{"fleet", func(context.Context) []report.Fetched { return nil }}, held: midnight.Add(-time.Hour)}
	sched := stagesSchedule(t, schedule.StageConfig{Name: "Day 1", End: "2026-12-31 00:00"}, schedule.StageConfig{Name: "Day 2", End: "2027-01-01 00:00"})
	clock := NewSteppedClock(midnight.Add(-time.Hour))
	dir := t.TempDir()
	written := make(chan error, 1)
	c, err := New(Options{Sources: []Source{src}, Now: clock.Now, ReportsDir: dir, ReportTimeout: time.Second,
		Schedule: func() *schedule.Schedule { return sched }, OnReport: func(_ string, err error) { written <- err }})
	must(t, err)
	c.Tick(clock.Now())
	c.Tick(midnight.Add(3 * time.Minute))
	must(t, <-written)
	b, err := os.ReadFile(filepath.Join(dir, "e-day-2.md"))
	must(t, err)
	md := string(b)
	if !strings.Contains(md, "Not compared with **Day 1**: fleet does not hold its window here (no data, not a quiet night).") ||
		strings.Contains(md, "| requests | 180 | 0 |") || !strings.Contains(md, "| requests | 180 |\n") {
		t.Errorf("the report:\n%s", md)
	}
}
