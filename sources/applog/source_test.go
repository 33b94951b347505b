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
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	if err := os.WriteFile(path, []byte("2026-11-24T00:00:01Z info started\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, stop := followAppLog(t, path)

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
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
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
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

// followAppLog runs a Source on path from its beginning until stop, which
// returns Run's error; the test's end stops it too.
func followAppLog(t *testing.T, path string) (src *Source, stop func() error) {
	t.Helper()
	cfg := DefaultSourceConfig
	cfg.Name, cfg.Paths, cfg.Start = "app", []string{path}, "beginning"
	src, err := NewSource(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			runErr = <-done
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return src, stop
}
