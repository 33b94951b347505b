package tail

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// digits is a stamp for test lines: a line of digits is its second, any
// other line has no time.
func digits(line []byte) (int64, bool) {
	var v int64
	for _, c := range line {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, len(line) > 0
}

// firstField stamps a line by the digits before its first space.
func firstField(line []byte) (int64, bool) {
	if i := bytes.IndexByte(line, ' '); i >= 0 {
		line = line[:i]
	}
	return digits(line)
}

// ingested is one call of an input's Ingest.
type ingested struct {
	file  string
	sec   int64 // the second ReadTo was called with
	batch string
}

func (in ingested) String() string { return fmt.Sprintf("%s@%d:%q", in.file, in.sec, in.batch) }

// mergeAll adds files (path → content, in order) to a Merge with o and
// replays them to the end, recording every Ingest.
func mergeAll(t *testing.T, o MergeOptions, stamp func([]byte) (int64, bool), files ...string) []ingested {
	t.Helper()
	m := NewMerge(o)
	defer m.Close()
	var got []ingested
	var cur int64
	for _, p := range files {
		name := filepath.Base(p)
		err := m.Add(MergeInput{Path: p, Stamp: stamp, Ingest: func(b []byte) {
			got = append(got, ingested{name, cur, string(b)})
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for {
		sec, ok := m.Next()
		if !ok {
			break
		}
		if sec <= cur {
			t.Fatalf("Next went from %d to %d", cur, sec)
		}
		cur = sec
		if err := m.ReadTo(sec); err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// saved writes content to path and returns path.
func saved(t *testing.T, path, content string) string {
	t.Helper()
	writeFile(t, path, content)
	return path
}

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return z.String()
}

// Files are merged by second: each second's lines go to their file's
// Ingest in one batch per file, files in the order added; a late line
// goes with the second being read, a stamp-less line with the line
// before it; empty lines are dropped and "\r\n" ends a line like "\n".
func TestMergeBySecond(t *testing.T) {
	dir := t.TempDir()
	a := saved(t, filepath.Join(dir, "a"), "1 a\n3 a\n  at x\n\n5 a\r\n4 late\n7 a")
	b := saved(t, filepath.Join(dir, "b"), "2 b\n3 b\n6 b\n")
	got := mergeAll(t, MergeOptions{}, firstField, a, b)
	want := []ingested{
		{"a", 1, "1 a\n"},
		{"b", 2, "2 b\n"},
		{"a", 3, "3 a\n  at x\n"},
		{"b", 3, "3 b\n"},
		{"a", 5, "5 a\n4 late\n"},
		{"b", 6, "6 b\n"},
		{"a", 7, "7 a\n"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// Rotated days replayed together: only the file the clock is in holds a
// reader. The others wait with their next lines and their descriptor —
// one renamed meanwhile (a rotation) is still read — and a file read to
// its end is closed and holds nothing. The lines come out as if every file were read at
// once.
func TestMergeReadsOnlyTheFilesReached(t *testing.T) {
	dir := t.TempDir()
	paths := []string{
		saved(t, filepath.Join(dir, "day3"), "  at stampless first\n6 c\n7 c\n"),
		saved(t, filepath.Join(dir, "day2.gz"), gzipped(t, "4 b\n  at x\n5 b\n")),
		saved(t, filepath.Join(dir, "day1"), "1 a\n2 a\n3 a\n"),
	}
	m := NewMerge(MergeOptions{})
	defer m.Close()
	var got []string
	for _, p := range paths {
		name := filepath.Base(p)
		if err := m.Add(MergeInput{Path: p, Stamp: firstField, Ingest: func(b []byte) { got = append(got, name+":"+string(b)) }}); err != nil {
			t.Fatal(err)
		}
	}
	reading := func() (open, readers int) {
		for _, f := range m.files {
			if f.file != nil {
				open++
			}
			if f.sc != nil {
				readers++
			}
		}
		return open, readers
	}
	if open, readers := reading(); open != 3 || readers != 0 {
		t.Fatalf("after Add: %d files open, %d readers; want 3 and none", open, readers)
	}
	if err := os.Rename(paths[1], paths[1]+".1"); err != nil {
		t.Fatal(err)
	}
	for {
		sec, ok := m.Next()
		if !ok {
			break
		}
		if err := m.ReadTo(sec); err != nil {
			t.Fatal(err)
		}
		if _, readers := reading(); readers > 1 {
			t.Errorf("at %d: %d readers; the days do not overlap", sec, readers)
		}
	}
	if open, _ := reading(); open != 0 {
		t.Errorf("%d files still open at the end", open)
	}
	for _, f := range m.files {
		if f.head != nil || f.held != nil || f.buf != nil || f.Stamp != nil || f.Ingest != nil {
			t.Errorf("%s read to its end still holds %d+%d+%d bytes or its callbacks (its last line, or what they keep of it, may pin the reader's buffer)", f.Path, cap(f.head), cap(f.held), cap(f.buf))
		}
	}
	want := []string{"day1:1 a\n", "day1:2 a\n", "day1:3 a\n", "day2.gz:4 b\n  at x\n", "day2.gz:5 b\n",
		"day3:  at stampless first\n6 c\n", "day3:7 c\n"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// A log that resumes after a long silence keeps its jump; a lone line far
// ahead of both its neighbours goes with the line before it.
func TestMergeJumpOrOutlier(t *testing.T) {
	for _, tc := range []struct {
		stamps string
		want   []int64
	}{
		{"100\n7300\n7301\n", []int64{100, 7300, 7301}},                   // two hours of silence
		{"100\n999999999\n101\n", []int64{100, 100, 101}},                 // a corrupt stamp
		{"100\n999999999\n", []int64{100, 999999999}},                     // the last line: nothing says otherwise
		{"100\n999999999\nx\n101\n", []int64{100, 100, 100, 101}},         // the stamp after a stamp-less line decides
		{"999999999\n100\n101\n", []int64{100, 100, 101}},                 // first in the file: with the line after it
		{"x\n100\n101\n", []int64{100, 100, 101}},                         // a stamp-less first line: with the first stamp
		{"100\n999999999\n999999999\n101\n", []int64{100, 100, 100, 101}}, // two corrupt stamps in a row
		{"100\n7300\nx\n7301\n", []int64{100, 7300, 7300, 7301}},          // a silence, then a stamp-less line
	} {
		path := saved(t, filepath.Join(t.TempDir(), "l.log"), tc.stamps)
		var got []int64
		for _, in := range mergeAll(t, MergeOptions{}, digits, path) {
			for range strings.Count(in.batch, "\n") {
				got = append(got, in.sec)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: lines read at %v, want %v", tc.stamps, got, tc.want)
		}
	}
	// Jump sets how far is a jump: here a silence of 2 s is one
	path := saved(t, filepath.Join(t.TempDir(), "l.log"), "100\n103\n101\n")
	got := mergeAll(t, MergeOptions{Jump: 1}, digits, path)
	if want := []ingested{{"l.log", 100, "100\n103\n"}, {"l.log", 101, "101\n"}}; !slices.Equal(got, want) {
		t.Errorf("with a jump of 1 s: %v, want %v", got, want)
	}
}

// A line longer than the read buffer is cut to HeadBytes and the line
// after it is read; a line that fits the buffer is handed on whole (its
// reader judges its length).
func TestMergeLongLines(t *testing.T) {
	huge := strings.Repeat("x", 3*lineBuffer+7)
	long := strings.Repeat("y", lineBuffer/2)
	for _, end := range []string{"\n", "\r\n", ""} { // the last line unterminated too
		content := "1\n" + huge + "\n2\n" + long + "\n3\n" + huge + end
		path := saved(t, filepath.Join(t.TempDir(), "l.log"), content)
		got := mergeAll(t, MergeOptions{HeadBytes: 10}, digits, path)
		want := []ingested{
			{"l.log", 1, "1\nxxxxxxxxxx\n"},
			{"l.log", 2, "2\n" + long + "\n"},
			{"l.log", 3, "3\nxxxxxxxxxx\n"},
		}
		if !slices.Equal(got, want) {
			t.Errorf("ending %q: got %d batches, want %d", end, len(got), len(want))
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Errorf("batch %d: %d bytes at %d, want %d bytes at %d", i, len(got[i].batch), got[i].sec, len(want[i].batch), want[i].sec)
				}
			}
		}
	}
	// by default, one byte more than a follower's longest line
	path := saved(t, filepath.Join(t.TempDir(), "l.log"), "1\n"+huge+"\n")
	got := mergeAll(t, MergeOptions{}, digits, path)
	if len(got) != 1 || len(got[0].batch) != len("1\n")+DefaultMaxLineBytes+1+1 {
		t.Errorf("default head: %d batches, first of %d bytes", len(got), len(got[0].batch))
	}
}

// A run of NULs (a copytruncate behind a writer without O_APPEND, the next
// line written right behind it) is one line of one NUL, which goes with
// the line before it; the line behind the run is its own.
func TestMergeNULRun(t *testing.T) {
	for _, n := range []int{1, 4096, 1 << 20} {
		content := "1\n" + string(make([]byte, n)) + "2\n3\n"
		path := saved(t, filepath.Join(t.TempDir(), "l.log"), content)
		got := mergeAll(t, MergeOptions{}, digits, path)
		want := []ingested{{"l.log", 1, "1\n\x00\n"}, {"l.log", 2, "2\n"}, {"l.log", 3, "3\n"}}
		if !slices.Equal(got, want) {
			t.Errorf("%d NULs: %v, want %v", n, got, want)
		}
	}
}

// Whether a file is gzipped is told by its first bytes, not its name: a
// rotated file gzipped without the .gz suffix is read through gzip, and a
// file named .gz that holds plain text is read as it is.
func TestMergeGzipByContent(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "access.log")
	writeFile(t, p+".2.gz", "1 oldest\n")                  // plain, named .gz
	writeFile(t, p+".1", gzipped(t, "2 older\n3 older\n")) // gzipped, no .gz
	writeFile(t, p, "4 new\n")
	paths, err := Expand([]string{p}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := mergeAll(t, MergeOptions{}, firstField, paths...)
	want := []ingested{
		{"access.log.2.gz", 1, "1 oldest\n"},
		{"access.log.1", 2, "2 older\n"},
		{"access.log.1", 3, "3 older\n"},
		{"access.log", 4, "4 new\n"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// Read errors name the file: a gzip header that is not one at Add, a
// gzip stream cut short while replaying.
func TestMergeErrors(t *testing.T) {
	dir := t.TempDir()
	bad := saved(t, filepath.Join(dir, "bad.log"), "\x1f\x8bnot gzip at all\n")
	m := NewMerge(MergeOptions{})
	defer m.Close()
	if err := m.Add(MergeInput{Path: bad, Stamp: digits, Ingest: func([]byte) {}}); err == nil || !strings.Contains(err.Error(), bad+": gzip") {
		t.Errorf("Add of a bad gzip header: %v", err)
	}
	var lines strings.Builder
	for i := 1; i <= 20000; i++ {
		fmt.Fprintf(&lines, "%d\n", i)
	}
	z := gzipped(t, lines.String())
	cut := saved(t, filepath.Join(dir, "cut.log"), z[:len(z)/2])
	if err := m.Add(MergeInput{Path: cut, Stamp: digits, Ingest: func([]byte) {}}); err != nil {
		t.Fatal(err)
	}
	for {
		sec, ok := m.Next()
		if !ok {
			break
		}
		if err := m.ReadTo(sec); err != nil {
			t.Fatalf("a file that breaks off stops the others: %v", err)
		}
	}
	if p := m.Problems(); len(p) != 1 || p[0] != cut+": unexpected EOF: the rest of it is left out" {
		t.Errorf("replaying a cut gzip stream: %q", p)
	}
	if err := m.Add(MergeInput{Path: filepath.Join(dir, "missing.log")}); err == nil || !strings.Contains(err.Error(), "missing.log: no such file") {
		t.Errorf("Add of a missing file: %v", err)
	}
}

// Expand: a command is refused; a plain path comes after its rotated
// predecessors, oldest first; a glob is its matches; nothing matching is
// an error.
func TestExpand(t *testing.T) {
	if _, err := Expand(nil, []string{"ssh", "web1"}); err == nil || !strings.Contains(err.Error(), "a command source cannot be replayed") {
		t.Fatalf("a command source replayed: %v", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "access.log")
	for _, name := range []string{"access.log", "access.log.1", "access.log.2.gz", "access.log.10"} {
		writeFile(t, filepath.Join(dir, name), "")
	}
	got, err := Expand([]string{p}, nil)
	if want := []string{p + ".2.gz", p + ".1", p}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("rotated first, oldest first: %q %v; want %q", got, err, want)
	}
	got, err = Expand([]string{filepath.Join(dir, "access.log.?"), p}, nil)
	if want := []string{p + ".1", p + ".2.gz", p + ".1", p}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("a glob, then a path: %q %v; want %q", got, err, want)
	}
	if _, err := Expand([]string{filepath.Join(dir, "*.none")}, nil); err == nil || err.Error() != "no files match" {
		t.Fatalf("nothing matching: %v", err)
	}
	if _, err := Expand([]string{filepath.Join(dir, "[")}, nil); err == nil || !strings.Contains(err.Error(), "[: syntax error") {
		t.Fatalf("a bad glob: %v", err)
	}
}

// A config in a directory with glob characters in its name has its paths
// escaped; Expand reads such a path as one file, predecessors first.
func TestExpandEscapedDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), `logs[prod]`)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"access.log", "access.log.1"} {
		writeFile(t, filepath.Join(dir, n), "x\n")
	}
	escaped := strings.NewReplacer("[", `\[`, "]", `]`).Replace(dir) + "/access.log"
	got, err := Expand([]string{escaped}, nil)
	want := []string{filepath.Join(dir, "access.log.1"), filepath.Join(dir, "access.log")}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Expand(%q) = %q, %v; want %q", escaped, got, err, want)
	}
}

// A gzipped rotation cut short (copied while logrotate compressed it)
// ends where it breaks: its lines up to there are handed on, the files
// after it are read whole, and Problems names it.
func TestMergeGoesOnPastAFileCutShort(t *testing.T) {
	dir := t.TempDir()
	var old strings.Builder
	for s := 100; s < 3100; s++ {
		fmt.Fprintf(&old, "%d %s\n", s, strings.Repeat("x", 200))
	}
	z := gzipped(t, old.String())
	cut := saved(t, filepath.Join(dir, "access.log.2.gz"), z[:len(z)/2])
	cur := saved(t, filepath.Join(dir, "access.log"), "5000 a\n5001 b\n")
	m := NewMerge(MergeOptions{})
	defer m.Close()
	counted := map[string]int{}
	for _, p := range []string{cut, cur} {
		name := filepath.Base(p)
		must(t, m.Add(MergeInput{Path: p, Stamp: firstField, Ingest: func(b []byte) { counted[name] += bytes.Count(b, []byte("\n")) }}))
	}
	for {
		sec, ok := m.Next()
		if !ok {
			break
		}
		if err := m.ReadTo(sec); err != nil {
			t.Fatalf("ReadTo(%d): %v", sec, err)
		}
	}
	if counted["access.log"] != 2 || counted["access.log.2.gz"] == 0 || counted["access.log.2.gz"] >= 3000 {
		t.Errorf("lines handed on %v: want some of the cut file's, and both of the current one's", counted)
	}
	if p := m.Problems(); len(p) != 1 || !strings.Contains(p[0], "access.log.2.gz: unexpected EOF: the rest of it is left out") {
		t.Errorf("problems %q", p)
	}
}
