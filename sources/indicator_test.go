package sources

import (
	"math"
	"testing"
	"time"
)

func TestIndicatorBeyond(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		v, warn, crit float64
		below         bool
		want          State
	}{
		{7.8, 1, 5, false, StateCrit},
		{3, 1, 5, false, StateWarn},
		{1, 1, 5, false, StateOK}, // at a threshold is not past it, as the rules judge
		{7.8, nan, 5, false, StateCrit},
		{3, nan, 5, false, StateOK},
		{3, 1, nan, false, StateWarn},
		{nan, 1, 5, false, StateOK},
		{50, 100, 10, true, StateWarn}, // traffic collapsing: under is trouble
		{5, 100, 10, true, StateCrit},
		{500, 100, 10, true, StateOK},
	} {
		in := Indicator{Value: Value{Value: c.v}, Warn: c.warn, Crit: c.crit, Below: c.below}
		if got := in.Beyond(); got != c.want {
			t.Errorf("%v against %v/%v below=%v: %s, want %s", c.v, c.warn, c.crit, c.below, got, c.want)
		}
	}
}

func TestIndicatorPendingIn(t *testing.T) {
	at := time.Date(2026, 12, 2, 0, 0, 10, 0, time.UTC)
	in := Indicator{Pending: StateCrit, PendingAt: at.Add(5*time.Second + time.Millisecond)}
	if d, ok := in.PendingIn(at); !ok || d != 6*time.Second {
		t.Errorf("5.001s left reads %v %v, want 6s", d, ok)
	}
	if d, _ := in.PendingIn(at.Add(time.Minute)); d != 0 {
		t.Errorf("past its time: %v, want 0", d)
	}
	if _, ok := (Indicator{PendingAt: at}).PendingIn(at); ok {
		t.Error("pending without a state")
	}
}

func TestSnapshotPending(t *testing.T) {
	s := Snapshot{Indicators: []Indicator{{Pending: StateWarn}, {}, {Pending: StateCrit}, {Pending: StateWarn}}}
	if n, to := s.Pending(); n != 3 || to != StateCrit {
		t.Errorf("Pending = %d %s, want 3 crit", n, to)
	}
	s.Indicators = s.Indicators[:2]
	if n, to := s.Pending(); n != 1 || to != StateWarn {
		t.Errorf("Pending = %d %s, want 1 warn", n, to)
	}
}
