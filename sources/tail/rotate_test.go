package tail

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// logWriter appends numbered lines, one write per line as an unbuffered
// nginx does, and rotates its file when asked.
type logWriter struct {
	t    *testing.T
	path string // where lines go: the followed path, or a symlink's target
	mu   sync.Mutex
	f    *os.File
	next int
}

func newLogWriter(t *testing.T, path string) *logWriter {
	w := &logWriter{t: t, path: path}
	w.reopen()
	t.Cleanup(func() { w.f.Close() })
	return w
}

func (w *logWriter) reopen() {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		w.t.Fatal(err)
	}
	if w.f != nil {
		w.f.Close()
	}
	w.f = f
}

// write appends n lines.
func (w *logWriter) write(n int) {
	for range n {
		w.mu.Lock()
		w.writeLocked(1)
		w.mu.Unlock()
	}
}

// writeLocked appends n lines while w.mu is held.
func (w *logWriter) writeLocked(n int) {
	for range n {
		if _, err := w.f.WriteString(lineText(w.next) + "\n"); err != nil {
			w.t.Error(err)
			return
		}
		w.next++
	}
}

// count is how many lines were written.
func (w *logWriter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.next
}

// rotation rotates path while w.mu is held, so the writer pauses between
// two lines.
type rotation struct {
	name   string
	rotate func(t *testing.T, w *logWriter, path string, n int)
}

var rotations = []rotation{
	{"rename+create", func(t *testing.T, w *logWriter, path string, n int) {
		must(t, os.Rename(path, path+".1"))
		w.writeLocked(20) // still into the renamed file, as before USR1
		w.reopen()
	}},
	{"copytruncate", func(t *testing.T, w *logWriter, path string, n int) {
		// Like logrotate, which loses what is written between its copy
		// and its truncate: the writer waits meanwhile.
		copyFile(t, path, path+".1")
		must(t, os.Truncate(path, 0))
	}},
	{"delete+recreate", func(t *testing.T, w *logWriter, path string, n int) {
		must(t, os.Remove(path))
		w.writeLocked(20) // into the deleted file, still open
		w.reopen()
	}},
	{"symlink", func(t *testing.T, w *logWriter, path string, n int) {
		w.path = filepath.Join(filepath.Dir(path), "target"+string(rune('a'+n)))
		w.reopen()
		tmp := path + ".tmp"
		must(t, os.Symlink(w.path, tmp))
		must(t, os.Rename(tmp, path))
	}},
}

// TestRotationLosesNothing rotates while a writer appends and checks that
// every line arrives exactly once and in order.
func TestRotationLosesNothing(t *testing.T) {
	for _, rot := range rotations {
		for _, notify := range []bool{true, false} {
			name := rot.name + "/poll"
			if notify {
				name = rot.name + "/notify"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "access.log")
				wpath := path
				if rot.name == "symlink" {
					wpath = filepath.Join(dir, "target0")
					must(t, os.Symlink(wpath, path))
				}
				w := newLogWriter(t, wpath)
				w.write(100)
				f, c := start(t, Options{
					Paths: []string{path}, Start: Start{Kind: StartBeginning},
					Poll: 20 * time.Millisecond, RotateGrace: 200 * time.Millisecond, NoNotify: !notify,
				})
				const perRound, rounds = 3000, 4
				for n := 1; n <= rounds; n++ {
					mark := lineText(w.count() + perRound/3)
					done := make(chan struct{})
					go func() { defer close(done); w.write(perRound) }()
					// Rotate while the writer is busy, once the follower has
					// certainly opened the current file.
					waitFor(t, mark, func() bool { return slices.Contains(c.lines(path), mark) })
					w.mu.Lock()
					rot.rotate(t, w, path, n)
					w.mu.Unlock()
					<-done
				}
				w.write(100)
				_, err := w.f.WriteString("END\n")
				must(t, err)
				got := c.waitLine(t, path, "END")
				if want := seq(0, w.next); !slices.Equal(got, want) {
					t.Fatalf("got %d lines, want %d; first difference: %s", len(got), len(want), firstDiff(got, want))
				}
				st := statusOf(t, f, path, func(s FileStatus) bool { return s.Lines == int64(w.next+1) })
				if st.Rotations != rounds || st.Err != "" {
					t.Fatalf("status %+v, want %d rotations and no error", st, rounds)
				}
			})
		}
	}
}

func TestAbsentAtStartIsWaitedFor(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "later", "access.log")
	f, c := start(t, Options{Paths: []string{path}, Poll: 20 * time.Millisecond})
	statusOf(t, f, path, func(s FileStatus) bool { return strings.Contains(s.Err, "waiting for the file") })
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	appendFile(t, path, joinLines(seq(0, 50))+"END\n")
	if got := c.waitLine(t, path, "END"); !slices.Equal(got, seq(0, 50)) {
		t.Fatalf("got %q", got)
	}
	statusOf(t, f, path, func(s FileStatus) bool { return s.Err == "" && s.Lines == 51 && s.Offset > 0 })
}

func TestGlobPicksUpNewFiles(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.access.log")
	b := filepath.Join(dir, "b.access.log")
	writeFile(t, a, "before start\n")
	writeFile(t, filepath.Join(dir, "error.log"), "not matched\n")
	f, c := start(t, Options{Paths: []string{filepath.Join(dir, "*access.log"), filepath.Join(dir, "none-*.log")}, Poll: 20 * time.Millisecond})
	statusOf(t, f, a, func(FileStatus) bool { return true })
	appendFile(t, a, "a1\n")
	writeFile(t, b, "b1\nb2\n")
	appendFile(t, a, "a2\n")
	c.waitLine(t, b, "b2")
	c.waitLine(t, a, "a2")
	if got := c.lines(a); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Fatalf("a: %q", got)
	}
	if got := c.lines(b); !slices.Equal(got, []string{"b1", "b2"}) {
		t.Fatalf("b: %q", got)
	}
	none := filepath.Join(dir, "none-*.log")
	statusOf(t, f, none, func(s FileStatus) bool { return strings.Contains(s.Err, "no file matches") })
	if len(c.all()) != 4 {
		t.Fatalf("unexpected lines: %q", c.all())
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return "at " + lineText(i) + ": got " + got[i] + ", want " + want[i]
		}
	}
	return "one is a prefix of the other"
}

// TestQuietPollStillSeesRotation: with the watcher trusted the poll slows
// to quietPoll, yet a rotation (and the lines after it) still arrive well
// within the default Poll, from the watcher's events. Where the watcher is
// not trusted (a network or FUSE temp dir) polling stays at Poll, and the
// rotation must arrive within two polls.
func TestQuietPollStillSeesRotation(t *testing.T) {
	dir := t.TempDir()
	within := DefaultPoll
	if !notifySeesAll(dir) {
		within = 2 * DefaultPoll
	}
	path := filepath.Join(dir, "access.log")
	w := newLogWriter(t, path)
	w.write(10)
	_, c := start(t, Options{Paths: []string{path}, Start: Start{Kind: StartBeginning}})
	c.waitLine(t, path, lineText(9))
	time.Sleep(2 * DefaultPoll) // past the first poll: quiet by now
	for n := 1; n <= 3; n++ {
		w.mu.Lock()
		rotations[0].rotate(t, w, path, n) // rename+create
		w.mu.Unlock()
		last := lineText(w.count())
		at := time.Now()
		w.write(1)
		waitFor(t, last, func() bool { return slices.Contains(c.lines(path), last) })
		if d := time.Since(at); d > within {
			t.Fatalf("rotation %d: the first line after it arrived after %s, want within %s", n, d, within)
		}
	}
}
