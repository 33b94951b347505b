// Package tailtest drives real rotations for the tests of log followers:
// the real logrotate on a temp config and state file, and a writer that
// keeps its own offset, like `node app.js > app.log`.
package tailtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Logrotate finds the real logrotate and returns a function that rotates
// path once (-f) with directives (e.g. "copytruncate\nrotate 3") in a
// config and state file of the test's own, never the system's. When
// logrotate is not installed the test is skipped, or fails when
// WARROOM_REQUIRE_INTEGRATION=1 (as .ci/run sets it).
func Logrotate(t testing.TB, path, directives string) (rotate func()) {
	t.Helper()
	bin := ""
	for _, p := range []string{"/usr/sbin/logrotate", "logrotate"} {
		if found, err := exec.LookPath(p); err == nil {
			bin = found
			break
		}
	}
	if bin == "" {
		if os.Getenv("WARROOM_REQUIRE_INTEGRATION") == "1" {
			t.Fatal("logrotate not installed (apt-get install logrotate); WARROOM_REQUIRE_INTEGRATION=1 requires it")
		}
		t.Skip("logrotate not installed (apt-get install logrotate); set WARROOM_REQUIRE_INTEGRATION=1 to make this a failure")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "logrotate.conf")
	state := filepath.Join(dir, "logrotate.state")
	// logrotate ignores a config that others may write
	if err := os.WriteFile(conf, []byte(strconv.Quote(path)+" {\n"+directives+"\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		out, err := exec.Command(bin, "-f", "-s", state, conf).CombinedOutput()
		if err != nil {
			t.Fatalf("logrotate: %v\n%s", err, out)
		}
	}
}

// Writer is a shell whose stdout is a log opened with > (O_WRONLY|O_CREAT|
// O_TRUNC, no O_APPEND): it keeps its own offset, so after a copytruncate
// it goes on writing past the file's new end and leaves a hole of NULs.
// It writes one line per write(2), each printf'd from a format with one %d
// for the line's sequence number, when told how many.
type Writer struct {
	t       testing.TB
	cmd     *exec.Cmd
	in      io.WriteCloser
	acks    *bufio.Scanner
	written int
}

// writerScript writes the lines it is asked for, then says on stderr how
// many it has written in all.
const writerScript = `fmt=$1; i=0
while read n; do
	end=$((i + n))
	while [ $i -lt $end ]; do printf "$fmt\n" $i; i=$((i + 1)); done
	echo $i >&2
done`

// StartWriter starts a writer of path, which it creates or truncates; it
// ends with the test.
func StartWriter(t testing.TB, path, format string) *Writer {
	t.Helper()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close() // the shell has its own copy
	cmd := exec.Command("sh", "-c", writerScript, "sh", format)
	cmd.Stdout = out
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	acks, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("writer: %v", err)
	}
	w := &Writer{t: t, cmd: cmd, in: in, acks: bufio.NewScanner(acks)}
	t.Cleanup(func() {
		in.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer: %v", err)
		}
	})
	return w
}

// Write has n more lines written and returns once they are in the file.
func (w *Writer) Write(n int) {
	w.t.Helper()
	if _, err := fmt.Fprintln(w.in, n); err != nil {
		w.t.Fatalf("writer: %v", err)
	}
	if !w.acks.Scan() {
		w.t.Fatalf("writer ended: %v", w.acks.Err())
	}
	got, err := strconv.Atoi(strings.TrimSpace(w.acks.Text()))
	if err != nil || got != w.written+n {
		w.t.Fatalf("writer says %q, want %d lines written", w.acks.Text(), w.written+n)
	}
	w.written = got
}

// Written is how many lines were written, numbered 0 to Written()-1.
func (w *Writer) Written() int { return w.written }

// CopytruncateRounds rotates path rounds times behind w with rotate (a
// copytruncate), while a follower reads: each round w writes lines, the
// file is rotated (some of those lines may be left for the follower to
// find in the copy), and w writes lines again, which land behind a hole of
// NULs as long as everything before them. After each round it waits until
// caughtUp(w.Written()) holds, and before the first until the follower has
// read lines from the file as it was before any rotation. It returns the
// NUL bytes of the holes.
func CopytruncateRounds(t testing.TB, w *Writer, path string, rotate func(), rounds, lines int, caughtUp func(written int) bool) (holes int64) {
	t.Helper()
	w.Write(lines)
	WaitFor(t, fmt.Sprintf("the first %d lines", lines), func() bool { return caughtUp(w.Written()) })
	for round := range rounds {
		w.Write(lines)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		holes += fi.Size() // where the writer is, so where the next line goes
		rotate()
		w.Write(lines)
		WaitFor(t, fmt.Sprintf("round %d: %d lines", round, w.Written()), func() bool { return caughtUp(w.Written()) })
	}
	return holes
}

// WaitFor polls cond with a generous deadline; it is not a timing
// assertion.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(5 * time.Millisecond):
		}
	}
}
