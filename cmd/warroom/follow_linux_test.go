//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestScanFollowPrintsTheLastInterval (Linux: it waits for the follower
// through /proc/PID/fd) runs the built binary with an
// interval of an hour, so the only summary is the one SIGTERM cuts short:
// it holds every line written before the signal, in text and in JSON, and
// the exit status is 0.
func TestScanFollowPrintsTheLastInterval(t *testing.T) {
	bin := buildWarroom(t)
	for _, mode := range []string{"text", "json"} {
		t.Run(mode, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "access.log")
			if err := os.WriteFile(log, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"scan", "-f", "--interval", "1h", "--time-zone", "Asia/Shanghai", log}
			if mode == "json" {
				args = append(args, "--json")
			}
			cmd := exec.Command(bin, args...)
			var out, errb syncBuffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			// the log open means the signal handler is in place: it is
			// set before the follower starts
			waitOpen(t, cmd.Process.Pid, log)
			f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().Format("02/Jan/2006:15:04:05 -0700")
			for i := 0; i < 30; i++ {
				status := 200
				if i < 7 {
					status = 499
				}
				fmt.Fprintf(f, "10.0.0.%d - - [%s] \"GET /a HTTP/1.1\" %d 10 \"-\" \"ua\" 0.010 0.009\n", i%9, now, status)
			}
			f.Close()
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("%v; stderr %s", err, errb.String())
			}
			got := strings.TrimSpace(out.String())
			if strings.Count(got, "\n") != 0 {
				t.Fatalf("want one summary, the last one; got:\n%s", got)
			}
			// detected from the first lines read, as many as had come
			if !regexp.MustCompile(`warroom scan: format timed \(detected: reads (\d+) of (\d+) lines\)\n`).MatchString(errb.String()) {
				t.Errorf("stderr does not say which format was read: %q", errb.String())
			}
			if mode == "text" {
				if !strings.Contains(got, "requests     30") || !strings.Contains(got, "499 7 ") || !strings.Contains(got, "stopped") ||
					!regexp.MustCompile(`^\d\d:\d\d:\d\d CST `).MatchString(got) {
					t.Fatalf("last interval %q, want its time in CST, 30 requests, 7 of them 499, marked as stopped", got)
				}
				return
			}
			var iv followInterval
			if err := json.Unmarshal([]byte(got), &iv); err != nil {
				t.Fatalf("bad JSON %q: %v", got, err)
			}
			if iv.Requests != 30 || iv.S499 != 7 || iv.Status["200"] != 23 || !iv.Last || iv.Seconds <= 0 {
				t.Fatalf("last interval %+v, want 30 requests (23 200, 7 499), marked last with its length", iv)
			}
			if !regexp.MustCompile(`"at":"[^"]+\+08:00"`).MatchString(got) {
				t.Fatalf("last interval %s: want its time with the zone's offset", got)
			}
		})
	}
}
