package collect

import (
	"sync/atomic"
	"time"
)

// SteppedClock is a clock that only moves when told: tests step it, and a
// replay sets it to the logs' own time so sources, rules and the schedule
// all judge at the instants the lines were written.
type SteppedClock struct {
	ns atomic.Int64
}

// NewSteppedClock returns a clock reading t.
func NewSteppedClock(t time.Time) *SteppedClock {
	c := &SteppedClock{}
	c.Set(t)
	return c
}

// Now returns the clock's time.
func (c *SteppedClock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Set moves the clock to t.
func (c *SteppedClock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// Add moves the clock by d and returns the new time.
func (c *SteppedClock) Add(d time.Duration) time.Time { return time.Unix(0, c.ns.Add(int64(d))) }
