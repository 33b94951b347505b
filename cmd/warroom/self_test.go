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
