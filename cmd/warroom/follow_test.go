package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer lets the test read what the follow loop writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestScanFollowThroughRotation(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	writeLines := func(path string, n, status int) {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		now := time.Now().Format("02/Jan/2006:15:04:05 -0700")
		for i := 0; i < n; i++ {
			fmt.Fprintf(f, "10.0.0.%d - - [%s] \"GET /a HTTP/1.1\" %d 10 \"-\" \"ua\" 1.500 1.400\n", i%9, now, status)
		}
	}
	writeLines(log, 5, 200) // before the start: not counted with --start end

	ctx, cancel := context.WithCancel(context.Background())
	old := followContext
	followContext = func() context.Context { return ctx }
	defer func() { followContext = old }()

	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"scan", "-f", "--json", "--interval", "200ms", log}, &out, &errb)
	}()
	// totals sums the statuses (and slow requests) printed so far
	totals := func() (map[string]uint64, uint64) {
		got, slow := map[string]uint64{}, uint64(0)
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			var iv followInterval
			if err := json.Unmarshal(sc.Bytes(), &iv); err != nil {
				t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
			}
			for k, v := range iv.Status {
				got[k] += v
			}
			slow += iv.Slow
		}
		return got, slow
	}
	// The follower starts at the end whenever it opens the file: a probe
	// line (a 204) is written until one is counted, and from then on every
	// line is.
	deadline := time.Now().Add(60 * time.Second)
	for got, _ := totals(); got["204"] == 0; got, _ = totals() {
		if time.Now().After(deadline) {
			t.Fatalf("no probe line counted after 60s; stderr %s", errb.String())
		}
		writeLines(log, 1, 204)
		time.Sleep(100 * time.Millisecond)
	}
	writeLines(log, 40, 200)
	writeLines(log, 6, 499)
	os.Rename(log, log+".1")
	writeLines(log+".1", 4, 502) // written to the old file before the writer reopens
	writeLines(log, 10, 200)

	want := map[string]uint64{"200": 50, "499": 6, "502": 4}
	var got map[string]uint64
	var slow uint64
	for time.Now().Before(deadline) {
		got, slow = totals()
		slow -= got["204"] // the probes are slow requests too
		delete(got, "204")
		if fmt.Sprint(got) == fmt.Sprint(want) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || slow != 60 {
		t.Fatalf("followed %v (slow %d), want %v (slow 60); stderr %s", got, slow, want, errb.String())
	}
}

func TestScanFollowBadInput(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	old := followContext
	followContext = func() context.Context { return ctx }
	defer func() { followContext = old }()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"scan", "-f", "--interval", "200ms", dir}, &out, &errb) }()
	// the error is printed at an interval's end, however late that comes
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(errb.String(), dir) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 || !strings.Contains(errb.String(), dir) {
		t.Fatalf("exit %d, stderr %q: want the directory named as the source's error", code, errb.String())
	}
}

// TestScanFollowPrintsTheLastInterval runs the built binary with an
// interval of an hour, so the only summary is the one SIGTERM cuts short:
// it holds every line written before the signal, in text and in JSON, and
// the exit status is 0.
func TestScanFollowPrintsTheLastInterval(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("waits for the follower through /proc/PID/fd")
	}
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

// waitOpen waits until process pid has path open.
func waitOpen(t *testing.T, pid int, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			if target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && target == path {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d never opened %s", pid, path)
}
