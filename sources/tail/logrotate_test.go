package tail

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"warroom/sources/tail/tailtest"
)

// TestLogrotateCopytruncateBehindOffsetWriter: the real logrotate
// copytruncates a log whose writer keeps its own offset (a shell with >,
// as `node app.js > app.log`), so each rotation leaves the file starting
// with a hole of NULs as long as everything written before. Every line
// arrives exactly once, the holes are skipped and counted, and the file is
// never refused.
func TestLogrotateCopytruncateBehindOffsetWriter(t *testing.T) {
	for _, notify := range []bool{true, false} {
		t.Run(map[bool]string{true: "notify", false: "poll"}[notify], func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			rotate := tailtest.Logrotate(t, path, "copytruncate\nrotate 3")
			w := tailtest.StartWriter(t, path, "line %06d")
			f, c := start(t, Options{
				Paths: []string{path}, Start: Start{Kind: StartBeginning},
				Poll: 20 * time.Millisecond, NoNotify: !notify,
			})
			const rounds = 3
			holes := tailtest.CopytruncateRounds(t, w, path, rotate, rounds, 500, func(n int) bool {
				return len(c.lines(path)) >= n
			})
			if got, want := c.lines(path), seq(0, w.Written()); !slices.Equal(got, want) {
				t.Fatalf("got %d lines, want %d; first difference: %s", len(got), len(want), firstDiff(got, want))
			}
			st := statusOf(t, f, path, func(s FileStatus) bool { return s.Lines == int64(w.Written()) })
			if st.NULRuns != rounds || st.NULBytes != holes || st.Rotations != rounds || st.Err != "" {
				t.Fatalf("status %+v; want %d rotations, %d NUL runs of %d bytes in all, no error", st, rounds, rounds, holes)
			}
		})
	}
}
