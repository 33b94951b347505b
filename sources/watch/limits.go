package watch

import (
	"time"

	"warroom/sources/schedule"
)

// HotHold is the longest a rule holds a condition before firing in HOT,
// the minutes after a stage end, unless its phases.hot names `for`. A hang
// after a stage end shows as a flood of 499s within seconds; a rule's
// everyday `for` (30 s, say) would raise it too late. The current value is
// already smoothed over its span (10 s), and noise is held off by counts
// (min_count), not by time.
const HotHold = 3 * time.Second

// limits are a rule's settings in force in one phase.
type limits struct {
	warn, crit       float64
	hasWarn, hasCrit bool
	pending, absent  time.Duration
	autoAbsent       bool // absent: auto, from the source's own pace
}

// limits are what is in force in phase p: the base, then the phase's own
// default hold (HOT: at most HotHold), then the phase override's fields.
// An override that does not name `for` takes the phase's default hold, not
// the base rule's.
func (r *Rule) limits(p schedule.Phase) limits {
	l := limits{pending: time.Duration(r.For), absent: time.Duration(r.Absent), autoAbsent: r.Absent == AbsentAuto}
	if p == schedule.PhaseHot {
		l.pending = min(l.pending, HotHold)
	}
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
			l.absent, l.autoAbsent = time.Duration(*o.Absent), *o.Absent == AbsentAuto
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

// Limits are a rule's settings in force in one phase, for people (check).
type Limits struct {
	Warn, Crit       float64 // NaN when none
	For              time.Duration
	Absent           time.Duration // 0: never
	AutoAbsent       bool          // absent: auto (AutoAbsent of the source's pace)
	MinCount         int
	MinTotal         int
	Direction        Direction
	RecoverAt        float64 // fraction of the threshold the state comes down at
	HasWarn, HasCrit bool
}

// Effective is what r judges with in phase p, the phase's default hold and
// overrides applied.
func (r *Rule) Effective(p schedule.Phase) Limits {
	l := r.limits(p)
	out := Limits{Warn: l.warn, Crit: l.crit, HasWarn: l.hasWarn, HasCrit: l.hasCrit, For: l.pending, Absent: l.absent,
		AutoAbsent: l.autoAbsent, MinCount: r.MinCount, MinTotal: r.MinTotal, Direction: r.Direction, RecoverAt: r.recover()}
	if l.autoAbsent {
		out.Absent = 0
	}
	return out
}
