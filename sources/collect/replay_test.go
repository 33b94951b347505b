package collect

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/schedule"
)

// TestReplayJudgesOnTheLogsClock replays the test night at full speed: the
// rules fire at the same log instants as when the night was followed live.
func TestReplayJudgesOnTheLogsClock(t *testing.T) {
	f := newFixture(t, t.TempDir(), false)
	var ticks int
	var first, last time.Time
	err := f.c.Replay(context.Background(), func(at time.Time) {
		f.clock.Set(at)
		if first.IsZero() {
			first = at
		}
		last = at
		ticks++
	})
	if err != nil {
		t.Fatal(err)
	}
	// the night's lines span 23:58:00–00:00:59: the clock starts at the first
	// line, ticks from 23:58:01 (23:58:00 complete) and the last tick lets
	// the lagged window reach 00:00:59: 1 + 182 calls of set
	if !first.Equal(t0) || !last.Equal(midnight.Add(62*time.Second)) || ticks != 183 {
		t.Errorf("ticks %d from %v to %v", ticks, first, last)
	}
	got := map[string]time.Time{}
	for _, tr := range f.trs {
		if _, ok := got[tr.Indicator+":"+tr.To.String()]; !ok {
			got[tr.Indicator+":"+tr.To.String()] = tr.At
		}
	}
	for key, at := range map[string]time.Time{
		"nginx.499_rate:warn":   midnight.Add(8 * time.Second),
		"nginx.499_rate:crit":   midnight.Add(11 * time.Second),
		"nginx.slow_ratio:crit": midnight.Add(8 * time.Second),
		"app.db:warn":           midnight.Add(33 * time.Second),
	} {
		if !got[key].Equal(at) {
			t.Errorf("%s at %v, want %v (all: %v)", key, got[key], at, f.trs)
		}
	}
	b, _, _ := f.access.Aggregator().Counts()
	if b.Requests != 120*10+60*20 {
		t.Errorf("replayed %d requests", b.Requests)
	}
}

// The stamp a replay reads access-log lines' times with keeps nothing of
// a line: the line is in its file reader's buffer, which a file read to
// its end, or waiting for the clock to reach it, must let go of (a
// 20-day campaign's rotated logs kept 256 KiB a file to the end).
func TestReplayStampKeepsNoLine(t *testing.T) {
	f, err := nginx.CompileFormat("timed")
	must(t, err)
	stamp := lineStamp(nginx.NewParser(f, nginx.ClientRemoteAddr))
	defer runtime.KeepAlive(stamp) // as the replay keeps it, to the end
	line := []byte(strings.TrimSuffix(accessLine(midnight, "10.0.0.1", "/rank", 200, 0.05), "\n"))
	freed := make(chan struct{})
	runtime.AddCleanup(&line[0], func(freed chan struct{}) { close(freed) }, freed)
	if sec, ok := stamp(line); !ok || sec != midnight.Unix() {
		t.Fatalf("stamp: %d, %v; want %d", sec, ok, midnight.Unix())
	}
	line = nil
	// a collection finds the line unreachable, then its cleanup runs
	for range 100 {
		runtime.GC()
		select {
		case <-freed:
			return
		default:
			runtime.Gosched()
		}
	}
	t.Fatal("the line is still reachable after 100 collections: the stamp keeps it")
}

// A command source has no saved file to replay: Replay says which source.
func TestReplayRefusesCommands(t *testing.T) {
	cfg := nginx.DefaultSourceConfig
	cfg.Name, cfg.Command, cfg.Format = "web", []string{"ssh", "web1", "tail -F /var/log/nginx/access.log"}, "timed"
	must(t, cfg.Validate())
	clock := NewSteppedClock(midnight)
	src, err := nginx.NewSource(cfg, clock.Now)
	must(t, err)
	c, err := New(Options{Nginx: []*nginx.Source{src}, Refresh: time.Hour, Now: clock.Now})
	must(t, err)
	if err := c.Replay(context.Background(), clock.Set); err == nil || err.Error() != "collect: replay web: a command source cannot be replayed; point paths at saved logs" {
		t.Fatalf("replay: %v", err)
	}
}

// One line with a corrupt stamp (year 9999) in the middle of a night must
// not move the replay's clock past every later line: the storm after it is
// still counted and judged, and the line itself is future_time.
func TestReplayCorruptStampDoesNotSkipTheNight(t *testing.T) {
	for _, where := range []string{"before the storm", "first in the file"} {
		t.Run(where, func(t *testing.T) { replayWithCorruptStamp(t, where) })
	}
}

func replayWithCorruptStamp(t *testing.T, where string) {
	dir := t.TempDir()
	f := newFixture(t, dir, false)
	bad := `10.9.9.9 - - [31/Dec/9999:23:59:59 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" 0.001 0.001` + "\n"
	rewrite(t, filepath.Join(dir, "access.log"), func(b string) string {
		cut := 0
		if where == "before the storm" {
			cut = strings.Index(b, "[01/Jan/2027:00:00:00") // the storm's first line
			cut = strings.LastIndexByte(b[:cut], '\n') + 1
		}
		return b[:cut] + bad + b[cut:]
	})
	if err := f.c.Replay(context.Background(), f.clock.Set); err != nil {
		t.Fatal(err)
	}
	sum := f.access.Aggregator().Summary(0)
	if future := malformed(sum, "future_time"); sum.Requests != 120*10+60*20 || future != 1 {
		t.Errorf("%d requests, %d future_time; want %d and 1", sum.Requests, future, 120*10+60*20)
	}
	crit := false
	for _, tr := range f.trs {
		crit = crit || tr.Indicator == "nginx.499_rate" && tr.To == sources.StateCrit
	}
	if !crit {
		t.Errorf("the storm after the corrupt line was not judged: %v", f.trs)
	}
}

// A log that opens with a line without a time (a rotated app log starting
// in a stack trace, a garbage first access line) replays on the logs'
// clock, not from 1970.
func TestReplayStamplessFirstLines(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir, false)
	for name, first := range map[string]string{"app.log": "    at Query.run (/srv/q.js:1:1)\n", "access.log": "garbage\n"} {
		rewrite(t, filepath.Join(dir, name), func(b string) string { return first + b })
	}
	var firstTick time.Time
	err := f.c.Replay(context.Background(), func(at time.Time) {
		if firstTick.IsZero() {
			firstTick = at
		}
		f.clock.Set(at)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !firstTick.Equal(t0) {
		t.Errorf("the replay's clock started at %v, want the first stamped line's %v", firstTick, t0)
	}
	crit := false
	for _, tr := range f.trs {
		crit = crit || tr.Indicator == "nginx.499_rate" && tr.To == sources.StateCrit
	}
	if !crit {
		t.Errorf("the night was not judged: %v", f.trs)
	}
}

// A line of 2 MiB (four times what bufio.Scanner took) in each log is
// counted as too long, and the replay goes on with the lines after it: the
// night is judged as without it.
func TestReplayLongLines(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir, false)
	huge := strings.Repeat("x", 2<<20)
	for name, long := range map[string]string{
		// a stamped access line with a 2 MiB path, before the storm
		"access.log": `10.9.9.9 - - [31/Dec/2026:23:59:00 +0800] "GET /` + huge + ` HTTP/1.1" 200 1 "-" "ua" 0.001 0.001` + "\n",
		// an app entry of 2 MiB holding the pattern, with its stack: not
		// matched by its head, and its stack not joined to the entry before
		"app.log": midnight.Add(10*time.Second).Format(time.RFC3339) + " error SequelizeDatabaseError: read ECONNRESET " + huge + "\n    at Query.run (query.js:52:25)\n",
	} {
		rewrite(t, filepath.Join(dir, name), func(b string) string {
			mid := strings.IndexByte(b[len(b)/2:], '\n') + len(b)/2 + 1
			return b[:mid] + long + b[mid:]
		})
	}
	if err := f.c.Replay(context.Background(), f.clock.Set); err != nil {
		t.Fatal(err)
	}
	sum := f.access.Aggregator().Summary(0)
	if tooLong := malformed(sum, "too_long"); sum.Requests != 120*10+60*20 || tooLong != 1 {
		t.Errorf("%d requests, %d too_long; want %d and 1", sum.Requests, tooLong, 120*10+60*20)
	}
	w := f.app.Watcher()
	if n, _ := w.Count("db", t0, midnight.Add(time.Hour)); n != 6 || w.Skipped().TooLong != 1 {
		t.Errorf("%d db errors, %d lines skipped as too long; want 6 and 1", n, w.Skipped().TooLong)
	}
	crit, warn := map[string]bool{}, map[string]bool{}
	for _, tr := range f.trs {
		crit[tr.Indicator] = crit[tr.Indicator] || tr.To == sources.StateCrit
		warn[tr.Indicator] = warn[tr.Indicator] || tr.To == sources.StateWarn
	}
	if !crit["nginx.499_rate"] || !warn["app.db"] {
		t.Errorf("the night after the long lines was not judged: %v", f.trs)
	}
}

// A hole of NULs in the middle of each log (a copytruncate behind a
// writer without O_APPEND, the line after it glued behind it) is one
// unreadable line, and every line after it is replayed.
func TestReplayNULHoles(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir, false)
	hole := string(make([]byte, 1<<20))
	for _, name := range []string{"access.log", "app.log"} {
		rewrite(t, filepath.Join(dir, name), func(b string) string {
			mid := strings.IndexByte(b[len(b)/2:], '\n') + len(b)/2 + 1
			return b[:mid] + hole + b[mid:]
		})
	}
	if err := f.c.Replay(context.Background(), f.clock.Set); err != nil {
		t.Fatal(err)
	}
	sum := f.access.Aggregator().Summary(0)
	if nul := malformed(sum, "nul_bytes"); sum.Requests != 120*10+60*20 || nul != 1 {
		t.Errorf("%d requests, %d nul_bytes; want %d and 1", sum.Requests, nul, 120*10+60*20)
	}
	if n, _ := f.app.Watcher().Count("db", t0, midnight.Add(time.Hour)); n != 6 {
		t.Errorf("%d db errors, want 6", n)
	}
}

// Replayed, an app-log error without a time goes with the stamped line
// before it, not with the replay's clock; first in the file, with nothing
// before it, it is skipped as undated.
func TestReplayStamplessAppErrors(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir, false)
	// one before every stamp, one after the last line ("info still here")
	stampless := "SequelizeDatabaseError: read ECONNRESET\n"
	rewrite(t, filepath.Join(dir, "app.log"), func(b string) string { return stampless + b + stampless })
	if err := f.c.Replay(context.Background(), f.clock.Set); err != nil {
		t.Fatal(err)
	}
	w := f.app.Watcher()
	at40 := midnight.Add(40 * time.Second)
	if n, _ := w.Count("db", t0, midnight.Add(time.Hour)); n != 7 || w.Skipped().Undated != 1 {
		t.Errorf("%d db errors, %d undated; want 7 (6 stamped, 1 after a stamped line) and 1", n, w.Skipped().Undated)
	}
	if n, _ := w.Count("db", at40, at40.Add(time.Second)); n != 1 {
		t.Errorf("%d errors at the second of the line before, want 1", n)
	}
}

// A night that crossed a rotation whose compressed predecessor lost its
// .gz suffix (access.log.1 gzipped) replays whole: gzip is told by the
// file's first bytes, not its name.
func TestReplayGzippedPredecessorWithoutSuffix(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir, false)
	path := filepath.Join(dir, "access.log")
	b, err := os.ReadFile(path)
	must(t, err)
	mid := bytes.IndexByte(b[len(b)/2:], '\n') + len(b)/2 + 1
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, err = zw.Write(b[:mid])
	must(t, err)
	must(t, zw.Close())
	must(t, os.WriteFile(path+".1", z.Bytes(), 0o644))
	must(t, os.WriteFile(path, b[mid:], 0o644))
	if err := f.c.Replay(context.Background(), f.clock.Set); err != nil {
		t.Fatal(err)
	}
	sum := f.access.Aggregator().Summary(0)
	var reasons []string
	for _, m := range sum.Malformed {
		reasons = append(reasons, m.Reason)
	}
	if sum.Requests != 120*10+60*20 || len(reasons) != 0 {
		t.Errorf("%d requests, malformed lines (%v); want %d and none", sum.Requests, reasons, 120*10+60*20)
	}
}

// An access log whose format has no time has no clock to be replayed on:
// replay says so rather than finishing at once with nothing judged.
func TestReplayRefusesAFormatWithoutTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	must(t, os.WriteFile(path, []byte("10.0.0.1 \"GET / HTTP/1.1\" 200\n"), 0o644))
	cfg := nginx.DefaultSourceConfig
	cfg.Name, cfg.Paths, cfg.Format = "web", []string{path}, `$remote_addr "$request" $status`
	must(t, cfg.Validate())
	clock := NewSteppedClock(midnight)
	src, err := nginx.NewSource(cfg, clock.Now)
	must(t, err)
	c, err := New(Options{Nginx: []*nginx.Source{src}, Refresh: time.Hour, Now: clock.Now})
	must(t, err)
	if err := c.Replay(context.Background(), clock.Set); err == nil || !strings.Contains(err.Error(), "web: the format has no $time_local, $time_iso8601 or $msec: its lines cannot be replayed") {
		t.Fatalf("replay: %v", err)
	}
}

// rewrite replaces the file at path with edit of its content.
func rewrite(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	must(t, os.WriteFile(path, []byte(edit(string(b))), 0o644))
}

// malformed is how many lines of sum were malformed for reason.
func malformed(sum nginx.Summary, reason string) uint64 {
	for _, m := range sum.Malformed {
		if m.Reason == reason {
			return m.Count
		}
	}
	return 0
}

// An app log whose times carry no zone, read in the wrong one, sits hours
// away from the access logs: on the replay's own clock no stamp is ever
// "ahead", so the replay sets the two logs side by side and the app log's
// health says so, instead of its errors showing hours after the night.
func TestReplaySaysAnAppLogIsHoursOff(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir, false)
	var b strings.Builder
	for i := 0; i < 6; i++ { // 00:00:30 CST written without a zone, read as UTC: 8 h late
		b.WriteString(midnight.Add(30*time.Second).Format("2006-01-02 15:04:05") + " error SequelizeDatabaseError: read ECONNRESET\n")
	}
	app := filepath.Join(dir, "nozone.log")
	must(t, os.WriteFile(app, []byte(b.String()), 0o644))
	acfg := applog.DefaultSourceConfig
	acfg.Name, acfg.Paths, acfg.Start, acfg.TimeZone = "api", []string{app}, "beginning", "UTC"
	must(t, acfg.Validate())
	src, err := applog.NewSource(acfg, f.clock.Now)
	must(t, err)
	c, err := New(Options{Nginx: []*nginx.Source{f.access}, Apps: []*applog.Source{src}, Now: f.clock.Now, Refresh: time.Hour,
		Schedule: func() *schedule.Schedule { return testSchedule(t) }})
	must(t, err)
	must(t, c.Replay(context.Background(), f.clock.Set))
	if note := src.Watcher().Note(); note != "times 8h after nginx's: set time_zone if its lines have no zone" {
		t.Errorf("note %q", note)
	}
	s := snapOf(c, sources.View{Window: 5 * time.Minute})
	if in, ok := s.Indicator("api.db"); !ok || in.Value.Health != sources.HealthError {
		t.Errorf("api.db %+v: want an error naming the offset", in.Value)
	}
	// the fixture's own app log (its times carry +08:00) is not off
	g := newFixture(t, t.TempDir(), false)
	must(t, g.c.Replay(context.Background(), g.clock.Set))
	if note := g.app.Watcher().Note(); note != "" {
		t.Errorf("a zoned app log got %q", note)
	}
}
