package tail

import (
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseStart(t *testing.T) {
	cases := []struct {
		in   string
		want Start
		err  string
	}{
		{"end", Start{Kind: StartEnd}, ""},
		{"", Start{Kind: StartEnd}, ""},
		{"beginning", Start{Kind: StartBeginning}, ""},
		{"30m", Start{Kind: StartLast, Last: 30 * time.Minute}, ""},
		{" 2h ", Start{Kind: StartLast, Last: 2 * time.Hour}, ""},
		{"1h30m", Start{Kind: StartLast, Last: 90 * time.Minute}, ""},
		{"1d", Start{Kind: StartLast, Last: 24 * time.Hour}, ""},
		{"0s", Start{}, "must be positive"},
		{"yesterday", Start{}, `want "end", "beginning" or a duration`},
		{"-5m", Start{}, "want"},
		{"30", Start{}, "want"},
	}
	for _, c := range cases {
		got, err := ParseStart(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "tail: start ") {
				t.Errorf("ParseStart(%q) error = %v, want it to contain %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseStart(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	var s Start
	if err := s.UnmarshalText([]byte("15m")); err != nil || s.String() != "15m" {
		t.Fatalf("UnmarshalText: %+v %v", s, err)
	}
}

func FuzzParseStart(f *testing.F) {
	for _, s := range []string{"end", "beginning", "30m", "2h", "1h30m", "1d", "0s", "x", "-1m", "1y2w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStart(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tail: start ") {
				t.Fatalf("error without the noun: %v", err)
			}
			return
		}
		if err := st.validate(); err != nil {
			t.Fatalf("ParseStart(%q) = %+v, which does not validate: %v", s, st, err)
		}
		back, err := ParseStart(st.String())
		if err != nil || back != st {
			t.Fatalf("round trip of %q: %+v -> %q -> %+v, %v", s, st, st.String(), back, err)
		}
	})
}

// timedLines are lines i in [from, to) stamped 10 ms apart from msClock-1h.
func timedLines(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, timedLine(i))
	}
	return out
}

func timedLine(i int) string {
	return fmt.Sprintf("%d seq=%07d GET /api/stage/result", stampOf(i).UnixMilli(), i)
}

func stampOf(i int) time.Time { return msClock.Add(-time.Hour + time.Duration(i)*10*time.Millisecond) }

// lastOptions starts the last d before msClock with small buffers, so the
// binary search has many steps even in a test-sized file.
func lastOptions(d time.Duration) Options {
	return Options{
		Start: Start{Kind: StartLast, Last: d}, Timestamp: msTimestamp,
		Now: func() time.Time { return msClock }, Disorder: time.Second,
		MaxLineBytes: 512, BufferBytes: 2048,
	}
}

// runFirst follows path as found when Run starts until there is nothing
// more to read.
func runFirst(t *testing.T, path string, opts Options) (*collector, *fileTail) {
	t.Helper()
	c := newCollector()
	r := testReader(opts, c)
	ft := newFileTail(path, false, true)
	checkUntilQuiet(ft, r)
	if ft.st.Err != "" {
		t.Fatalf("status error: %s", ft.st.Err)
	}
	return c, ft
}

func TestStartLastBinarySearch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	const n = 300_000 // 50 minutes at 100 lines/s
	writeFile(t, path, joinLines(timedLines(0, n)))
	// msClock-20m is line 240000.
	c, _ := runFirst(t, path, lastOptions(20*time.Minute))
	got := c.lines(path)
	want := timedLines(240_000, n)
	if !slices.Equal(got, want) {
		t.Fatalf("got %d lines from %q, want %d from %q", len(got), first(got), len(want), want[0])
	}
}

func TestStartLastToleratesDisorder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	lines := timedLines(0, 20_000)
	// Around the cutoff (line 10000) lines are written up to 0.5 s late, as
	// several nginx workers with buffered logs do.
	for i := 9_900; i < 10_100; i += 7 {
		lines[i], lines[i+50] = lines[i+50], lines[i]
	}
	writeFile(t, path, joinLines(lines))
	c, _ := runFirst(t, path, lastOptions(time.Hour-100*time.Second))
	got := c.lines(path)
	if len(got) == 0 || !slices.Equal(got, lines[len(lines)-len(got):]) {
		t.Fatalf("delivered lines are not a suffix of the file")
	}
	cutoff := stampOf(10_000)
	for _, l := range lines {
		if ts, _ := msTimestamp([]byte(l)); !ts.Before(cutoff) && !slices.Contains(got, l) {
			t.Fatalf("lost %q", l)
		}
	}
}

func TestStartLastReadsPredecessor(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gz=%v", gz), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "access.log")
			prev := joinLines(timedLines(0, 3000)) + "9 unterminated last line of the old file has an early stamp"
			if gz {
				f, err := os.Create(path + ".1.gz")
				if err != nil {
					t.Fatal(err)
				}
				zw := gzip.NewWriter(f)
				zw.Write([]byte(prev))
				zw.Close()
				f.Close()
			} else {
				writeFile(t, path+".1", prev)
			}
			writeFile(t, path, joinLines(timedLines(3000, 4000)))
			// The window starts at line 1000, in the predecessor.
			c, _ := runFirst(t, path, lastOptions(time.Hour-10*time.Second))
			want := append(timedLines(1000, 3000), "9 unterminated last line of the old file has an early stamp")
			want = append(want, timedLines(3000, 4000)...)
			if got := c.lines(path); !slices.Equal(got, want) {
				t.Fatalf("got %d lines from %q, want %d from %q", len(got), first(got), len(want), want[0])
			}
		})
	}
}

func TestStartLastWithinCurrentSkipsPredecessor(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	writeFile(t, path+".1", joinLines(timedLines(0, 3000)))
	writeFile(t, path, joinLines(timedLines(3000, 4000)))
	c, _ := runFirst(t, path, lastOptions(time.Hour-35*time.Second))
	if got, want := c.lines(path), timedLines(3500, 4000); !slices.Equal(got, want) {
		t.Fatalf("got %d lines from %q, want %d from %q", len(got), first(got), len(want), want[0])
	}
}

func TestStartEndWaitsForPartialLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "old 1\nold 2\nhalf of a ")
	c := newCollector()
	r := testReader(Options{}, c)
	ft := newFileTail(path, false, true)
	checkUntilQuiet(ft, r)
	if got := c.lines(path); len(got) != 0 {
		t.Fatalf("start at end delivered %q", got)
	}
	appendFile(t, path, "line\nnew\n")
	checkUntilQuiet(ft, r)
	if got := c.lines(path); !slices.Equal(got, []string{"half of a line", "new"}) {
		t.Fatalf("got %q", got)
	}
}

func TestStartBeginning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, joinLines(seq(0, 100)))
	c, _ := runFirst(t, path, Options{Start: Start{Kind: StartBeginning}})
	if got := c.lines(path); !slices.Equal(got, seq(0, 100)) {
		t.Fatalf("got %d lines", len(got))
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return "(nothing)"
	}
	return s[0]
}

// A log whose times the reader cannot read anywhere (its format does not
// match) starts at its last lines: searching for the cutoff would read the
// whole file and deliver nothing, and the lines that do arrive let the
// consumer say what is wrong.
func TestStartLastUnreadableTimesStartsAtTheEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	var lines []string
	for i := 0; i < 5000; i++ {
		lines = append(lines, fmt.Sprintf(`{"seq":%07d,"uri":"/api/stage/result"}`, i))
	}
	writeFile(t, path, joinLines(lines))
	c, _ := runFirst(t, path, lastOptions(20*time.Minute))
	got := c.lines(path)
	if len(got) == 0 || len(got) > 100 || !slices.Equal(got, lines[len(lines)-len(got):]) {
		t.Fatalf("got %d lines from %q, want the file's last lines (at most a buffer's)", len(got), first(got))
	}
}

// A file is Loading until it has been read to its end once: a backfill
// bigger than one check's read limit is still loading between checks.
func TestLoadingUntilReadToTheEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, joinLines(timedLines(0, 300_000)))
	c := newCollector()
	r := testReader(lastOptions(50*time.Minute), c)
	ft := newFileTail(path, false, true)
	if !ft.status().Loading {
		t.Fatal("a file not read yet is not Loading")
	}
	if !ft.check(r, false) {
		t.Fatal("the backfill fit one check; make the file bigger")
	}
	if !ft.status().Loading {
		t.Fatalf("Loading ended after one check of %d lines", len(c.lines(path)))
	}
	checkUntilQuiet(ft, r)
	got := c.lines(path)
	if ft.status().Loading || len(got) == 0 || got[len(got)-1] != timedLine(299_999) {
		t.Fatalf("read to the end (%d lines): Loading %v", len(got), ft.status().Loading)
	}
}
