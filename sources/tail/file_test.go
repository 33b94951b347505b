package tail

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// These tests drive one fileTail check by check, so each rotation happens
// exactly between two checks, including the unlucky orders a live follower
// meets only now and then.

func newTail(t *testing.T, opts Options) (string, *fileTail, *reader, *collector) {
	path := filepath.Join(t.TempDir(), "access.log")
	c := newCollector()
	if opts.Start == (Start{}) {
		opts.Start = Start{Kind: StartBeginning}
	}
	return path, newFileTail(path, false, true), testReader(opts, c), c
}

func wantLines(t *testing.T, c *collector, path string, want ...string) {
	t.Helper()
	if got := c.lines(path); !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestPartialLineHeldUntilNewline(t *testing.T) {
	path, ft, r, c := newTail(t, Options{})
	writeFile(t, path, "one\ntw")
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, "one")
	appendFile(t, path, "o")
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, "one")
	appendFile(t, path, "\nthree\n")
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, "one", "two", "three")
}

func TestLongLinesCappedAndCounted(t *testing.T) {
	path, ft, r, c := newTail(t, Options{MaxLineBytes: 8, BufferBytes: 32})
	long := strings.Repeat("x", 100)
	writeFile(t, path, "short\n"+long+"\nafter\n"+long[:50])
	checkUntilQuiet(ft, r)
	// The unterminated long line is cut as soon as it is too long.
	wantLines(t, c, path, "short", "xxxxxxxx", "after", "xxxxxxxx")
	appendFile(t, path, long+"\nend\n")
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, "short", "xxxxxxxx", "after", "xxxxxxxx", "end")
	if s := ft.status(); s.LongLines != 2 || s.Lines != 5 {
		t.Fatalf("status %+v", s)
	}
}

func TestCopytruncateRegrownPastOffset(t *testing.T) {
	for _, copyKind := range []string{".1", ".1.gz", "none"} {
		t.Run(copyKind, func(t *testing.T) {
			path, ft, r, c := newTail(t, Options{})
			writeFile(t, path, joinLines(seq(0, 10)))
			checkUntilQuiet(ft, r)
			// Written after the last check, then copied and truncated;
			// the file regrows past the old offset before the next check.
			appendFile(t, path, joinLines(seq(10, 12))+"partial ")
			switch copyKind {
			case ".1":
				copyFile(t, path, path+".1")
			case ".1.gz":
				gzipFile(t, path, path+".1.gz")
			}
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			appendFile(t, path, joinLines(seq(12, 40)))
			checkUntilQuiet(ft, r)
			want := seq(0, 10)
			if copyKind != "none" {
				want = append(append(want, seq(10, 12)...), "partial ")
			}
			wantLines(t, c, path, append(want, seq(12, 40)...)...)
			s := ft.status()
			if s.Rotations != 1 {
				t.Fatalf("rotations = %d", s.Rotations)
			}
			if copyKind == "none" && !strings.Contains(s.Err, "truncated at offset") {
				t.Fatalf("err = %q", s.Err)
			}
		})
	}
}

func TestRenamedFileStillWrittenIsReadDuringGrace(t *testing.T) {
	path, ft, r, c := newTail(t, Options{})
	writeFile(t, path, joinLines(seq(0, 3)))
	checkUntilQuiet(ft, r)
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	// nginx keeps writing to the renamed file until it reopens on USR1.
	appendFile(t, path+".1", joinLines(seq(3, 5)))
	writeFile(t, path, joinLines(seq(5, 6)))
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, seq(0, 6)...)
	appendFile(t, path+".1", joinLines(seq(6, 7))+"unterminated")
	appendFile(t, path, joinLines(seq(7, 8)))
	for range r.graceTicks + 1 {
		ft.check(r, true)
	}
	wantLines(t, c, path, append(seq(0, 8), "unterminated")...)
	if len(ft.old) != 0 || ft.status().Rotations != 1 {
		t.Fatalf("old files %d, status %+v", len(ft.old), ft.status())
	}
}

func TestDeletedThenRecreated(t *testing.T) {
	path, ft, r, c := newTail(t, Options{})
	writeFile(t, path, joinLines(seq(0, 3)))
	checkUntilQuiet(ft, r)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	checkUntilQuiet(ft, r)
	if s := ft.status(); !strings.Contains(s.Err, "waiting for the file") {
		t.Fatalf("status %+v", s)
	}
	writeFile(t, path, joinLines(seq(3, 5)))
	checkUntilQuiet(ft, r)
	wantLines(t, c, path, seq(0, 5)...)
	if s := ft.status(); s.Err != "" || s.Rotations != 1 {
		t.Fatalf("status %+v", s)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}
