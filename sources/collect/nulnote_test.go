package collect

import (
	"testing"

	"warroom/sources"
	"warroom/sources/tail"
)

// NUL runs a follower skipped are no fault: an ok source says so in its
// status, and a source with a problem keeps saying the problem.
func TestNotedSaysSkippedNULRuns(t *testing.T) {
	skipped := tail.FileStatus{Path: "/l/app.log", NULRuns: 1, NULBytes: 10_240_000, NULAt: 4096}
	for _, tc := range []struct {
		st         []tail.FileStatus
		health     sources.Health
		wantDetail string
	}{
		{[]tail.FileStatus{{Path: "/l/a.log"}, skipped}, sources.HealthOK, "/l/app.log: skipped 1 NUL run (10.2 MB) at offset 4096"},
		{[]tail.FileStatus{{Path: "/l/a.log"}}, sources.HealthOK, ""},
		{[]tail.FileStatus{{Path: "/l/app.log", NULRuns: 1, NULBytes: 1, Loading: true}}, sources.HealthUnknown, "reading the log's history"},
		{[]tail.FileStatus{{Path: "/l/app.log", NULRuns: 2, NULBytes: 2, Err: "gone"}}, sources.HealthError, "/l/app.log: gone"},
	} {
		h := noted(followHealth(tc.st), tc.st)
		if h.health != tc.health || h.err != tc.wantDetail {
			t.Errorf("%+v: %v %q, want %v %q", tc.st, h.health, h.err, tc.health, tc.wantDetail)
		}
	}
}
