package schedule

import "fmt"

// Phase is where an instant sits relative to the nearest milestone.
//
//	normal ── approaching ──┤end├── hot ── cooling ── normal
//	          [end−before, end) [end, end+hot) [end+hot, end+after)
type Phase int

const (
	PhaseNormal      Phase = iota // no milestone window
	PhaseApproaching              // in the last `before` before a stage end
	PhaseHot                      // in the first `hot` after a stage end: the flood
	PhaseCooling                  // after hot, until end+after
)

// Phases lists every phase in order; a Phase is also a valid index into a
// [len(Phases)]T array.
var Phases = []Phase{PhaseNormal, PhaseApproaching, PhaseHot, PhaseCooling}

func (p Phase) String() string {
	switch p {
	case PhaseNormal:
		return "normal"
	case PhaseApproaching:
		return "approaching"
	case PhaseHot:
		return "hot"
	case PhaseCooling:
		return "cooling"
	}
	return fmt.Sprintf("phase(%d)", int(p))
}

// MarshalText makes Phase print as its name in JSON.
func (p Phase) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// ParsePhase is the inverse of String.
func ParsePhase(s string) (Phase, error) {
	for _, p := range Phases {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("schedule: unknown phase %q (want normal, approaching, hot or cooling)", s)
}
