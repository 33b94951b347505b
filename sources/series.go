// Package sources holds the domain types every data source produces and every
// consumer (TUI panes, rules, headless commands) reads. It is deliberately tiny
// and stable: library types (Prometheus model values, parser internals) are
// converted to these at each source's boundary.
package sources

import (
	"math"
	"time"
)

// Unit says how a value is to be read and formatted.
type Unit string

const (
	UnitCount     Unit = "count"
	UnitPerSecond Unit = "per-second"
	UnitRatio     Unit = "ratio"   // 0..1
	UnitPercent   Unit = "percent" // 0..100
	UnitBasisPt   Unit = "‱"       // per ten thousand
	UnitSeconds   Unit = "seconds"
	UnitBytes     Unit = "bytes"
)

// Units lists every unit a config may name.
var Units = []Unit{UnitCount, UnitPerSecond, UnitRatio, UnitPercent, UnitBasisPt, UnitSeconds, UnitBytes}

// Health is how fresh and trustworthy a source's latest answer is.
type Health int

const (
	HealthUnknown     Health = iota // nothing heard yet
	HealthOK                        // fresh answer
	HealthStale                     // no fresh answer for too long: last value is history, not current
	HealthError                     // the source answered with an error
	HealthUnreachable               // the source could not be reached
)

func (h Health) String() string {
	switch h {
	case HealthOK:
		return "ok"
	case HealthStale:
		return "stale"
	case HealthError:
		return "error"
	case HealthUnreachable:
		return "unreachable"
	}
	return "unknown"
}

// MarshalText makes Health print as its name in JSON.
func (h Health) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// State is the judgement of an indicator against its rule.
type State int

const (
	StateUnknown State = iota
	StateOK
	StateWarn
	StateCrit
	StateStale
	StateError
)

func (s State) String() string {
	switch s {
	case StateOK:
		return "ok"
	case StateWarn:
		return "warn"
	case StateCrit:
		return "crit"
	case StateStale:
		return "stale"
	case StateError:
		return "error"
	}
	return "unknown"
}

// MarshalText makes State print as its name in JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Point is one sample. V may be NaN for "no value in this slot".
type Point struct {
	At time.Time
	V  float64
}

// Series is an ordered (by At) run of points with an identity.
type Series struct {
	Name   string            // legend text
	Labels map[string]string // may be nil
	Unit   Unit
	Points []Point
}

// Last returns the newest point whose value is not NaN.
func (s Series) Last() (Point, bool) {
	for i := len(s.Points) - 1; i >= 0; i-- {
		if !math.IsNaN(s.Points[i].V) {
			return s.Points[i], true
		}
	}
	return Point{}, false
}

// Value is one indicator's current reading, as shown by a stat pane or
// printed by `warroom snapshot`.
type Value struct {
	Name   string
	Value  float64
	Unit   Unit
	Health Health
	At     time.Time // when the value was true (not when it was fetched)
	Err    string    // short, sanitized reason when Health is error/unreachable
	// Counted says Count and Total hold the events (slow requests, 5xx,
	// errors) and the requests behind a rate or ratio over its span, so a
	// rule can tell 1 slow request of 600 from 50.
	Counted      bool
	Count, Total float64
	Gap          time.Duration // the source's usual time between lines; 0 when unknown
	// Silent says Health is stale because the source fell silent (not
	// because a server answered late): rules keep their state on it, so
	// one silence is one alarm (absence), not one transition per rule.
	Silent bool
	// Unmeasured says the source cannot give this value at all (an
	// access log whose format has no $request_time has no slow ratio):
	// Health is unknown for good, which is no failure of the source.
	Unmeasured bool
	// Loading says the source is still reading its history (a big log
	// from its start position): no value yet, and no absence either — the
	// lines are on their way, so `absent` counts from when it is done.
	Loading bool
}
