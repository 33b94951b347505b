package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoHelpSaysDirStartsClean: --help tells what --dir does to a
// directory that already holds logs.
func TestDemoHelpSaysDirStartsClean(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "--help"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	help := strings.Join(strings.Fields(errb.String()+out.String()), " ")
	for _, want := range []string{"a previous demo's access.log and app.log there are replaced", "other files left alone"} {
		if !strings.Contains(help, want) {
			t.Errorf("demo --help lacks %q:\n%s", want, errb.String())
		}
	}
}

// TestDemoLeavesForeignLogAlone: `warroom demo --dir` on a directory with
// an access.log the demo did not write stops before the screen starts,
// says why, and leaves the file as it was.
func TestDemoLeavesForeignLogAlone(t *testing.T) {
	dir := t.TempDir()
	acc := filepath.Join(dir, "access.log")
	line := `203.0.113.9 - - [01/Dec/2026:07:00:00 +0800] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0" 0.001 0.001` + "\n"
	if err := os.WriteFile(acc, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "--dir", dir}, &out, &errb); code != exitProblem {
		t.Errorf("exit %d, want %d; stderr %q", code, exitProblem, errb.String())
	}
	if !strings.Contains(errb.String(), "not written by the demo") {
		t.Errorf("stderr %q does not say why", errb.String())
	}
	if b, _ := os.ReadFile(acc); string(b) != line {
		t.Errorf("access.log changed to %d bytes", len(b))
	}
}
