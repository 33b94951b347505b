package tail

import (
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Lines read back from the start position are marked Backfill until the
// end of the file found at start; what is written after, and every line of
// a file that appears later, is not.
func TestBatchBackfill(t *testing.T) {
	for _, tc := range []struct {
		name   string
		start  Start
		before bool // the file exists when the follower starts
		want   []bool
	}{
		{"beginning", Start{Kind: StartBeginning}, true, []bool{true, true, false}},
		{"end", Start{Kind: StartEnd}, true, []bool{false}},
		{"last 30m", Start{Kind: StartLast, Last: 30 * time.Minute}, true, []bool{true, true, false}},
		{"created later", Start{Kind: StartBeginning}, false, []bool{false, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			if tc.before {
				writeFile(t, path, "1799999999000 a\n1799999999500 b\n")
			}
			var got []bool
			c := newCollector()
			r := testReader(Options{Paths: []string{path}, Start: tc.start, Timestamp: msTimestamp, Now: func() time.Time { return msClock }}, c)
			r.emit = func(b Batch) {
				for range b.All() {
					got = append(got, b.Backfill)
				}
			}
			ft := newFileTail(path, false, true)
			checkUntilQuiet(ft, r)
			if !tc.before {
				writeFile(t, path, "1799999999000 a\n1799999999500 b\n")
				checkUntilQuiet(ft, r)
			}
			appendFile(t, path, "1800000000000 c\n")
			checkUntilQuiet(ft, r)
			if !slices.Equal(got, tc.want) {
				t.Errorf("backfill marks %v, want %v", got, tc.want)
			}
		})
	}
}
