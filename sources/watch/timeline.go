package watch

import (
	"sync"
	"time"

	"warroom/sources"
)

// Entry is a transition as the timeline keeps it.
type Entry struct {
	Transition
	Acked bool
}

// Timeline is a bounded ring of the run's transitions with
// acknowledgement. An unacknowledged crit keeps the header red even after
// the indicator recovered: the point is that someone looks, and in the
// morning the entries say what happened and when. It is safe for
// concurrent use (rules add on the watch goroutine, the UI reads and acks).
type Timeline struct {
	mu      sync.Mutex
	buf     []Entry
	head, n int
	dropped uint64
	// lost is the newest unacknowledged crit that fell off the ring, so a
	// busy night cannot push an alarm out before anyone saw it.
	lost *Transition
}

// NewTimeline returns a timeline keeping the newest capacity transitions
// (at least 1).
func NewTimeline(capacity int) *Timeline {
	return &Timeline{buf: make([]Entry, max(capacity, 1))}
}

// Add appends transitions, evicting the oldest when full.
func (t *Timeline) Add(trs ...Transition) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tr := range trs {
		i := (t.head + t.n) % len(t.buf)
		if t.n == len(t.buf) {
			if old := t.buf[t.head]; !old.Acked && old.To == sources.StateCrit {
				t.lost = &old.Transition
			}
			t.head = (t.head + 1) % len(t.buf)
			t.dropped++
		} else {
			t.n++
		}
		t.buf[i] = Entry{Transition: tr}
	}
}

// Entries returns a copy, oldest first.
func (t *Timeline) Entries() []Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Entry, t.n)
	for k := range out {
		out[k] = t.buf[(t.head+k)%len(t.buf)]
	}
	return out
}

// Len is the number of transitions kept.
func (t *Timeline) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// Dropped is how many transitions fell off the ring.
func (t *Timeline) Dropped() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.dropped
}

// AckAll acknowledges everything so far.
func (t *Timeline) AckAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := 0; k < t.n; k++ {
		t.buf[(t.head+k)%len(t.buf)].Acked = true
	}
	t.lost = nil
}

// Ack acknowledges the transitions at or before upTo, e.g. what was on
// screen when the key was pressed; anything newer stays unacknowledged.
func (t *Timeline) Ack(upTo time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := 0; k < t.n; k++ {
		if e := &t.buf[(t.head+k)%len(t.buf)]; !e.At.After(upTo) {
			e.Acked = true
		}
	}
	if t.lost != nil && !t.lost.At.After(upTo) {
		t.lost = nil
	}
}

// Unacked counts unacknowledged transitions kept.
func (t *Timeline) Unacked() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := 0
	for k := 0; k < t.n; k++ {
		if !t.buf[(t.head+k)%len(t.buf)].Acked {
			c++
		}
	}
	return c
}

// UnackedCrit returns the newest unacknowledged transition to crit,
// including one that already fell off the ring.
func (t *Timeline) UnackedCrit() (Transition, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := t.n - 1; k >= 0; k-- {
		if e := t.buf[(t.head+k)%len(t.buf)]; !e.Acked && e.To == sources.StateCrit {
			return e.Transition, true
		}
	}
	if t.lost != nil {
		return *t.lost, true
	}
	return Transition{}, false
}
