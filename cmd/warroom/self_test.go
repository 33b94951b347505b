package main

import (
	"testing"
	"time"
)

func TestSelfStats(t *testing.T) {
	var s selfStats
	first := s.read()
	if first.RSSBytes < 1<<20 || first.RSSBytes > 1<<34 {
		t.Fatalf("RSS %d bytes is not a Go process's", first.RSSBytes)
	}
	// burn CPU for a little over a second, then the fraction must show it
	end := time.Now().Add(1100 * time.Millisecond)
	x := 0
	for time.Now().Before(end) {
		x++
	}
	st := s.read()
	if st.CPU < 0.3 || st.CPU > 4 {
		t.Errorf("CPU = %.2f of a core after a busy second (x=%d), want about 1", st.CPU, x)
	}
}

// TestSelfStatsRSSIsFresh: /proc/self/statm stays open between ticks, and
// each read must still see the current RSS, not the first one.
func TestSelfStatsRSSIsFresh(t *testing.T) {
	var s selfStats
	before := s.read().RSSBytes
	big := make([]byte, 64<<20)
	for i := range big {
		big[i] = byte(i)
	}
	after := s.read().RSSBytes
	if after < before+32<<20 {
		t.Errorf("RSS %d -> %d after touching 64 MiB: a stale read", before, after)
	}
	_ = big[len(big)-1]
}
