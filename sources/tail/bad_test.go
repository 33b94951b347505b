package tail

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBadInputsLeaveOthersWorking follows a directory, a FIFO, a file with
// NUL bytes and a good file in one source: each bad one gets its own error,
// the one with NULs is followed (NULs refuse no file: nul.go) and the good
// one keeps delivering.
func TestBadInputsLeaveOthersWorking(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "adir.log")
	fifo := filepath.Join(dir, "fifo.log")
	nul := filepath.Join(dir, "nul.log")
	good := filepath.Join(dir, "good.log")
	must(t, os.Mkdir(sub, 0o755))
	must(t, syscall.Mkfifo(fifo, 0o644))
	writeFile(t, nul, "\x00\x00\x00")
	writeFile(t, good, "")
	f, c := start(t, Options{Paths: []string{sub, fifo, nul, good}, Poll: 20 * time.Millisecond})
	statusOf(t, f, good, func(FileStatus) bool { return true }) // opened, at its end
	appendFile(t, good, "one\ntwo\n")
	if got := c.waitLine(t, good, "two"); !slices.Equal(got, []string{"one"}) {
		t.Fatalf("good: %q", got)
	}
	for path, want := range map[string]string{
		sub:  "a directory, not a regular file",
		fifo: "a named pipe, not a regular file",
	} {
		st := statusOf(t, f, path, func(s FileStatus) bool { return s.Err != "" })
		if !strings.HasPrefix(st.Err, "tail: "+path+": ") || !strings.Contains(st.Err, want) {
			t.Errorf("%s: err %q, want it to contain %q", path, st.Err, want)
		}
	}
	appendFile(t, good, "three\n")
	appendFile(t, nul, "after\n")
	c.waitLine(t, good, "three")
	c.waitLine(t, nul, "after")
	if st := statusOf(t, f, nul, func(s FileStatus) bool { return s.NULRuns == 1 }); st.Err != "" || st.NULBytes != 3 {
		t.Errorf("%s: status %+v, want no error and 1 run of 3 NULs", nul, st)
	}
	if n := len(c.all()); n != 4 {
		t.Fatalf("%d lines in all: %q", n, c.all())
	}
}

const asNobodyEnv = "WARROOM_TAIL_TEST_AS_NOBODY"

// TestUnreadableFile needs a user that permissions apply to: as root it runs
// itself again as nobody.
func TestUnreadableFile(t *testing.T) {
	if os.Getuid() == 0 {
		runAsNobody(t, "TestUnreadableFile")
		return
	}
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.log")
	good := filepath.Join(dir, "good.log")
	writeFile(t, secret, "hidden\n")
	must(t, os.Chmod(secret, 0))
	writeFile(t, good, "")
	f, c := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}, Poll: 20 * time.Millisecond})
	statusOf(t, f, good, func(FileStatus) bool { return true })
	st := statusOf(t, f, secret, func(s FileStatus) bool { return s.Err != "" })
	if st.Err != "tail: "+secret+": open: permission denied" {
		t.Fatalf("err %q", st.Err)
	}
	appendFile(t, good, "visible\n")
	c.waitLine(t, good, "visible")
	// Made readable, it is followed from its start like any new file.
	must(t, os.Chmod(secret, 0o644))
	c.waitLine(t, secret, "hidden")
}

// runAsNobody runs one test of this binary as user nobody, from a copy of
// the binary it can execute.
func runAsNobody(t *testing.T, test string) {
	dir, err := os.MkdirTemp("", "tailtest")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	exe, err := os.Executable()
	must(t, err)
	bin := filepath.Join(dir, "tail.test")
	copyFile(t, exe, bin)
	must(t, os.Chmod(bin, 0o755))
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), asNobodyEnv+"=1", "TMPDIR=/tmp")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("as nobody, no PASS:\n%s", out)
	}
}
