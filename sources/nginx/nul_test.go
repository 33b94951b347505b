package nginx_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"warroom/sources/nginx"
	"warroom/sources/tail"
	"warroom/sources/tail/tailtest"
)

// followAccessLog runs a Source on path from its beginning until the test
// ends.
func followAccessLog(t *testing.T, path string) *nginx.Source {
	t.Helper()
	cfg := nginx.DefaultSourceConfig
	cfg.Name, cfg.Paths, cfg.Start = "web", []string{path}, "beginning"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	src, err := nginx.NewSource(cfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return src
}

func requests(src *nginx.Source) int {
	b, _, _ := src.Aggregator().Counts()
	return int(b.Requests)
}

func fileStatus(t *testing.T, src *nginx.Source) tail.FileStatus {
	t.Helper()
	st := src.Status()
	if len(st) != 1 {
		t.Fatalf("status %+v, want one file", st)
	}
	return st[0]
}

// mainLine is an access line in the main format, stamped now.
func mainLine(path string) string {
	return `10.0.0.1 - - [` + time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700") + `] "GET ` + path + ` HTTP/1.1" 200 5 "-" "test" 0.001 0.001`
}

// TestSourceCountsEveryLineAfterACopytruncateHole: the real logrotate
// copytruncates an access log whose writer keeps its own offset; the
// counters see every request once, none malformed, and the holes are
// counted as skipped NUL runs.
func TestSourceCountsEveryLineAfterACopytruncateHole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	rotate := tailtest.Logrotate(t, path, "copytruncate\nrotate 3")
	w := tailtest.StartWriter(t, path, mainLine("/seq/%d"))
	src := followAccessLog(t, path)
	const rounds = 3
	holes := tailtest.CopytruncateRounds(t, w, path, rotate, rounds, 300, func(n int) bool { return requests(src) >= n })
	lines, bad := src.Aggregator().Unreadable()
	if n := requests(src); n != w.Written() || lines != uint64(n) || bad.Total() != 0 {
		t.Fatalf("%d requests of %d lines read, %d malformed (%v); want all %d written, none malformed", n, lines, bad.Total(), bad, w.Written())
	}
	// the status is published after the lines of a read are counted
	var st tail.FileStatus
	tailtest.WaitFor(t, "the status of every line", func() bool { st = fileStatus(t, src); return st.Lines == int64(w.Written()) })
	if st.NULRuns != rounds || st.NULBytes != holes || st.Err != "" {
		t.Fatalf("status %+v; want %d NUL runs of %d bytes in all, no error", st, rounds, holes)
	}
}

// One NUL inside a line makes that line malformed (nul_bytes), not the file:
// the lines around it and after it count.
func TestSourceNULInsideALine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	good := mainLine("/ok") + "\n"
	if err := os.WriteFile(path, []byte(good+mainLine("/a\x00b")+"\n"+good), 0o644); err != nil {
		t.Fatal(err)
	}
	src := followAccessLog(t, path)
	tailtest.WaitFor(t, "2 requests", func() bool { return requests(src) == 2 })
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(good)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	tailtest.WaitFor(t, "3 requests", func() bool { return requests(src) == 3 })
	if _, bad := src.Aggregator().Unreadable(); bad[nginx.ReasonNUL] != 1 || bad.Total() != 1 {
		t.Fatalf("malformed %v, want one nul_bytes line", bad)
	}
	var st tail.FileStatus
	tailtest.WaitFor(t, "the status of 4 lines", func() bool { st = fileStatus(t, src); return st.Lines == 4 })
	if st.Err != "" || st.NULRuns != 0 {
		t.Fatalf("status %+v; want 4 lines, no NUL run, no error", st)
	}
}
