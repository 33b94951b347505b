package applog

import (
	"path/filepath"
	"testing"
	"time"

	"warroom/sources/tail"
	"warroom/sources/tail/tailtest"
)

// TestSourceCountsEveryEntryAfterACopytruncateHole: the real logrotate
// copytruncates an app log whose writer keeps its own offset (`node app.js
// > app.log`); every DB error is counted once, and the holes are counted
// as skipped NUL runs.
func TestSourceCountsEveryEntryAfterACopytruncateHole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	rotate := tailtest.Logrotate(t, path, "copytruncate\nrotate 3")
	stamp := time.Date(2026, 11, 24, 0, 0, 1, 0, time.UTC)
	w := tailtest.StartWriter(t, path, stamp.Format(time.RFC3339)+" error SequelizeDatabaseError: read ECONNRESET seq=%d")
	src, stop := followAppLog(t, path)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	dbErrors := func() int {
		n, _ := src.Watcher().Count("db", stamp, stamp.Add(time.Second))
		return int(n)
	}
	const rounds = 3
	// every line read: all but the last are counted entries, the last
	// waits for the next line or a quiet second
	holes := tailtest.CopytruncateRounds(t, w, path, rotate, rounds, 200, func(n int) bool { return src.Watcher().Entries() >= uint64(n-1) })
	tailtest.WaitFor(t, "the last entry", func() bool { return src.Watcher().Entries() == uint64(w.Written()) })
	if n, e := dbErrors(), src.Watcher().Entries(); n != w.Written() || e != uint64(n) {
		t.Fatalf("%d db errors in %d entries, want all %d written", n, e, w.Written())
	}
	// the status is published after the lines of a read are counted
	var st []tail.FileStatus
	tailtest.WaitFor(t, "the status of every line", func() bool {
		st = src.Status()
		return len(st) == 1 && st[0].Lines == int64(w.Written())
	})
	if st[0].NULRuns != rounds || st[0].NULBytes != holes || st[0].Err != "" {
		t.Fatalf("status %+v; want one file with %d NUL runs of %d bytes in all, no error", st, rounds, holes)
	}
}
