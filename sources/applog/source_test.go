package applog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSourceFollowsAndFlushesQuietEntry writes a real log file, appends a
// DB error with a stack trace as the last thing written, and expects it
// counted once (trace joined) without any later line arriving.
func TestSourceFollowsAndFlushesQuietEntry(t *testing.T) {
	src, stop := follow(t, "beginning", "2026-11-24T00:00:01Z info started\n")
	f, err := os.OpenFile(src.Config().Paths[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString("2026-11-24T00:01:30Z error SequelizeDatabaseError: read ECONNRESET\n" +
		"    at Query.run (/srv/node_modules/sequelize/lib/dialects/mysql/query.js:52:25)\n" +
		"    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 0, 5, 0, 0, time.UTC)
	deadline := time.Now().Add(10 * time.Second)
	var n uint64
	for time.Now().Before(deadline) {
		if n, _ = src.Watcher().Count("db", from, to); n > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n != 1 {
		t.Fatalf("db count = %d, want 1 (the trace joined to its first line)", n)
	}
	if e := src.Watcher().Entries(); e != 2 {
		t.Errorf("entries = %d, want 2", e)
	}
	v := src.Watcher().View(to)
	if len(v.Lines) != 1 || !strings.Contains(v.Lines[0].Pattern, "econnreset") || !strings.Contains(v.Lines[0].Text, "(+2 lines)") {
		t.Fatalf("view lines = %+v", v.Lines)
	}
	stop()
	if st := src.Status(); len(st) != 1 || st[0].Lines != 4 {
		t.Errorf("status = %+v, want one file with 4 lines", st)
	}
}

func TestNewSourceErrors(t *testing.T) {
	cfg := DefaultSourceConfig
	if _, err := NewSource(cfg, nil); err == nil {
		t.Error("no paths: want an error")
	}
	cfg.Paths, cfg.Start = []string{"/nonexistent/app.log"}, "sideways"
	if _, err := NewSource(cfg, nil); err == nil {
		t.Error("bad start: want an error")
	}
}

// A line the follower cuts is recognised as cut: skipped and counted as
// too long, while the next error is counted.
func TestSourceSkipsTooLongLines(t *testing.T) {
	src, _ := follow(t, "beginning", "2026-11-24T00:00:01Z error SequelizeDatabaseError: read ECONNRESET "+strings.Repeat("x", 100<<10)+"\n"+
		"2026-11-24T00:00:02Z error SequelizeDatabaseError: read ECONNRESET\n"+
		"2026-11-24T00:00:03Z info done\n")
	w := src.Watcher()
	waitUntil(t, func() bool { return w.Entries() >= 2 })
	from, to := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 0, 5, 0, 0, time.UTC)
	if n, _ := w.Count("db", from, to); n != 1 || w.Skipped().TooLong != 1 {
		t.Fatalf("db %d, too long %d; want 1 and 1", n, w.Skipped().TooLong)
	}
}

// An old log whose errors carry no time, read back with start 30m: none
// is counted now (it used to read app.db 999 and ring at start); each is
// skipped as undated. An error written after the backfill reached the end
// is counted as it arrives.
func TestSourceBackfillDoesNotDateOldLinesNow(t *testing.T) {
	src, _ := follow(t, "30m", strings.Repeat("Error: SequelizeDatabaseError: read ECONNRESET\n    at Query.run (query.js:52:25)\n", 999))
	w := src.Watcher()
	// the backfill's last entry is finished by the flush after a quiet second
	waitUntil(t, func() bool { return w.Skipped().Undated == 999 })
	from, to := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	if n, _ := w.Count("db", from, to); n != 0 {
		t.Fatalf("%d errors of an old log counted now", n)
	}
	f, err := os.OpenFile(src.Config().Paths[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("Error: SequelizeDatabaseError: read ECONNRESET\n")
	f.Close()
	waitUntil(t, func() bool { n, _ := w.Count("db", from, to); return n > 0 })
	if n, _ := w.Count("db", from, to); n != 1 || w.Skipped().Undated != 999 {
		t.Fatalf("live error counted %d times (want 1); skipped %+v (want the 999 old ones undated)", n, w.Skipped())
	}
}

// follow runs a source on a new log holding text, from start, until stop
// is called or the test ends.
func follow(t *testing.T, start, text string) (src *Source, stop func()) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return followPath(t, path, start)
}

// followAppLog runs a source on the log at path from its beginning until
// stop, which reports Run's error as a test error; the test's end stops it
// too.
func followAppLog(t *testing.T, path string) (src *Source, stop func() error) {
	t.Helper()
	src, s := followPath(t, path, "beginning")
	return src, func() error { s(); return nil }
}

func followPath(t *testing.T, path, start string) (src *Source, stop func()) {
	t.Helper()
	cfg := DefaultSourceConfig
	cfg.Paths, cfg.Start = []string{path}, start
	src, err := NewSource(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()
	stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	t.Cleanup(stop)
	return src, stop
}

// waitUntil polls cond with a generous deadline; it is not a timing
// assertion.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
