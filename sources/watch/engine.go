package watch

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/schedule"
)

// Reading is an indicator's latest value as the engine sees it.
type Reading struct {
	Value  float64        // NaN: no value this tick
	At     time.Time      // when Value was true; see Engine about absence
	Health sources.Health // stale and error pass through to the state
	// Count and Total are the events (slow requests, 5xx, errors) and the
	// requests behind a rate or ratio over its span, for min_count and
	// min_total, when Counted (not for Prometheus).
	Counted      bool
	Count, Total float64
	// Gap is the source's usual time between lines, for absent: auto; 0
	// when unknown.
	Gap time.Duration
	// Loading: the source is still reading its history; absence counts
	// from when it is done (see sources.Value.Loading).
	Loading bool
}

// ReadingOf converts a source's Value.
func ReadingOf(v sources.Value) Reading {
	rd := Reading{Value: v.Value, At: v.At, Health: v.Health, Counted: v.Counted, Count: v.Count, Total: v.Total, Gap: v.Gap, Loading: v.Loading}
	if v.Silent {
		rd.Health = sources.HealthUnknown // no news: the state stands, absence is judged
	}
	return rd
}

// Bounds of absent: auto. A log is silent after AutoAbsentGaps of its usual
// gaps between lines, but never sooner than AutoAbsentMin (a busy log
// pauses for a GC or a flush) nor later than AutoAbsentMax; a source
// whose pace is not known yet gets AutoAbsentUnknown.
const (
	AutoAbsentGaps    = 8
	AutoAbsentMin     = 10 * time.Second
	AutoAbsentMax     = 15 * time.Minute
	AutoAbsentUnknown = time.Minute
)

// AutoAbsent is how long absent: auto waits for a source whose usual gap
// between lines is gap.
func AutoAbsent(gap time.Duration) time.Duration {
	if gap <= 0 {
		return AutoAbsentUnknown
	}
	return min(max(AutoAbsentGaps*gap, AutoAbsentMin), AutoAbsentMax)
}

// Transition is one change of an indicator's state.
type Transition struct {
	At        time.Time
	Indicator string
	From, To  sources.State
	Value     float64 // the value judged; NaN when there was none (absent, stale, error)
	Threshold float64 // the level crossed (entry going up, recovery going down); NaN when none
	Phase     schedule.Phase
	Milestone string // the milestone the phase belongs to; "" in normal
	Reason    string // short, for people: "above crit 5", "no data for 1m"
}

// Status is an indicator's current judgement, for panes and the header.
type Status struct {
	Indicator    string
	State        sources.State
	Since        time.Time // when State began
	Value        float64   // latest value seen; NaN before the first
	ValueAt      time.Time
	Warn, Crit   float64   // thresholds in force in the current phase; NaN when none
	Direction    Direction // which side of Warn and Crit is trouble
	Pending      sources.State
	PendingSince time.Time // when the Pending condition began to hold; zero when none
	// PendingAt is when Pending fires if its condition keeps holding:
	// PendingSince plus the `for` in force in the current phase. Zero
	// when nothing is pending.
	PendingAt time.Time
	Reason    string
}

// Engine holds the rules and each indicator's state between ticks.
//
// Absence is judged on Reading.At, the time the newest data was true, not
// the time it was read: a source that keeps reporting 0 req/s for a silent
// log must leave At at the newest line's time for `absent` to fire. An
// indicator that never reported counts as absent from the first Evaluate.
// Absence wins over stale and error passthrough, because "the access log
// went silent at midnight" is the alarm, whatever the source calls it.
//
// After stale or error, the state the value earned before is remembered:
// a value still beyond a threshold returns to that state at once, while a
// new, higher state still waits out `for`.
type Engine struct {
	rules  []Rule
	st     []ruleState
	phase  schedule.Phase
	format func(indicator string, v float64) string // thresholds in reasons; nil: %g
}

// SetFormat makes reasons give thresholds as f writes them, e.g. "above
// crit 20‱" rather than "above crit 0.002" for a ratio shown in ‱: the
// reason sits next to the value on screen and must read in its unit.
func (e *Engine) SetFormat(f func(indicator string, v float64) string) { e.format = f }

func (e *Engine) num(indicator string, v float64) string {
	if e.format == nil {
		return fmt.Sprintf("%g", v)
	}
	return e.format(indicator, v)
}

type ruleState struct {
	state     sources.State
	since     time.Time
	level     sources.State // last judged ok/warn/crit, kept across stale/error
	reason    string
	absent    bool // state is crit for want of data
	value     float64
	valueAt   time.Time
	start     time.Time // first Evaluate: absence counts from here until data comes
	lastData  time.Time
	gap       time.Duration // the source's latest known pace, for absent: auto
	floor     string        // why a value beyond a threshold is not judged (min_count), for Status
	thinSince time.Time     // since when the data has been too thin to judge (min_count); zero when not
	// When each condition began to hold continuously; zero when it does not.
	warnSince, critSince time.Time
}

// NewEngine validates rules and returns an engine with every indicator in
// state unknown.
func NewEngine(rules Rules) (*Engine, error) {
	if err := rules.Validate(); err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	e := &Engine{rules: slices.Clone(rules), st: make([]ruleState, len(rules))}
	for i := range e.st {
		e.st[i] = ruleState{value: math.NaN()}
	}
	return e, nil
}

// Evaluate judges every rule at instant at in the given phase and returns
// the transitions, in rule order. A rule whose indicator has no reading
// keeps its state (apart from absence). The first judgement of an
// indicator as ok is not a transition, so startup is quiet.
func (e *Engine) Evaluate(at time.Time, phase schedule.Phase, milestone string, readings map[string]Reading) []Transition {
	e.phase = phase
	var out []Transition
	for i := range e.rules {
		r, st := &e.rules[i], &e.st[i]
		lim := r.limits(phase)
		if st.start.IsZero() {
			st.start = at
		}
		rd, ok := readings[r.Indicator]
		if ok && rd.Loading && rd.Health == sources.HealthUnknown && st.lastData.IsZero() {
			// its history is on its way: no value, and no absence yet
			st.start = at
			continue
		}
		hasValue := ok && rd.Health != sources.HealthUnknown && !math.IsNaN(rd.Value)
		advanced := hasValue && rd.At.After(st.lastData)
		if hasValue {
			st.value, st.valueAt = rd.Value, rd.At
		}
		if advanced {
			st.lastData = rd.At
		}
		since := st.lastData
		if since.IsZero() {
			since = st.start
		}
		if lim.autoAbsent {
			if ok && rd.Gap > 0 {
				st.gap = rd.Gap
			}
			lim.absent = AutoAbsent(st.gap)
		}

		to, val, thr, reason := st.state, math.NaN(), math.NaN(), st.reason
		wasAbsent := st.absent
		// Once absent, only new data ends it: a phase with a longer absent
		// limit does not make a silent source fine again.
		st.absent = lim.absent > 0 && at.Sub(since) >= lim.absent || wasAbsent && !advanced
		switch {
		case st.absent:
			to = sources.StateCrit
			reason = "no data for " + model.Duration(at.Sub(since).Truncate(time.Second)).String()
			if ok && rd.Health != sources.HealthOK && rd.Health != sources.HealthUnknown {
				// the source says why: a page names the outage, not a silence
				reason += " (source " + rd.Health.String() + ")"
			}
			st.warnSince, st.critSince, st.level = time.Time{}, time.Time{}, sources.StateOK
		case !ok || rd.Health == sources.HealthUnknown:
			continue
		case rd.Health == sources.HealthError || rd.Health == sources.HealthUnreachable:
			to, reason = sources.StateError, "source "+rd.Health.String()
			st.warnSince, st.critSince = time.Time{}, time.Time{}
		case rd.Health == sources.HealthStale:
			to, reason = sources.StateStale, "source stale"
			st.warnSince, st.critSince = time.Time{}, time.Time{}
		case math.IsNaN(rd.Value):
			continue
		default:
			before := st.level
			back := st.state == sources.StateError || st.state == sources.StateStale
			to, val = judge(r, st, lim, rd, at), rd.Value
			thr, reason = e.describe(r, lim, st.state, before, to)
			switch {
			case st.floor != "" && (to == sources.StateOK || to == st.state || back):
				reason = st.floor
			case back && to > sources.StateOK && to == before && !entered(r, lim, to, rd.Value):
				// back from an outage at the level held before it, by a
				// value past the recovery level but not the entry one
				thr = r.Direction.recovery(levelThreshold(lim, to), r.recover())
				reason = fmt.Sprintf("%s held: past the recovery level %s", to, e.num(r.Indicator, thr))
			}
			if wasAbsent {
				reason = "data again, " + reason
			}
		}
		st.reason = reason // kept fresh for Status even without a transition
		if to == st.state {
			continue
		}
		from := st.state
		st.state, st.since = to, at
		if from == sources.StateUnknown && to == sources.StateOK {
			continue
		}
		out = append(out, Transition{At: at, Indicator: r.Indicator, From: from, To: to,
			Value: val, Threshold: thr, Phase: phase, Milestone: milestone, Reason: reason})
	}
	return out
}

// judge returns the level reading rd earns, updating the pending timers.
// A value over too few events or requests (min_count, min_total) cannot
// raise a level: it is noise. Nor can it clear one while it is still
// beyond the recovery level: a storm that thins out (clients giving up,
// a hang) would page and then send an all-clear at ten times the
// threshold. A level so held lets go after FloorHold without enough data
// to judge, so a night that goes quiet after an incident does not stay red.
func judge(r *Rule, st *ruleState, lim limits, rd Reading, at time.Time) sources.State {
	d, rec, v := r.Direction, r.recover(), rd.Value
	st.floor = ""
	thin := underFloor(r, rd)
	if thin == "" {
		st.thinSince = time.Time{}
	} else if st.thinSince.IsZero() {
		st.thinSince = at
	}
	enterWarn := thin == "" && lim.hasWarn && d.beyond(v, lim.warn)
	enterCrit := thin == "" && lim.hasCrit && d.beyond(v, lim.crit)
	st.warnSince = holdSince(st.warnSince, enterWarn, at)
	st.critSince = holdSince(st.critSince, enterCrit, at)

	up := sources.StateOK
	switch {
	case enterCrit && at.Sub(st.critSince) >= lim.pending:
		up = sources.StateCrit
	case enterWarn && at.Sub(st.warnSince) >= lim.pending:
		up = sources.StateWarn
	}
	// Hysteresis: a level already reached is kept until the value is back
	// past its recovery level, with no pending on the way down.
	hold := sources.StateOK
	switch {
	case st.level == sources.StateCrit && lim.hasCrit && d.beyond(v, d.recovery(lim.crit, rec)):
		hold = sources.StateCrit
	case st.level >= sources.StateWarn && lim.hasWarn && d.beyond(v, d.recovery(lim.warn, rec)):
		hold = sources.StateWarn
	}
	if thin != "" {
		switch {
		case hold > sources.StateOK && at.Sub(st.thinSince) >= FloorHold:
			hold = sources.StateOK
			st.floor = fmt.Sprintf("too little to judge for %s (%s)", model.Duration(FloorHold), thin)
		case hold > sources.StateOK:
			st.floor = hold.String() + " held: " + thin
		case lim.hasWarn && d.beyond(v, lim.warn) || lim.hasCrit && d.beyond(v, lim.crit):
			st.floor = thin
		}
	}
	st.level = max(up, hold)
	return st.level
}

// entered says v is beyond the entry threshold of level (warn or crit).
func entered(r *Rule, lim limits, level sources.State, v float64) bool {
	return r.Direction.beyond(v, levelThreshold(lim, level))
}

// levelThreshold is the entry threshold of warn or crit.
func levelThreshold(lim limits, level sources.State) float64 {
	if level == sources.StateCrit {
		return lim.crit
	}
	return lim.warn
}

// FloorHold is how long a level is held while the data is too thin to
// judge it (min_count, min_total) before it lets go.
const FloorHold = time.Minute

// underFloor says why rd is too thin to judge under r's min_count and
// min_total ("" when it is not, or when the source does not count).
func underFloor(r *Rule, rd Reading) string {
	switch {
	case !rd.Counted:
	case r.MinCount > 0 && rd.Count < float64(r.MinCount):
		return fmt.Sprintf("%g of min_count %d in the span", rd.Count, r.MinCount)
	case r.MinTotal > 0 && rd.Total < float64(r.MinTotal):
		return fmt.Sprintf("%g requests of min_total %d in the span", rd.Total, r.MinTotal)
	}
	return ""
}

// describe gives the threshold and reason of a change to level. Coming
// from a judged level below, it is the entry threshold; from above, the
// recovery level that was crossed. Coming from stale, error or absence
// (shown differs from the judged level before) it reads like an entry.
func (e *Engine) describe(r *Rule, lim limits, shown, before, level sources.State) (float64, string) {
	d, rec := r.Direction, r.recover()
	down := shown == before && level < before
	if !down {
		switch level {
		case sources.StateCrit:
			return lim.crit, fmt.Sprintf("%s crit %s", d, e.num(r.Indicator, lim.crit))
		case sources.StateWarn:
			return lim.warn, fmt.Sprintf("%s warn %s", d, e.num(r.Indicator, lim.warn))
		}
		return math.NaN(), "ok"
	}
	t, set := math.NaN(), false
	switch {
	case level == sources.StateWarn:
		t, set = d.recovery(lim.crit, rec), lim.hasCrit
	case lim.hasWarn:
		t, set = d.recovery(lim.warn, rec), true
	case lim.hasCrit:
		t, set = d.recovery(lim.crit, rec), true
	}
	if !set || math.IsInf(t, 0) {
		return math.NaN(), "threshold off in this phase"
	}
	back := "back at or below"
	if d == Below {
		back = "back at or above"
	}
	return t, fmt.Sprintf("%s %s", back, e.num(r.Indicator, t))
}

func holdSince(since time.Time, holds bool, at time.Time) time.Time {
	switch {
	case !holds:
		return time.Time{}
	case since.IsZero():
		return at
	}
	return since
}

// Status returns every rule's indicator state, in rule order.
func (e *Engine) Status() []Status {
	out := make([]Status, len(e.rules))
	for i := range e.rules {
		r, st := &e.rules[i], &e.st[i]
		lim := r.limits(e.phase)
		s := Status{Indicator: r.Indicator, State: st.state, Since: st.since, Value: st.value, ValueAt: st.valueAt,
			Warn: math.NaN(), Crit: math.NaN(), Direction: r.Direction, Reason: st.reason}
		if s.Direction == "" {
			s.Direction = Above
		}
		if lim.hasWarn {
			s.Warn = lim.warn
		}
		if lim.hasCrit {
			s.Crit = lim.crit
		}
		// A condition that holds but has not yet lasted `for` is shown as
		// pending, so a pane can say "crit in 12s" before it happens.
		if st.state != sources.StateStale && st.state != sources.StateError {
			switch {
			case !st.critSince.IsZero() && st.level < sources.StateCrit:
				s.Pending, s.PendingSince = sources.StateCrit, st.critSince
			case !st.warnSince.IsZero() && st.level < sources.StateWarn:
				s.Pending, s.PendingSince = sources.StateWarn, st.warnSince
			}
			if !s.PendingSince.IsZero() {
				s.PendingAt = s.PendingSince.Add(lim.pending)
			}
		}
		out[i] = s
	}
	return out
}

// Worst is the most severe state across all indicators (see Severity).
func (e *Engine) Worst() sources.State {
	w := sources.StateUnknown
	for i := range e.st {
		if Severity(e.st[i].state) > Severity(w) {
			w = e.st[i].state
		}
	}
	return w
}

// Severity orders states for "worst of": crit, then error (a source we
// cannot see through), warn, stale, ok, unknown.
func Severity(s sources.State) int {
	switch s {
	case sources.StateCrit:
		return 5
	case sources.StateError:
		return 4
	case sources.StateWarn:
		return 3
	case sources.StateStale:
		return 2
	case sources.StateOK:
		return 1
	}
	return 0
}
