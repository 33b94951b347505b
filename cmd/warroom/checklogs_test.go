package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// check reads every configured log's last lines with the format the screen
// would use: a format that reads nothing fails the check, a few unreadable
// lines warn, and the first one is named by its line and column.
func TestCheckReadsTheLogs(t *testing.T) {
	dir := t.TempDir()
	mainLine := func(i int) string {
		return fmt.Sprintf(`10.0.0.%d - - [01/Dec/2026:23:59:%02d +0800] "GET /r?i=%d HTTP/1.1" 200 12 "-" "ua" "198.51.100.%d"`, i%250, i%60, i, i%250)
	}
	write := func(name string, n int, bad map[int]string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if l, ok := bad[i]; ok {
				b.WriteString(l + "\n")
				continue
			}
			b.WriteString(mainLine(i) + "\n")
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// 1,500 lines: check reads the last 1,000 (lines 501..1500)
	good := write("good.log", 1500, map[int]string{3: "garbage before the window"})
	few := write("few.log", 1500, map[int]string{900: "cut", 901: "cut", 1400: `10.0.0.1 - - [01/Dec/2026:23:59:00 +0800] "GET / HTTP/1.1" 2000 1 "-" "ua" "-"`})
	app := filepath.Join(dir, "app.log")
	ahead := time.Now().Add(8 * time.Hour).Format("2006-01-02 15:04:05")
	os.WriteFile(app, []byte(ahead+" ERROR SequelizeDatabaseError: read ECONNRESET\n    at Connection\n"), 0o644)
	cfg := fmt.Sprintf(`access_logs:
  - name: good
    paths: [%s]
  - name: few
    paths: [%s]
  - name: wrong
    paths: [%s]
    format: timed
  - name: missing
    paths: [%s]
app_logs:
  - name: app
    paths: [%s]
`, good, few, good, filepath.Join(dir, "nope.log"), app)
	path := filepath.Join(dir, "w.yml")
	os.WriteFile(path, []byte(cfg), 0o644)
	var out, errb bytes.Buffer
	code := run([]string{"check", path}, &out, &errb)
	if code != exitProblem {
		t.Fatalf("exit %d, want %d (a format that reads nothing):\n%s%s", code, exitProblem, out.String(), errb.String())
	}
	for _, want := range []string{
		good + ": format main (detected)",
		good + ": the last 1000 lines: 1000 read (100.0%)",
		few + ": the last 1000 lines: 997 read (99.7%)",
		few + ": the last 1000 lines: 997 read (99.7%)\n      first unread: line 900 col 1: no \" - \" after $remote_addr (truncated): cut\n",
		good + ": the last 1000 lines: 0 read (0.0%)\n      first unread: line 501 col 83: no \" \" after $request_time",
		"      problem: under 90% of lines read: does the format match the log?",
		"warning: " + filepath.Join(dir, "nope.log") + " does not exist (yet)",
		app + ": the last 2 lines: 1 carry a time",
		"warning: 1 line is stamped up to 8h0m ahead of the clock (first: line 1): a time-zone mismatch? set time_zone",
		path + ": 1 problem: ",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out.String())
	}
}
