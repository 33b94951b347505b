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
	failures int       // messages that failed in a row (requeue)
	retryAt  time.Time // a failed message goes again no sooner than this
	fresh    bool      // a transition came since the last message: retryAt does not hold it back
}

// Waits before a failed message goes again: resendFirst after the first
// failure, doubling with each one after it, up to resendMax, so a webhook
// that is down is tried again and again, not hammered.
const (
	resendFirst = 30 * time.Second
	resendMax   = 5 * time.Minute
)

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
	g.fresh = true
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
	if !g.fresh && g.retryAt.After(at) {
		// only failed messages: tried again later, not hammered; a new
		// transition goes at its time, and takes them with it
		at = g.retryAt
	}
	return at, true
}

// take returns the pending burst and starts the rate limit from now.
func (g *grouper) take(now time.Time) burst {
	b := g.pending
	g.pending = burst{}
	g.firstAt = time.Time{}
	g.lastSent = now
	g.fresh = false
	return b
}

// requeue puts back a burst whose message could not be delivered, before
// what came since, so the next message carries it: a page that failed is
// sent late, with its own times, rather than lost (and an all-clear never
// arrives for a crit nobody saw). Past maxGroup the oldest are counted.
func (g *grouper) requeue(b burst, now time.Time) {
	if b.total() == 0 {
		return
	}
	if g.pending.total() == 0 {
		g.firstAt = now
	}
	trs := append(append([]sources.Transition(nil), b.trs...), g.pending.trs...)
	omitted := b.omitted + g.pending.omitted
	if over := len(trs) - maxGroup; over > 0 {
		trs, omitted = trs[over:], omitted+over
	}
	g.pending.trs, g.pending.omitted = trs, omitted
	g.retryAt = now.Add(min(resendFirst<<min(g.failures, 8), resendMax))
	g.failures++
}
