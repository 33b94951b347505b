package pane

import (
	"math"
	"strings"

	"warroom/sources"
	"warroom/sources/units"
)

// How the timeline and the header write one transition: the indicator's
// name, shorter when that loses nothing, and the value against the level
// it crossed in the indicator's unit, as every other output writes them.

// shortName is an indicator's name without its source ("slow_ratio" for
// nginx.slow_ratio), unless another indicator of s would then read the
// same (two access logs, main.slow_ratio and api.slow_ratio).
func shortName(s *sources.Snapshot, name string) string {
	src, short, ok := strings.Cut(name, ".")
	if !ok || short == "" {
		return name
	}
	for _, in := range s.Indicators {
		if other, rest, ok := strings.Cut(in.Name, "."); ok && other != src && rest == short {
			return name
		}
	}
	return short
}

// bareName is a name without the "_ratio" or "_rate" its value's unit
// already says: "slow" for slow_ratio at 62‱, "499" for 499_rate at 7/s.
// A transition without a value keeps the whole name.
func bareName(name string, t sources.Transition, u sources.Unit) string {
	if !finite(t.Value) {
		return name
	}
	suffix := ""
	switch u {
	case sources.UnitRatio, sources.UnitBasisPt, sources.UnitPercent:
		suffix = "_ratio"
	case sources.UnitPerSecond:
		suffix = "_rate"
	}
	if b, ok := strings.CutSuffix(name, suffix); ok && suffix != "" && b != "" && !strings.HasSuffix(b, ".") {
		return b
	}
	return name
}

// transitionUnit is the unit a transition's numbers are in: its own, or
// the indicator's for a transition that does not carry one.
func transitionUnit(s *sources.Snapshot, t sources.Transition) sources.Unit {
	if t.Unit != "" {
		return t.Unit
	}
	if in, ok := s.Indicator(t.Indicator); ok {
		if in.Value.Unit != "" {
			return in.Value.Unit
		}
		return in.Series.Unit
	}
	return ""
}

// levelText is the value against the level crossed ("62‱ > 20‱", "3 at
// 3" where it crossed back exactly at it), the bare value when there is
// no level, and the reason when there is no value ("no data for 1m").
func levelText(st *Styles, s *sources.Snapshot, t sources.Transition) string {
	if !finite(t.Value) {
		if t.Reason != "" {
			return st.Dim.Render(clean(t.Reason))
		}
		return units.Format(t.Value, "")
	}
	u := transitionUnit(s, t)
	v := units.Format(t.Value, u)
	if !finite(t.Threshold) {
		return v
	}
	rel := "at"
	switch {
	case t.Value > t.Threshold:
		rel = ">"
	case t.Value < t.Threshold:
		rel = "<"
	}
	return v + " " + st.Dim.Render(rel+" "+units.Format(t.Threshold, u))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
