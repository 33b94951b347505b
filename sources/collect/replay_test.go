package collect

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestReplayJudgesOnTheLogsClock replays the test night at full speed: the
// rules fire at the same log instants as when the night was followed live.
func TestReplayJudgesOnTheLogsClock(t *testing.T) {
	f := newFixture(t, t.TempDir(), false)
	var ticks int
	var first, last time.Time
	err := f.c.Replay(context.Background(), func(at time.Time) {
		f.clock.Set(at)
		if first.IsZero() {
			first = at
		}
		last = at
		ticks++
	})
	if err != nil {
		t.Fatal(err)
	}
	// the night's lines span 23:58:00–00:00:59: the clock starts at the first
	// line, ticks from 23:58:01 (23:58:00 complete) and the last tick lets
	// the lagged window reach 00:00:59: 1 + 182 calls of set
	if !first.Equal(t0) || !last.Equal(midnight.Add(62*time.Second)) || ticks != 183 {
		t.Errorf("ticks %d from %v to %v", ticks, first, last)
	}
	got := map[string]time.Time{}
	for _, tr := range f.trs {
		if _, ok := got[tr.Indicator+":"+tr.To.String()]; !ok {
			got[tr.Indicator+":"+tr.To.String()] = tr.At
		}
	}
	for key, at := range map[string]time.Time{
		"nginx.499_rate:warn":   midnight.Add(15 * time.Second),
		"nginx.499_rate:crit":   midnight.Add(18 * time.Second),
		"nginx.slow_ratio:crit": midnight.Add(13 * time.Second),
		"app.db:crit":           midnight.Add(33 * time.Second),
	} {
		if !got[key].Equal(at) {
			t.Errorf("%s at %v, want %v (all: %v)", key, got[key], at, f.trs)
		}
	}
	b, _, _ := f.access.Aggregator().Counts()
	if b.Requests != 120*10+60*20 {
		t.Errorf("replayed %d requests", b.Requests)
	}
}

func TestReplayRefusesCommands(t *testing.T) {
	if _, err := expand("web", nil, []string{"ssh", "web1"}); err == nil {
		t.Fatal("a command source replayed")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "access.log")
	for _, name := range []string{"access.log", "access.log.1", "access.log.2.gz"} {
		os.WriteFile(filepath.Join(dir, name), nil, 0o644)
	}
	got, err := expand("web", []string{p}, nil)
	if err != nil || len(got) != 3 || got[0] != p+".2.gz" || got[1] != p+".1" || got[2] != p {
		t.Fatalf("rotated first, oldest first: %v %v", got, err)
	}
}
