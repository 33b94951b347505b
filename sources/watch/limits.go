package watch

import (
	"time"

	"warroom/sources/schedule"
)

// limits are a rule's settings in force in one phase.
type limits struct {
	warn, crit       float64
	hasWarn, hasCrit bool
	pending, absent  time.Duration
}

func (r *Rule) limits(p schedule.Phase) limits {
	l := limits{pending: time.Duration(r.For), absent: time.Duration(r.Absent)}
	if r.Warn != nil {
		l.warn, l.hasWarn = *r.Warn, true
	}
	if r.Crit != nil {
		l.crit, l.hasCrit = *r.Crit, true
	}
	if o := r.Phases.Get(p); o != nil {
		if o.Warn != nil {
			l.warn, l.hasWarn = *o.Warn, true
		}
		if o.Crit != nil {
			l.crit, l.hasCrit = *o.Crit, true
		}
		if o.For != nil {
			l.pending = time.Duration(*o.For)
		}
		if o.Absent != nil {
			l.absent = time.Duration(*o.Absent)
		}
	}
	return l
}

// beyond reports whether v is on the trouble side of threshold t.
func (d Direction) beyond(v, t float64) bool {
	if d == Below {
		return v < t
	}
	return v > t
}

// recovery is the level a state at threshold t holds until: t × r above,
// t ÷ r below, so the band is the same ratio either way.
func (d Direction) recovery(t, r float64) float64 {
	if d == Below {
		return t / r
	}
	return t * r
}
