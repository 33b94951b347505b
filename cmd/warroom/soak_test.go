package main

// The soak: a campaign of many days (demo.WriteCampaign, what `warroom
// generate --campaign` writes) replayed through watch --replay's collector
// in one sitting, warroom's footprint sampled at every midnight of the
// logs' clock.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"warroom/sources/demo"
)

// soakSample is the process at one instant of the replay.
type soakSample struct {
	at         time.Time
	rss        uint64 // resident, as the replay left it (/proc/self/statm)
	live       uint64 // heap in use after a collection: what is retained
	objects    uint64 // objects retained, likewise
	sys        uint64 // memory the runtime holds from the OS
	goroutines int
}

// soak is what a replay of a campaign measured.
type soak struct {
	days    []soakSample // at the first line, then at each midnight the replay's clock passed
	end     soakSample   // after the replay returned
	peakRSS uint64       // VmHWM over the replay (0 where /proc has none)
	ticks   int
	lines   string // the replayed transitions, for the test's sanity checks
}

// replayCampaign replays the campaign written in dir (config
// demo.CampaignConfig) as `warroom watch --replay` does, sampling at each
// of the days' midnights (the first at the first line, before any is
// read). The campaign's days start at first.
func replayCampaign(tb testing.TB, dir string, first time.Time) soak {
	tb.Helper()
	cfg, err := loadConfig(filepath.Join(dir, demo.CampaignConfig))
	if err != nil {
		tb.Fatal(err)
	}
	var out, errb bytes.Buffer
	c, clock, code := replayCollector(cfg, replayAsk{}, &out, &errb)
	if c == nil {
		tb.Fatalf("exit %d: %s", code, errb.String())
	}
	resetPeakRSS()
	var s soak
	next := first
	err = c.Replay(context.Background(), func(at time.Time) {
		clock.Set(at)
		s.ticks++
		for !at.Before(next) {
			s.days = append(s.days, sample(at))
			next = next.Add(24 * time.Hour)
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	s.end = sample(clock.Now())
	s.peakRSS = peakRSS()
	runtime.KeepAlive(c) // what it holds is what the end's sample measured
	if errb.Len() > 0 {
		tb.Errorf("stderr: %s", errb.String())
	}
	s.lines = out.String()
	return s
}

func sample(at time.Time) soakSample {
	s := soakSample{at: at, rss: rss()}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.live, s.objects, s.sys = m.HeapAlloc, m.HeapObjects, m.Sys
	s.goroutines = runtime.NumGoroutine()
	return s
}

// rss is the resident set size from /proc/self/statm (0 without it).
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// peakRSS is VmHWM from /proc/self/status (0 without it).
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// resetPeakRSS starts VmHWM again from the current RSS (Linux ≥ 4.0), so
// the peak is the replay's, not the campaign's generation's.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// slope is the least-squares growth of f per day over samples [from, to].
func slope(ss []soakSample, from, to int, f func(soakSample) uint64) float64 {
	to = min(to, len(ss)-1)
	if to-from < 1 {
		return 0
	}
	var n, sx, sy, sxx, sxy float64
	for i := from; i <= to; i++ {
		x, y := float64(i), float64(f(ss[i]))
		n++
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

const mib = 1 << 20

var cst = time.FixedZone("CST", 8*3600)

// campaignFirst is the first line of a campaign at the defaults.
var campaignFirst = time.Date(2026, 12, 12, 0, 0, 0, 0, cst)

// TestSoakStaysFlat replays three days of a quiet campaign (2 req/s at
// the evening peak, floods of 20 req/s): once the first day has filled
// the rings of a day and the top tables held for a day, what the replay
// holds does not grow from one midnight to the next, and neither a night
// (its flood, its transitions, its report) nor a day leaves a goroutine
// behind.
func TestSoakStaysFlat(t *testing.T) {
	dir := t.TempDir()
	if err := demo.WriteCampaign(demo.CampaignOptions{Dir: dir, Days: 3, Peak: 2, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	s := replayCampaign(t, dir, campaignFirst)
	var tab strings.Builder
	s.table(&tab)
	t.Logf("\n%s", tab.String())
	if len(s.days) != 4 {
		t.Fatalf("%d midnights sampled, want 4 (the first line's and 3 stage ends)", len(s.days))
	}
	// the campaign is what it says: each night crit, each stage reported
	if n := strings.Count(s.lines, `"indicator":"nginx.499_rate","from":"warn","to":"crit"`) +
		strings.Count(s.lines, `"indicator":"nginx.499_rate","from":"ok","to":"crit"`); n < 3 {
		t.Errorf("499s crit %d times, want at least once a night:\n%s", n, s.lines)
	}
	if reports, _ := filepath.Glob(filepath.Join(dir, "reports", "*.md")); len(reports) != 3 {
		t.Errorf("reports %q, want one per stage end", reports)
	}

	first := s.days[0].goroutines
	for i, d := range s.days[1:] {
		if d.goroutines > first {
			t.Errorf("midnight %d: %d goroutines, %d at the first line", i+1, d.goroutines, first)
		}
	}
	if s.end.goroutines > first {
		t.Errorf("at the end: %d goroutines, %d at the first line", s.end.goroutines, first)
	}
	// The first day fills the rings and the top tables held for a day.
	// From the second midnight to the third only what the first nights
	// fill may grow — the timeline (30-odd transitions a night, up to
	// 1000), the cache of merged tables (6 windows), the live minute's
	// table (to the busiest minute's keys) — and a busier night's tables
	// weigh more: about 0.5 MiB here. A night's state kept for good, or
	// a goroutine's, is more.
	d2, d3 := s.days[2], s.days[3]
	if grew := int64(d3.live) - int64(d2.live); grew > 1<<20 {
		t.Errorf("the heap held grew %d KiB from the second midnight to the third", grew>>10)
	}
	if grew := int64(d3.objects) - int64(d2.objects); grew > 1000 {
		t.Errorf("%d more objects held at the third midnight than at the second", grew)
	}
}

func (s soak) table(w io.Writer) {
	fmt.Fprintf(w, "%-4s %-20s %9s %9s %10s %9s %5s\n", "day", "at", "RSS MiB", "live MiB", "objects", "Sys MiB", "gor")
	row := func(name string, x soakSample) {
		fmt.Fprintf(w, "%-4s %-20s %9.1f %9.1f %10d %9.1f %5d\n", name, x.at.In(cst).Format("2006-01-02 15:04:05"),
			float64(x.rss)/mib, float64(x.live)/mib, x.objects, float64(x.sys)/mib, x.goroutines)
	}
	for i, d := range s.days {
		row(strconv.Itoa(i), d)
	}
	row("end", s.end)
	fmt.Fprintf(w, "peak RSS %.1f MiB over %d ticks\n", float64(s.peakRSS)/mib, s.ticks)
}

// BenchmarkSoak20Days writes a 20-day campaign at the defaults of
// `warroom generate --campaign` (about 26M access lines, 1.1 GB mostly gzipped
// on disk, a minute to write) and replays it through watch --replay's
// collector, sampling at each midnight (Asia/Shanghai). It reports the
// peak RSS of the replay, the growth per day over days 5–20 (the rings of
// a day and the top tables held for a day are full by then; the minute
// ring of 7 days is allocated at start) of the resident set and of the
// heap retained after a collection, and the goroutines at the first line
// and at the end. Run it once:
//
//	go test ./cmd/warroom -run '^$' -bench Soak20Days -benchtime 1x -v
func BenchmarkSoak20Days(b *testing.B) {
	dir := b.TempDir()
	o := demo.CampaignOptions{Dir: dir, Days: 20, Seed: 1}
	if err := demo.WriteCampaign(o); err != nil {
		b.Fatal(err)
	}
	// as main runs watch: on the memory budget, unless GOGC or GOMEMLIMIT
	// says otherwise (GOGC=100 measures Go's own ways)
	if budgeted([]string{"watch"}, os.Getenv) {
		defer keepToBudget()()
	}
	b.ResetTimer()
	for range b.N {
		os.RemoveAll(filepath.Join(dir, "reports"))
		s := replayCampaign(b, dir, campaignFirst)
		var t strings.Builder
		s.table(&t)
		b.Logf("\n%s", t.String())
		b.ReportMetric(float64(s.peakRSS)/mib, "peak-RSS-MiB")
		b.ReportMetric(slope(s.days, 5, 20, func(x soakSample) uint64 { return x.rss })/mib, "RSS-MiB/day")
		b.ReportMetric(slope(s.days, 5, 20, func(x soakSample) uint64 { return x.live })/mib, "live-MiB/day")
		b.ReportMetric(float64(s.end.live)/mib, "live-MiB-end")
		b.ReportMetric(float64(s.days[0].goroutines), "goroutines-first")
		b.ReportMetric(float64(s.end.goroutines), "goroutines-last")
	}
}
