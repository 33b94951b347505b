package main

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"warroom/sources"
)

// selfStats measures warroom's own footprint for the status bar: RSS from
// /proc/self/statm (where there is no /proc, the peak RSS from getrusage)
// and CPU as a fraction of one core since the previous call.
type selfStats struct {
	mu       sync.Mutex
	lastCPU  time.Duration
	lastWall time.Time
	cpu      float64
	statm    *os.File // kept open: one pread a tick instead of open, fstat, read, close
	noStatm  bool     // no /proc: do not try again every tick
	buf      [128]byte
}

func (s *selfStats) read() sources.ProcessStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ru syscall.Rusage
	st := sources.ProcessStats{}
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		now := time.Now()
		// a fresh fraction only over a span long enough to mean something;
		// callers ask every tick
		if !s.lastWall.IsZero() && now.Sub(s.lastWall) >= time.Second {
			s.cpu = float64(cpu-s.lastCPU) / float64(now.Sub(s.lastWall))
			s.lastCPU, s.lastWall = cpu, now
		} else if s.lastWall.IsZero() {
			s.lastCPU, s.lastWall = cpu, now
		}
		st.RSSBytes = uint64(ru.Maxrss) * 1024
	}
	st.CPU = s.cpu
	if pages, ok := s.residentPages(); ok {
		st.RSSBytes = pages * uint64(os.Getpagesize())
	}
	return st
}

// residentPages is the second field of /proc/self/statm.
func (s *selfStats) residentPages() (uint64, bool) {
	if s.noStatm {
		return 0, false
	}
	if s.statm == nil {
		f, err := os.Open("/proc/self/statm")
		if err != nil {
			s.noStatm = true
			return 0, false
		}
		s.statm = f
	}
	n, err := s.statm.ReadAt(s.buf[:], 0)
	if n == 0 && err != nil {
		return 0, false
	}
	if f := bytes.Fields(s.buf[:n]); len(f) > 1 {
		if pages, err := strconv.ParseUint(string(f[1]), 10, 64); err == nil {
			return pages, true
		}
	}
	return 0, false
}
