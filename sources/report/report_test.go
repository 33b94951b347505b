package report

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/nginx"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	cst = time.FixedZone("CST", 8*3600)
	// two stage ends a day apart; windows −2m … +5m
	prevEnd = time.Date(2027, 1, 1, 0, 0, 0, 0, cst)
	curEnd  = prevEnd.Add(24 * time.Hour)
	curWin  = Window{Event: "Year-end", Stage: "Day 2", End: curEnd, From: curEnd.Add(-2 * time.Minute), To: curEnd.Add(5 * time.Minute)}
	prevWin = SameOffsets(curWin, "Day 1", prevEnd)
	// the rings are read when the current window has ended
	readAt = curWin.To.Add(2 * time.Second)
)

func access(b *strings.Builder, at time.Time, n int, ip func(i int) string, path string, status int, rt float64) {
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, `%s - - [%s] "GET %s HTTP/1.1" %d 100 "-" "ua" %.3f 0.001`+"\n",
			ip(i), at.Format("02/Jan/2006:15:04:05 -0700"), path, status, rt)
	}
}

func fixed(s string) func(int) string { return func(int) string { return s } }
func numbered(prefix string) func(int) string {
	return func(i int) string { return fmt.Sprintf("%s%d", prefix, i) }
}

// nightLog writes one milestone night's access log over [end−2m, end+5m):
//   - every second: 5 fast 200s from 10.0.0.0–4 on /rank;
//   - [end, end+60s): a storm of `storm` 499s per second from 10.9.9.9 on
//     /result?id=N, each taking 3 s (slow), and as many fast 200s from
//     10.0.1.x — the current night with storm 10, the previous with 5;
//
// and on the current night only:
//   - end+7s: 100 more fast requests from 100 clients 10.0.3.x (the peak second);
//   - [end+90s, end+100s): 3 × 502 per second from 10.0.2.1 on /pay/order/N;
//   - end+200s: 50 requests on a path made to break a Markdown table.
func nightLog(b *strings.Builder, end time.Time, storm int, current bool) {
	for s := -120; s < 300; s++ {
		at := end.Add(time.Duration(s) * time.Second)
		access(b, at, 5, numbered("10.0.0."), "/rank", 200, 0.05)
		if s >= 0 && s < 60 {
			access(b, at, storm, fixed("10.9.9.9"), fmt.Sprintf("/result?id=%d", s), 499, 3)
			access(b, at, storm, numbered("10.0.1."), "/rank", 200, 0.05)
		}
		if !current {
			continue
		}
		switch {
		case s == 7:
			access(b, at, 100, numbered("10.0.3."), "/rank", 200, 0.05)
		case s >= 90 && s < 100:
			access(b, at, 3, fixed("10.0.2.1"), fmt.Sprintf("/pay/order/%d", s), 502, 0.2)
		case s == 200:
			access(b, at, 50, fixed("10.0.4.1"), "/search|`x`<b>*y*", 200, 0.05)
		}
	}
}

// appLog writes DB errors: on the previous night 3 in the window; on the
// current night 7 in the window (two with stack frames) and one on either
// side of it.
func appLog(b *strings.Builder) {
	line := func(at time.Time, msg string) { b.WriteString(at.Format(time.RFC3339) + " " + msg + "\n") }
	for i := 0; i < 3; i++ {
		line(prevEnd.Add(time.Duration(30+i)*time.Second), "error SequelizeDatabaseError: read ECONNRESET")
	}
	line(curWin.From.Add(-time.Second), "error SequelizeDatabaseError: read ECONNRESET")
	for i := 0; i < 7; i++ {
		line(curEnd.Add(time.Duration(30+i)*time.Second), "error SequelizeDatabaseError: read ECONNRESET")
		if i < 2 {
			b.WriteString("    at Query.run (query.js:52:25)\n")
		}
	}
	line(curWin.To, "error SequelizeDatabaseError: read ECONNRESET")
	line(curWin.To.Add(time.Second), "info bye")
}

// twoNights builds an aggregator and a watcher holding both nights, as a
// warroom running for two days would.
func twoNights(t testing.TB) (*nginx.Aggregator, *applog.Watcher) {
	t.Helper()
	f, err := nginx.CompileFormat("timed")
	if err != nil {
		t.Fatal(err)
	}
	agg := nginx.NewAggregator(nginx.Options{Format: f, Slow: time.Second})
	var b strings.Builder
	nightLog(&b, prevEnd, 5, false)
	agg.Ingest([]byte(b.String()))
	b.Reset()
	nightLog(&b, curEnd, 10, true)
	agg.Ingest([]byte(b.String()))

	// the clock of a warroom that ran through both nights: their lines
	// are behind it, not ahead
	w, err := applog.New(applog.Options{Name: "app", Packs: []string{"db"}, Seconds: 3 * 86400, Location: cst, Now: func() time.Time { return readAt }})
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	appLog(&b)
	w.Ingest([]byte(b.String()))
	w.Flush()
	return agg, w
}

func inputs(agg *nginx.Aggregator, w *applog.Watcher, appKept time.Duration) Inputs {
	return Inputs{Access: []Access{{Name: "nginx", Agg: agg}}, Apps: []App{{Name: "app", Watcher: w, Seconds: appKept}}}
}

func TestSummaryOfTheNight(t *testing.T) {
	agg, w := twoNights(t)
	s := Summarize(inputs(agg, w, 72*time.Hour), curWin, readAt)
	check := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("per second", s.PerSecond, true)
	check("partial", s.Partial, false)
	check("requests", s.Requests, uint64(5*420+20*60+100+30+50))
	check("499", s.S499, uint64(600))
	check("slow", s.Slow, uint64(600))
	check("5xx", s.S5xx, uint64(30))
	check("peak second", s.PeakSecond, Peak{At: curEnd.Add(7 * time.Second), Value: 125, Valid: true})
	check("peak minute at", s.PeakMinute.At, curEnd)
	if math.Abs(s.PeakMinute.Value-1600.0/60) > 1e-9 {
		t.Errorf("peak minute %v, want %v", s.PeakMinute.Value, 1600.0/60)
	}
	// spans of 10 s from the window start: [end, end+10s) holds the peak
	// second's 100 fast requests (100/350); the next ones 100/250
	check("max slow (10 s)", s.MaxSlow, Peak{At: curEnd.Add(10 * time.Second), Value: 0.4, Valid: true})
	check("max slow (minute)", s.MaxSlowMinute, Peak{At: curEnd, Value: 600.0 / 1600, Valid: true})
	check("worst minute", s.Worst, Minute{At: curEnd, Requests: 1600, Timed: 1600, S499: 600, Slow: 600, Valid: true})
	check("db errors", s.DBErrors, uint64(7))
	check("db known", s.DBKnown, true)
	check("tops known", s.TopsKnown, true)
	if s.DistinctIPs < 115 || s.DistinctIPs > 119 { // 5+10+100+1+1+1 = 118, an estimate
		t.Errorf("distinct IPs %d, want about 118", s.DistinctIPs)
	}
	if len(s.TopIPs) < 6 {
		t.Fatalf("top IPs %+v", s.TopIPs)
	}
	check("top IP", s.TopIPs[0], Top{Key: "10.9.9.9", Count: 600, S499: 600, Slow: 600})
	check("second IP", s.TopIPs[1], Top{Key: "10.0.0.0", Count: 420})
	check("top path", s.TopPaths[0].Key, "/rank")
	if len(s.Notes) != 0 {
		t.Errorf("notes %q", s.Notes)
	}

	// the previous night at the same offsets: a day old, so only per-minute
	// counters, no distinct clients (details are kept 6 h) and top
	// talkers over the hours around it
	p := Summarize(inputs(agg, w, 72*time.Hour), prevWin, readAt)
	check("prev per second", p.PerSecond, false)
	check("prev requests", p.Requests, uint64(5*420+10*60))
	check("prev 499", p.S499, uint64(300))
	check("prev peak second", p.PeakSecond.Valid, false)
	check("prev max slow (10 s)", p.MaxSlow.Valid, false)
	check("prev peak minute", p.PeakMinute, Peak{At: prevEnd, Value: 15, Valid: true})
	check("prev worst", p.Worst, Minute{At: prevEnd, Requests: 900, Timed: 900, S499: 300, Slow: 300, Valid: true})
	check("prev db", p.DBErrors, uint64(3))
	check("prev tops known", p.TopsKnown, true)
	check("prev distinct known", p.DistinctKnown, false)
	// the hour before the stage end, and the ten minutes after it, whole
	if !p.TopsFrom.Equal(prevEnd.Add(-time.Hour)) || !p.TopsTo.Equal(prevEnd.Add(10*time.Minute)) {
		t.Errorf("prev tops over %v – %v, want 23:00 – 00:10", p.TopsFrom, p.TopsTo)
	}
	if len(p.TopIPs) < 6 || p.TopIPs[0] != (Top{Key: "10.0.0.0", Count: 420}) || p.TopIPs[5] != (Top{Key: "10.9.9.9", Count: 300, S499: 300, Slow: 300}) {
		t.Errorf("prev top IPs %+v", p.TopIPs)
	}
	if len(p.Notes) != 2 {
		t.Errorf("prev notes %q", p.Notes)
	}

	// an application log kept a day no longer holds the previous night
	p = Summarize(inputs(agg, w, 24*time.Hour), prevWin, readAt)
	check("prev db known with 24h retention", p.DBKnown, false)
}

func TestMarkdownGolden(t *testing.T) {
	agg, w := twoNights(t)
	in := inputs(agg, w, 24*time.Hour)
	cur, prev := Summarize(in, curWin, readAt), Summarize(in, prevWin, readAt)
	trs := []sources.Transition{
		{At: curWin.From.Add(-time.Minute), Indicator: "nginx.qps", From: sources.StateOK, To: sources.StateWarn, Value: 1, Threshold: 0.5, Phase: sources.PhaseNormal},
		{At: curEnd.Add(13 * time.Second), Indicator: "nginx.slow_ratio", From: sources.StateOK, To: sources.StateCrit, Value: 0.4, Threshold: 0.05, Phase: sources.PhaseHot, Milestone: "Day 2"},
		{At: curEnd.Add(35 * time.Second), Indicator: "nginx.499_rate", From: sources.StateOK, To: sources.StateCrit, Value: 10, Threshold: 5, Phase: sources.PhaseHot, Milestone: "Day 2",
			Driver: &sources.Driver{Mark: "499", Events: 600, Path: sources.DriverKey{Key: "/result|x", Count: 600, Max: 600},
				Client: sources.DriverKey{Key: "10.9.9.9", Count: 600, Max: 600}, Clients: 1, Exact: true}},
		{At: curEnd.Add(75 * time.Second), Indicator: "app.db|\x1b[2J", From: sources.StateCrit, To: sources.StateOK, Value: math.NaN(), Threshold: math.NaN(), Phase: sources.PhaseHot, Milestone: "Day 2"},
	}
	got := Markdown(cur, prev, trs, Options{Units: nightUnits})
	golden(t, "night.md", got)
	if strings.Contains(string(got), "\x1b") {
		t.Error("an escape byte reached the report")
	}
	if strings.Contains(string(got), "23:57:00 | −3m") {
		t.Error("a transition before the window is listed")
	}

	// the first milestone has nothing to compare with
	golden(t, "first.md", Markdown(prev, nil, nil, Options{}))
}

// nightUnits are the units of the night's indicators, as a collector
// gives them.
var nightUnits = map[string]sources.Unit{
	"nginx.qps": sources.UnitPerSecond, "nginx.slow_ratio": sources.UnitRatio,
	"nginx.499_rate": sources.UnitPerSecond, "app.db|\x1b[2J": sources.UnitCount,
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (run with -update and read the diff):\n%s", name, got)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"/rank":             "/rank",
		"/a|b":              `/a\|b`,
		"`rm -rf`":          "\\`rm -rf\\`",
		"<script>":          `\<script\>`,
		"\x1b]0;pwned\x07x": `\\x1b\]0;pwned\\x07x`,
		"a\nb":              "a b",
		"Day\u202e 1\u200b": `Day\\u202e 1\\u200b`,
	} {
		if got := md(in); got != want {
			t.Errorf("md(%q) = %q, want %q", in, got, want)
		}
	}
	// notes name milestones too
	s := &Summary{Window: Window{Stage: "Day 2"}, Notes: []string{"not compared with Day\u202e 1: its window is from before the access log's first line"}}
	if got := string(Markdown(s, nil, nil, Options{})); strings.Contains(got, "\u202e") || !strings.Contains(got, `Day\\u202e 1`) {
		t.Errorf("a note with a bidi override:\n%s", got)
	}
}

func TestFileName(t *testing.T) {
	for _, c := range []struct{ event, stage, want string }{
		{"Year-end 2026", "Day 3", "year-end-2026-day-3.md"},
		{"../../etc/x", "passwd", "etc-x-passwd.md"},
		{"..", "..", "milestone.md"},
		{"", "Final", "final.md"},
		{"双十一", "Final/../../x", "final-x.md"},
		{"a_b", "C\x00D", "a_b-c-d.md"},
	} {
		if got := FileName(c.event, c.stage); got != c.want {
			t.Errorf("FileName(%q, %q) = %q, want %q", c.event, c.stage, got, c.want)
		}
	}
	if n := FileName(strings.Repeat("e", 500), strings.Repeat("s", 500)); len(n) > 2*maxNamePart+4 {
		t.Errorf("a %d-byte name", len(n))
	}
}

func TestWriteStaysInDir(t *testing.T) {
	dir := t.TempDir()
	reports := filepath.Join(dir, "reports")
	path, err := Write(reports, FileName("../../etc/x", "../y"), []byte("# hi\n"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != reports {
		t.Fatalf("written to %s, outside %s", path, reports)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "# hi\n" {
		t.Fatalf("read back %q %v", b, err)
	}
	// rewriting replaces the file and leaves no temporary behind
	if _, err := Write(reports, filepath.Base(path), []byte("# again\n")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(reports)
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries, want the report only", len(entries))
	}
	for _, bad := range []string{"", ".", "..", "../x.md", "a/b.md"} {
		if _, err := Write(reports, bad, nil); err == nil {
			t.Errorf("Write accepted name %q", bad)
		}
	}
}

// BenchmarkSummarize measures what a collector's tick spends when a report
// is due, at a real window's size: 40 minutes per-second, and the previous
// night's per-minute.
func BenchmarkSummarize(b *testing.B) {
	agg, w := twoNights(b)
	in := inputs(agg, w, 24*time.Hour)
	cw := Window{Event: "e", Stage: "s", End: curEnd, From: curEnd.Add(-10 * time.Minute), To: curEnd.Add(30 * time.Minute)}
	pw := SameOffsets(cw, "p", prevEnd)
	at := cw.To.Add(2 * time.Second)
	for b.Loop() {
		Summarize(in, cw, at)
		Summarize(in, pw, at)
	}
}

// BenchmarkMarkdown is the part a collector leaves to a goroutine.
func BenchmarkMarkdown(b *testing.B) {
	agg, w := twoNights(b)
	in := inputs(agg, w, 24*time.Hour)
	cur, prev := Summarize(in, curWin, readAt), Summarize(in, prevWin, readAt)
	for b.Loop() {
		Markdown(cur, prev, nil, Options{Units: nightUnits})
	}
}

// BeforeLog follows the earliest line across the access logs: a second
// log with nothing yet (a quiet vhost) does not make a window unknown; a
// window before every log's first line is.
func TestBeforeLogAcrossLogs(t *testing.T) {
	agg, w := twoNights(t)
	f, _ := nginx.CompileFormat("timed")
	quiet := nginx.NewAggregator(nginx.Options{Format: f, Slow: time.Second})
	in := inputs(agg, w, 72*time.Hour)
	in.Access = append(in.Access, Access{Name: "quiet", Agg: quiet})
	if s := Summarize(in, curWin, readAt); s.BeforeLog {
		t.Error("a quiet second log made the window unknown")
	}
	early := Window{Stage: "early", End: agg.First().Add(-time.Hour), From: agg.First().Add(-90 * time.Minute), To: agg.First().Add(-30 * time.Minute)}
	if s := Summarize(in, early, readAt); !s.BeforeLog || !strings.Contains(strings.Join(s.Notes, " "), "before the access log's first line") {
		t.Errorf("a window before every log: BeforeLog %v, notes %q", s.BeforeLog, s.Notes)
	}
}

// TestMarkdownZoneAndUnits: every time a report writes is in the event's
// zone with its label — across a DST change, for a zone without an
// abbreviation, and when the stage end arrives in another zone — and
// every value and threshold reads as the screen writes it.
func TestMarkdownZoneAndUnits(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// 2027-03-14 07:00 UTC is 03:00 EDT, a minute after New York's clocks
	// jumped from 02:00 EST; −10m … +20m spans the change
	end := time.Date(2027, 3, 14, 7, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		zone   *time.Location
		labels []string // every time carries one of these
		want   []string // cells, as written
		unit   sources.Unit
		v, thr float64
	}{
		{"event zone over a UTC stage end", sh, []string{"CST"},
			[]string{"Stage end 2027-03-14 15:00:00 CST +08:00", "Window 14:50:00 CST – 15:20:00 CST", "| 15:00:13 CST | +13s |", "| 1610‱ | 20‱ |"},
			sources.UnitRatio, 0.161, 0.002},
		{"across a DST change", ny, []string{"EST", "EDT"},
			[]string{"Stage end 2027-03-14 03:00:00 EDT -04:00", "Window 01:50:00 EST – 03:20:00 EDT", "| 03:00:13 EDT |", "| 7.8/s | 1.2k/s |"},
			sources.UnitPerSecond, 7.8, 1200},
		{"a zone without an abbreviation", time.FixedZone("", 5*3600+1800), []string{"+05:30"},
			[]string{"Stage end 2027-03-14 12:30:00 +05:30", "Window 12:20:00 +05:30 – 12:50:00 +05:30", "| 250ms | 1.5s |"},
			sources.UnitSeconds, 0.25, 1.5},
		{"no zone given: the stage end's", nil, []string{"UTC"},
			[]string{"Stage end 2027-03-14 07:00:00 UTC +00:00", "| 07:00:13 UTC |", "| 12.3k | 5 |"},
			"", 12345, 5},
	}
	stamped := regexp.MustCompile(`\d\d:\d\d:\d\d( [^ |).]+)?`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := Window{Event: "e", Stage: "s", End: end, From: end.Add(-10 * time.Minute), To: end.Add(20 * time.Minute)}
			p := Peak{At: end.Add(7 * time.Second), Value: 1234, Valid: true}
			sum := &Summary{Window: w, PeakSecond: p, PeakMinute: p, MaxSlow: Peak{At: p.At, Value: 0.0023, Valid: true},
				Worst: Minute{At: end, Requests: 9, Valid: true}}
			prev := &Summary{Window: SameOffsets(w, "r", end.Add(-24*time.Hour)), PeakSecond: Peak{At: end.Add(-24 * time.Hour), Value: 1000, Valid: true}}
			trs := []sources.Transition{{At: end.Add(13 * time.Second), Indicator: "x.y", From: sources.StateOK, To: sources.StateCrit, Value: c.v, Threshold: c.thr}}
			got := string(Markdown(sum, prev, trs, Options{Zone: c.zone, Units: map[string]sources.Unit{"x.y": c.unit}}))
			for _, m := range stamped.FindAllStringSubmatch(got, -1) {
				if !slices.Contains(c.labels, m[1][min(1, len(m[1])):]) {
					t.Errorf("%q is not labelled %v:\n%s", m[0], c.labels, got)
				}
			}
			for _, s := range append(c.want, "| 1.23k/s at ", "| 1k/s at ", "| +234/s (+23%) |", "| 23‱ at ") {
				if !strings.Contains(got, s) {
					t.Errorf("lacks %q:\n%s", s, got)
				}
			}
		})
	}
}
