package notify

import (
	"testing"
	"time"
)

func TestGrouper(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := func(d time.Duration) time.Time { return t0.Add(d) }
	g := grouper{groupWait: 10 * time.Second, minInterval: 30 * time.Second}
	if _, ok := g.due(); ok {
		t.Fatal("due with nothing pending")
	}
	// A burst: the first transition opens a 10s group; later ones join it.
	g.add(crit499(), s(0))
	g.add(crit499(), s(4*time.Second))
	if at, _ := g.due(); !at.Equal(s(10 * time.Second)) {
		t.Errorf("first burst due %v, want +10s", at.Sub(t0))
	}
	if b := g.take(s(10 * time.Second)); b.total() != 2 {
		t.Errorf("first burst has %d", b.total())
	}
	// The next burst opens at +12s: its group would close at +22s, but the
	// rate limit holds it to +40s, and what arrives meanwhile joins it.
	g.add(crit499(), s(12*time.Second))
	if at, _ := g.due(); !at.Equal(s(40 * time.Second)) {
		t.Errorf("second burst due %v, want +40s (rate limit)", at.Sub(t0))
	}
	g.add(crit499(), s(35*time.Second))
	if b := g.take(s(40 * time.Second)); b.total() != 2 {
		t.Errorf("second burst has %d, want 2 folded", b.total())
	}
	// Long after, only group_wait applies.
	g.add(crit499(), s(5*time.Minute))
	if at, _ := g.due(); !at.Equal(s(5*time.Minute + 10*time.Second)) {
		t.Errorf("third burst due %v", at.Sub(t0))
	}
}

func TestGrouperBounded(t *testing.T) {
	var g grouper
	now := time.Unix(0, 0)
	for range maxGroup + 50 {
		g.add(crit499(), now)
	}
	b := g.take(now)
	if len(b.trs) != maxGroup || b.omitted != 50 || b.total() != maxGroup+50 {
		t.Errorf("kept %d, omitted %d", len(b.trs), b.omitted)
	}
	if g.pending.total() != 0 {
		t.Error("take left transitions pending")
	}
}

// A message that could not be delivered is put back and goes with the
// next: on its own no sooner than resendFirst (doubling after each failure
// in a row), with a new transition at that one's time.
func TestGrouperRequeue(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := func(d time.Duration) time.Time { return t0.Add(d) }
	g := grouper{}
	g.add(crit499(), s(0))
	failed := g.take(s(0))
	g.requeue(failed, s(time.Second))
	if at, ok := g.due(); !ok || !at.Equal(s(time.Second+resendFirst)) {
		t.Fatalf("requeued alone due %v, want after %s", at.Sub(t0), resendFirst)
	}
	failed = g.take(dueAt(g))
	g.requeue(failed, s(time.Minute))
	if a, _ := g.due(); !a.Equal(s(time.Minute + 2*resendFirst)) {
		t.Fatalf("second failure: due %v, want after %s", a.Sub(t0), 2*resendFirst)
	}
	g.add(crit499(), s(time.Minute+time.Second))
	if a, _ := g.due(); a.After(s(time.Minute + time.Second)) {
		t.Fatalf("a new transition: due %v, want at once", a.Sub(t0))
	}
	if b := g.take(s(time.Minute + time.Second)); b.total() != 2 || b.trs[0].At != failed.trs[0].At {
		t.Fatalf("the next message has %d, the failed one first: %+v", b.total(), b.trs)
	}
	for range maxGroup + 5 {
		g.add(crit499(), s(2*time.Minute))
	}
	b := g.take(s(2 * time.Minute))
	g.add(crit499(), s(2*time.Minute))
	g.requeue(b, s(2*time.Minute))
	if g.pending.total() != maxGroup+6 || len(g.pending.trs) != maxGroup {
		t.Fatalf("bounded: %d kept, %d in all", len(g.pending.trs), g.pending.total())
	}
}

func dueAt(g grouper) time.Time { a, _ := g.due(); return a }
