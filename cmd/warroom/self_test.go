package main

import (
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's CPU time so far, as selfStats reads it.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestSelfStats checks the CPU fraction against the process's own CPU
// clock, not against how much of a core a busy loop got: on a loaded
// machine a second of spinning may be a tenth of a core. Each clock is read
// just before and just after each of selfStats' two readings, so the
// fraction it reports must lie between the least CPU over the most wall
// time and the most CPU over the least wall time.
func TestSelfStats(t *testing.T) {
	var s selfStats
	c0, w0 := cpuTime(t), time.Now()
	first := s.read()
	c1, w1 := cpuTime(t), time.Now()
	if first.RSSBytes < 1<<20 || first.RSSBytes > 1<<34 {
		t.Fatalf("RSS %d bytes is not a Go process's", first.RSSBytes)
	}
	// spin until the process has used a second of CPU and a second has
	// passed (a fraction is only computed over at least a second)
	x := 0
	for cpuTime(t)-c1 < time.Second || time.Since(w1) < time.Second {
		x++
	}
	c2, w2 := cpuTime(t), time.Now()
	st := s.read()
	c3, w3 := cpuTime(t), time.Now()
	lo := float64(c2-c1) / float64(w3.Sub(w0))
	hi := float64(c3-c0) / float64(w2.Sub(w1))
	if st.CPU < lo || st.CPU > hi || st.CPU <= 0 {
		t.Errorf("CPU = %.3f of a core, want within [%.3f, %.3f] by the process's own clock (x=%d)", st.CPU, lo, hi, x)
	}
}

// TestSelfStatsRSSIsFresh: /proc/self/statm stays open between ticks, and
// each read must still see the current RSS, not the first one. The 64 MiB
// are mapped afresh, not taken from Go's heap, which may already hold
// resident pages freed by an earlier test (or an earlier -count run).
func TestSelfStatsRSSIsFresh(t *testing.T) {
	// what the heap holds free goes back to the system first, and no
	// collection runs meanwhile: the scavenger, returning pages of other
	// tests' garbage, would lower RSS by more than the 64 MiB raise it on
	// a loaded machine
	runtime.GC()
	debug.FreeOSMemory()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var s selfStats
	before := s.read().RSSBytes
	big, err := syscall.Mmap(-1, 0, 64<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(big)
	for i := range big {
		big[i] = byte(i)
	}
	after := s.read().RSSBytes
	if after < before+32<<20 {
		t.Errorf("RSS %d -> %d after touching 64 MiB: a stale read", before, after)
	}
}
