package watch

import (
	"math"
	"testing"
	"time"

	"warroom/sources"
)

func tr(sec int, ind string, from, to sources.State) Transition {
	return Transition{At: t0.Add(time.Duration(sec) * time.Second), Indicator: ind, From: from, To: to,
		Value: math.NaN(), Threshold: math.NaN()}
}

func TestTimelineRing(t *testing.T) {
	tl := NewTimeline(3)
	tl.Add(tr(1, "a", ok, warn), tr(2, "b", ok, warn))
	tl.Add(tr(3, "c", ok, warn), tr(4, "d", ok, warn))
	es := tl.Entries()
	if len(es) != 3 || tl.Len() != 3 || tl.Dropped() != 1 {
		t.Fatalf("len %d/%d dropped %d", len(es), tl.Len(), tl.Dropped())
	}
	for i, want := range []string{"b", "c", "d"} {
		if es[i].Indicator != want {
			t.Errorf("entry %d = %s, want %s (oldest first)", i, es[i].Indicator, want)
		}
	}
	// Entries is a copy.
	es[0].Indicator = "changed"
	if tl.Entries()[0].Indicator != "b" {
		t.Error("Entries shares the ring")
	}
}

func TestTimelineAck(t *testing.T) {
	tl := NewTimeline(10)
	if _, red := tl.UnackedCrit(); red {
		t.Fatal("empty timeline has an unacknowledged crit")
	}
	tl.Add(tr(1, "a", ok, crit), tr(2, "a", crit, ok), tr(3, "b", ok, warn))
	// A crit that recovered still keeps the header red until acknowledged.
	if c, red := tl.UnackedCrit(); !red || c.Indicator != "a" {
		t.Fatalf("UnackedCrit = %+v %v", c, red)
	}
	if tl.Unacked() != 3 {
		t.Fatalf("unacked = %d", tl.Unacked())
	}
	tl.Ack(t0.Add(2 * time.Second))
	if _, red := tl.UnackedCrit(); red {
		t.Fatal("crit at 1s still unacknowledged after Ack(2s)")
	}
	if tl.Unacked() != 1 {
		t.Fatalf("unacked after Ack(2s) = %d, want 1", tl.Unacked())
	}
	tl.Add(tr(4, "c", warn, crit), tr(5, "d", ok, crit))
	if c, _ := tl.UnackedCrit(); c.Indicator != "d" {
		t.Fatalf("newest unacknowledged crit = %s, want d", c.Indicator)
	}
	tl.Ack(t0.Add(4 * time.Second))
	if c, red := tl.UnackedCrit(); !red || c.Indicator != "d" {
		t.Fatalf("after Ack(4s): %+v %v, want d still red", c, red)
	}
	tl.AckAll()
	if _, red := tl.UnackedCrit(); red || tl.Unacked() != 0 {
		t.Fatal("AckAll left something unacknowledged")
	}
}

// A crit pushed off the ring before anyone acknowledged it still counts.
func TestTimelineLostCrit(t *testing.T) {
	tl := NewTimeline(2)
	tl.Add(tr(1, "a", ok, crit), tr(2, "b", ok, warn), tr(3, "c", ok, warn))
	if c, red := tl.UnackedCrit(); !red || c.Indicator != "a" {
		t.Fatalf("lost crit not reported: %+v %v", c, red)
	}
	tl.Ack(t0)
	if _, red := tl.UnackedCrit(); !red {
		t.Fatal("Ack before the lost crit cleared it")
	}
	tl.Ack(t0.Add(time.Second))
	if _, red := tl.UnackedCrit(); red {
		t.Fatal("Ack after the lost crit did not clear it")
	}
	tl.Add(tr(4, "d", ok, crit), tr(5, "e", ok, ok), tr(6, "f", ok, ok))
	tl.AckAll()
	if _, red := tl.UnackedCrit(); red {
		t.Fatal("AckAll did not clear the lost crit")
	}
}
