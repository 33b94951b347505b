package tail

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func nuls(n int) string { return strings.Repeat("\x00", n) }

// wantRuns checks the NUL runs ft counted.
func wantRuns(t *testing.T, ft *fileTail, runs, bytes, at int64) {
	t.Helper()
	if s := ft.status(); s.NULRuns != runs || s.NULBytes != bytes || s.NULAt != at || s.Err != "" {
		t.Fatalf("status %+v; want %d runs of %d bytes in all, the latest at %d, no error", s, runs, bytes, at)
	}
}

// TestNULRuns reads files with NUL runs through buffers small enough that
// runs start and end at every position relative to a read, checking the
// lines delivered and the runs counted.
func TestNULRuns(t *testing.T) {
	cases := []struct {
		name             string
		in               string
		want             []string
		runs, nuls, last int64 // last: where the latest run starts in in
	}{
		{"at the start", nuls(100) + "a\nb\n", []string{"a", "b"}, 1, 100, 0},
		{"in the middle", "a\n" + nuls(100) + "b\n", []string{"a", "b"}, 1, 100, 2},
		{"several", nuls(3) + "a\n" + nuls(70) + "b\n" + nuls(1) + "c\n", []string{"a", "b", "c"}, 3, 74, 77},
		{"one NUL in a line is the line's", "a\x00b\nc\x00\n", []string{"a\x00b", "c\x00"}, 0, 0, 0},
		{"a line of NULs leaves an empty line", "a\n" + nuls(5) + "\nb\n", []string{"a", "", "b"}, 1, 5, 2},
		{"NULs after the head of an over-long line are the line's", strings.Repeat("x", 20) + nuls(40) + "y\nz\n", []string{"xxxxxxxx", "z"}, 0, 0, 0},
	}
	for _, c := range cases {
		// a prefix of pad bytes moves the input across the read
		// buffer's boundaries
		for pad := range 34 {
			t.Run(fmt.Sprintf("%s/pad=%d", c.name, pad), func(t *testing.T) {
				path, ft, r, col := newTail(t, Options{MaxLineBytes: 8, BufferBytes: 32})
				prefix := strings.Repeat("\n", pad%2) + strings.Repeat("p\n", pad/2)
				var want []string
				if pad > 0 {
					want = strings.Split(strings.TrimSuffix(prefix, "\n"), "\n")
				}
				writeFile(t, path, prefix+c.in)
				checkUntilQuiet(ft, r)
				wantLines(t, col, path, append(want, c.want...)...)
				at := int64(0)
				if c.runs > 0 {
					at = int64(pad) + c.last
				}
				wantRuns(t, ft, c.runs, c.nuls, at)
			})
		}
	}
}

// A run at the end of a file is not passed while the file is followed: a
// writer may fill it (a preallocated tail), and what it writes is read.
// Once a byte that is not NUL follows, the rest is a run like any other.
func TestNULRunAtTheEndIsHeld(t *testing.T) {
	path, ft, r, c := newTail(t, Options{MaxLineBytes: 8, BufferBytes: 32})
	writeFile(t, path, "a\n"+nuls(100))
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, "a")
	wantRuns(t, ft, 0, 0, 0)
	if s := ft.status(); s.Offset != 2 || s.Loading {
		t.Fatalf("status %+v: want to wait at offset 2, not loading", s)
	}
	// filled from its start, as a preallocating writer does
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	must(t, err)
	defer f.Close()
	_, err = f.WriteAt([]byte("b\nc\n"), 2)
	must(t, err)
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, "a", "b", "c")
	wantRuns(t, ft, 0, 0, 0)
	// the file's size unchanged, only the head of the run is looked at
	// again; a line written there arrives
	_, err = f.WriteAt([]byte("d\n"), 6)
	must(t, err)
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, "a", "b", "c", "d")
	// a writer appending after the run ends it
	appendFile(t, path, "e\n")
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, "a", "b", "c", "d", "e")
	wantRuns(t, ft, 1, 100-6, 8)
}

func TestWholeFileOfNULs(t *testing.T) {
	for _, start := range []Start{{Kind: StartBeginning}, {Kind: StartEnd}} {
		t.Run(start.String(), func(t *testing.T) {
			path, ft, r, c := newTail(t, Options{Start: start})
			writeFile(t, path, nuls(1000))
			checkUntilQuiet(ft, r)
			wantLines(t, c, path)
			wantRuns(t, ft, 0, 0, 0)
			if s := ft.status(); s.Loading || s.Err != "" {
				t.Fatalf("status %+v", s)
			}
			appendFile(t, path, "first\n")
			checkUntilQuiet(ft, r)
			wantLines(t, c, path, "first")
			wantRuns(t, ft, 1, 1000, 0)
		})
	}
}

// A rotated-away file is read to its very end: a run there is passed and
// counted.
func TestNULRunAtTheEndOfARotatedFile(t *testing.T) {
	path, ft, r, c := newTail(t, Options{})
	writeFile(t, path, "a\n"+nuls(10))
	checkUntilQuiet(ft, r)
	must(t, os.Rename(path, path+".1"))
	writeFile(t, path, "b\n")
	for range r.graceTicks + 1 {
		ft.check(r, true)
	}
	wantLines(t, c, path, "a", "b")
	wantRuns(t, ft, 1, 10, 2)
}

// TestSparseHoleIsSkipped: a hole of 64 MB, as a copytruncate leaves behind
// a writer without O_APPEND, is passed and the line after it arrives whole.
func TestSparseHoleIsSkipped(t *testing.T) {
	const hole = 64 << 20
	path, ft, r, c := newTail(t, Options{})
	f, err := os.Create(path)
	must(t, err)
	defer f.Close()
	_, err = f.WriteAt([]byte("after the hole\n"), hole)
	must(t, err)
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, "after the hole")
	wantRuns(t, ft, 1, hole, 0)
	if s := ft.status().Skipped(); s != "skipped 1 NUL run (67.1 MB) at offset 0" {
		t.Fatalf("Skipped() = %q", s)
	}
	if d := nextData(f, 0); d != 0 && d != hole-hole%4096 {
		t.Fatalf("nextData in a hole = %d: neither the hole's end nor 'cannot tell'", d)
	}
}

func TestSkippedSays(t *testing.T) {
	for _, c := range []struct {
		st   FileStatus
		want string
	}{
		{FileStatus{}, ""},
		{FileStatus{NULRuns: 1, NULBytes: 512, NULAt: 0}, "skipped 1 NUL run (512 B) at offset 0"},
		{FileStatus{NULRuns: 1, NULBytes: 10_240_000, NULAt: 4096}, "skipped 1 NUL run (10.2 MB) at offset 4096"},
		{FileStatus{NULRuns: 3, NULBytes: 2_500_000_000, NULAt: 77}, "skipped 3 NUL runs (2.5 GB), the latest at offset 77"},
		{FileStatus{NULRuns: 2, NULBytes: 999_999, NULAt: 1}, "skipped 2 NUL runs (1 MB), the latest at offset 1"},
	} {
		if got := c.st.Skipped(); got != c.want {
			t.Errorf("%+v: Skipped() = %q, want %q", c.st, got, c.want)
		}
	}
}

// offsetWriter writes numbered lines at its own offset, as a process whose
// stdout was redirected with > does: no O_APPEND.
type offsetWriter struct {
	t    *testing.T
	f    *os.File
	next int
}

func newOffsetWriter(t *testing.T, path string) *offsetWriter {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	must(t, err)
	t.Cleanup(func() { f.Close() })
	return &offsetWriter{t: t, f: f}
}

func (w *offsetWriter) write(n int) {
	for range n {
		_, err := w.f.WriteString(lineText(w.next) + "\n")
		must(w.t, err)
		w.next++
	}
}

// TestCopytruncateBehindOffsetWriter: each copytruncate leaves the file
// starting with a hole, so its head is NULs every time; the fingerprint
// must still tell the new file from the old, so the lines written between
// the last check and the truncation are read from the copy, and none
// twice.
func TestCopytruncateBehindOffsetWriter(t *testing.T) {
	for _, copyKind := range []string{".1", ".1.gz"} {
		t.Run(copyKind, func(t *testing.T) {
			path, ft, r, c := newTail(t, Options{})
			w := newOffsetWriter(t, path)
			for round := range 3 {
				w.write(10)
				checkUntilQuiet(ft, r)
				w.write(3) // after the last check: only the copy has them
				os.Remove(path + ".1")
				os.Remove(path + ".1.gz")
				if copyKind == ".1" {
					copyFile(t, path, path+".1")
				} else {
					gzipFile(t, path, path+".1.gz")
				}
				must(t, os.Truncate(path, 0))
				w.write(5)
				checkUntilQuiet(ft, r)
				wantLines(t, c, path, seq(0, w.next)...)
				if s := ft.status(); s.Rotations != int64(round+1) || s.NULRuns != int64(round+1) || s.Err != "" {
					t.Fatalf("round %d: status %+v", round, s)
				}
			}
		})
	}
}

// TestStartInAHole: the start positions find their lines in a file that
// starts with a hole (copytruncated behind a writer without O_APPEND) or
// has one in the middle.
func TestStartInAHole(t *testing.T) {
	const n = 4000 // 40 s of lines, 10 ms apart
	lines := timedLines(0, n)
	for _, c := range []struct {
		name    string
		content string
		opts    Options
		want    []string
	}{
		{"end after a hole", nuls(50_000) + joinLines(lines[:10]) + "partial", Options{}, []string{"partial line"}},
		{"end in a hole", joinLines(lines[:10]) + nuls(50_000) + "partial", Options{MaxLineBytes: 512, BufferBytes: 2048}, []string{"partial line"}},
		{"end before a tail of NULs", joinLines(lines[:10]) + nuls(50_000), Options{MaxLineBytes: 512, BufferBytes: 2048}, []string{" line"}},
		// lastOptions(time.Hour - d) starts at line d/10ms
		{"from line 2000 after a hole", nuls(300_000) + joinLines(lines), lastOptions(time.Hour - 20*time.Second), lines[2000:]},
		{"from before the first line after a hole", nuls(300_000) + joinLines(lines), lastOptions(time.Hour + 10*time.Second), lines},
		{"from line 2000 with a hole before", joinLines(lines[:1000]) + nuls(300_000) + joinLines(lines[1000:]), lastOptions(time.Hour - 20*time.Second), lines[2000:]},
		{"from line 500 across a hole", joinLines(lines[:1000]) + nuls(300_000) + joinLines(lines[1000:]), lastOptions(time.Hour - 5*time.Second), lines[500:]},
		{"from line 1000 just after a hole", joinLines(lines[:1000]) + nuls(300_000) + joinLines(lines[1000:]), lastOptions(time.Hour - 10*time.Second), lines[1000:]},
		{"from line 2000 with a hole after", joinLines(lines[:3000]) + nuls(300_000) + joinLines(lines[3000:]), lastOptions(time.Hour - 20*time.Second), lines[2000:]},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			writeFile(t, path, c.content)
			col, ft := runFirst(t, path, c.opts)
			appendFile(t, path, " line\n")
			checkUntilQuiet(ft, testReader(c.opts, col))
			got := col.lines(path)
			if c.opts.Start.Kind != StartLast {
				if !slices.Equal(got, c.want) {
					t.Fatalf("got %q, want %q", got, c.want)
				}
				return
			}
			// the window's lines, then the line appended after the test
			// ended the file's partial end
			if len(got) == 0 || !slices.Equal(got[:len(got)-1], c.want) {
				t.Fatalf("got %d lines from %q, want %d from %q", len(got), first(got), len(c.want), c.want[0])
			}
		})
	}
}

// A command's output (ssh tail -F of a copytruncated file) has its runs
// skipped too. The run at the end is passed as it arrives (a pipe cannot
// be read again) and counted once what follows it, or the end, comes.
func TestNULRunsInCommandOutput(t *testing.T) {
	opts := commandOptions("sh", "-c", `printf 'a\n\000\000\000b\nc\000d\n\000\000'; sleep 600 & wait`)
	f, c := start(t, opts)
	name := commandLine(opts.Command)
	if got := c.waitLine(t, name, "c\x00d"); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("got %q", got)
	}
	st := statusOf(t, f, name, func(s FileStatus) bool { return s.NULRuns == 1 })
	if st.NULBytes != 3 || st.NULAt != 2 {
		t.Fatalf("status %+v: want one run of 3 NULs at 2", st)
	}
}

func TestLeadingNULs(t *testing.T) {
	for n := range 80 {
		b := make([]byte, n)
		if got := leadingNULs(b); got != n {
			t.Fatalf("%d NULs: %d", n, got)
		}
		for i := range n {
			b[i] = 'x'
			if got := leadingNULs(b); got != i {
				t.Fatalf("%d bytes, the first non-NUL at %d: %d", n, i, got)
			}
			b[i] = 0
		}
	}
}
