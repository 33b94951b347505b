package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
