package notify

import (
	"time"

	"warroom/sources"
)

// maxGroup bounds the transitions one message keeps; more are counted and
// said as "… and N more", so a flapping indicator cannot grow a batch
// without bound while a webhook is down.
const maxGroup = 100

// grouper decides when a webhook speaks: a burst is held for groupWait
// after its first transition so it goes as one message, and messages are
// at least minInterval apart, the excess folded into the next one. It has
// no clock of its own: callers pass the time, so it is tested with fixed
// instants.
type grouper struct {
	groupWait   time.Duration
	minInterval time.Duration

	pending  burst
	firstAt  time.Time // when the oldest pending transition arrived
	lastSent time.Time // when the last message went out; zero: never
}

// add holds tr for the next message.
func (g *grouper) add(tr sources.Transition, now time.Time) {
	if g.pending.total() == 0 {
		g.firstAt = now
	}
	if len(g.pending.trs) < maxGroup {
		g.pending.trs = append(g.pending.trs, tr)
	} else {
		g.pending.omitted++
	}
}

// due is when the pending transitions should go; ok is false when none
// are pending.
func (g *grouper) due() (at time.Time, ok bool) {
	if g.pending.total() == 0 {
		return time.Time{}, false
	}
	at = g.firstAt.Add(g.groupWait)
	if !g.lastSent.IsZero() {
		if next := g.lastSent.Add(g.minInterval); next.After(at) {
			at = next
		}
	}
	return at, true
}

// take returns the pending burst and starts the rate limit from now.
func (g *grouper) take(now time.Time) burst {
	b := g.pending
	g.pending = burst{}
	g.firstAt = time.Time{}
	g.lastSent = now
	return b
}
