package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"warroom/sources/units"
)

// TestScanZoneAndUnits: scan writes every time in one zone — this
// machine's, or --time-zone's — each labelled, and JSON keeps RFC 3339
// with that zone's offset; ratios, rates and latencies read as the screen
// writes them. The log runs 23:30:00–23:30:09 +08:00 on 2026-12-31.
func TestScanZoneAndUnits(t *testing.T) {
	path := writeLog(t, 15000, "")
	first := time.Date(2026, 12, 31, 15, 30, 0, 0, time.UTC)
	local := first.In(time.Local)
	cases := []struct {
		zone   string   // --time-zone; "" for this machine's
		labels []string // every time carries one of these
		text   []string
		first  string // JSON
	}{
		{"", []string{units.ZoneLabel(local)}, []string{"  span       " + units.Stamp(local) + " → "}, local.Format(time.RFC3339)},
		{"Asia/Shanghai", []string{"CST"}, []string{"  span       2026-12-31 23:30:00 CST +08:00 → 23:30:09 CST (9s)\n", " at 2026-12-31 23:30 CST\n"},
			"2026-12-31T23:30:00+08:00"},
		{"America/New_York", []string{"EST"}, []string{"  span       2026-12-31 10:30:00 EST -05:00 → 10:30:09 EST (9s)\n"},
			"2026-12-31T10:30:00-05:00"},
		{"Pacific/Auckland", []string{"NZDT"}, []string{"  span       2027-01-01 04:30:00 NZDT +13:00 → 04:30:09 NZDT (9s)\n"},
			"2027-01-01T04:30:00+13:00"},
		{"Asia/Dubai", []string{"+04:00"}, []string{"  span       2026-12-31 19:30:00 +04:00 → 19:30:09 +04:00 (9s)\n"},
			"2026-12-31T19:30:00+04:00"},
	}
	times := regexp.MustCompile(`(?:^|[^-+:\d])\d\d:\d\d(:\d\d)? (\S+)`) // not an offset
	values := []*regexp.Regexp{
		regexp.MustCompile(`\n  peak       second [\d.]+k?/s at `),
		regexp.MustCompile(`\n             minute [\d.]+k?/s at `),
		regexp.MustCompile(`\n  499 \(client gave up\) [\d,]+ = [\d.]+‱ \(`),
		regexp.MustCompile(`\n  5xx  +[\d,]+ = [\d.]+‱ \(`),
		regexp.MustCompile(`\n  slow \(> 1s\) +[\d,]+ = [\d.]+‱ \(`),
		regexp.MustCompile(`\n  latency +p50 [\d.]+(µs|ms|s)  p95 [\d.]+(µs|ms|s)  p99 [\d.]+(µs|ms|s)\n`),
	}
	for _, c := range cases {
		t.Run(cmp.Or(c.zone, "this machine's"), func(t *testing.T) {
			args := []string{"scan", path}
			if c.zone != "" {
				args = []string{"scan", "--time-zone", c.zone, path}
			}
			var out, errb bytes.Buffer
			if code := run(args, &out, &errb); code != exitOK {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			text := out.String()
			for _, m := range times.FindAllStringSubmatch(text, -1) {
				if !slices.Contains(c.labels, m[2]) {
					t.Errorf("%q is not labelled %v:\n%s", m[0], c.labels, text)
				}
			}
			for _, s := range c.text {
				if !strings.Contains(text, s) {
					t.Errorf("lacks %q:\n%s", s, text)
				}
			}
			for _, re := range values {
				if !re.MatchString(text) {
					t.Errorf("no line like %s:\n%s", re, text)
				}
			}

			out.Reset()
			if code := run(append([]string{"scan", "--json"}, args[1:]...), &out, &errb); code != exitOK {
				t.Fatalf("--json exit %d: %s", code, errb.String())
			}
			var j struct {
				First, Last string
				PeakQPS     struct{ At string } `json:"peak_qps"`
				PeakMinute  struct{ At string } `json:"peak_minute"`
				SlowRatio   float64             `json:"slow_ratio"`
			}
			if err := json.Unmarshal(out.Bytes(), &j); err != nil {
				t.Fatal(err)
			}
			if j.First != c.first {
				t.Errorf("first %s, want %s", j.First, c.first)
			}
			off := c.first[len(c.first)-6:] // "+08:00", or "Z" for UTC
			if strings.HasSuffix(c.first, "Z") {
				off = "Z"
			}
			for _, s := range []string{j.Last, j.PeakQPS.At, j.PeakMinute.At} {
				at, err := time.Parse(time.RFC3339, s)
				if err != nil || !strings.HasSuffix(s, off) || at.Before(first) || at.After(first.Add(10*time.Second)) {
					t.Errorf("time %q: want RFC 3339 within the log, with offset %s (%v)", s, off, err)
				}
			}
			if j.SlowRatio <= 0 || j.SlowRatio >= 1 {
				t.Errorf("slow_ratio %v: JSON keeps the raw ratio", j.SlowRatio)
			}
		})
	}

	// a span over midnight in the zone writes its end with its date
	midnight := filepath.Join(t.TempDir(), "midnight.log")
	must(t, os.WriteFile(midnight, []byte(
		`10.0.0.1 - - [31/Dec/2026:23:59:59 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" 0.010 0.010`+"\n"+
			`10.0.0.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" 0.010 0.010`+"\n"), 0o644))
	var out, errb bytes.Buffer
	if code := run([]string{"scan", "--time-zone", "Asia/Shanghai", midnight}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if want := "  span       2026-12-31 23:59:59 CST +08:00 → 2027-01-01 00:00:01 CST (2s)\n"; !strings.Contains(out.String(), want) {
		t.Errorf("lacks %q:\n%s", want, out.String())
	}
}

// TestFollowLineZoneAndUnits: each `scan -f` line carries its time in the
// chosen zone, labelled, and its rate as the screen writes it.
func TestFollowLineZoneAndUnits(t *testing.T) {
	at := time.Date(2026, 12, 31, 16, 0, 5, 0, time.UTC)
	zone := func(name string) *time.Location {
		l, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for _, c := range []struct {
		loc      *time.Location
		requests uint64
		length   time.Duration
		last     bool
		want     string
	}{
		{zone("Asia/Shanghai"), 7, time.Second, false, "00:00:05 CST  requests      7 (7/s)  499 0  5xx 0  slow 0  malformed 0"},
		{zone("America/New_York"), 12345, 10 * time.Second, false, "11:00:05 EST  requests 12,345 (1.23k/s)  499 0  5xx 0  slow 0  malformed 0"},
		{time.FixedZone("", 5*3600+1800), 3, 400 * time.Millisecond, true, "21:30:05 +05:30  requests      3 (7.5/s)  499 0  5xx 0  slow 0  malformed 0  (last 0.4s, stopped)"},
	} {
		iv := followInterval{At: at.In(c.loc), Requests: c.requests, Last: c.last}
		if got := iv.text(c.length); got != c.want {
			t.Errorf("in %s:\n got %q\nwant %q", c.loc, got, c.want)
		}
	}
}
