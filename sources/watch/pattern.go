package watch

import "strings"

// Rules for many indicators at once: a * in a rule's indicator stands for
// one dot-free part, so nginx.*.5xx_ratio judges every path group's 5xx
// ratio with one rule instead of one rule per group.

// IsPattern reports whether indicator holds a wildcard.
func IsPattern(indicator string) bool { return strings.Contains(indicator, "*") }

// Match reports whether pattern (parts split by dots, * for any one part)
// matches name.
func Match(pattern, name string) bool {
	for {
		p, prest, pmore := strings.Cut(pattern, ".")
		n, nrest, nmore := strings.Cut(name, ".")
		if p != "*" && p != n || pmore != nmore {
			return false
		}
		if !pmore {
			return true
		}
		pattern, name = prest, nrest
	}
}

// Expand returns rs with each wildcard rule replaced by a copy for every
// indicator of names it matches, in names' order. A rule that names an
// indicator exactly, or an earlier wildcard, wins: an indicator gets one
// rule.
func (rs Rules) Expand(names []string) Rules {
	taken := map[string]bool{}
	for _, r := range rs {
		if !IsPattern(r.Indicator) {
			taken[r.Indicator] = true
		}
	}
	out := make(Rules, 0, len(rs))
	for _, r := range rs {
		if !IsPattern(r.Indicator) {
			out = append(out, r)
			continue
		}
		for _, n := range names {
			if !taken[n] && Match(r.Indicator, n) {
				c := r
				c.Indicator, c.Phases = n, r.Phases.clone()
				out = append(out, c)
				taken[n] = true
			}
		}
	}
	return out
}

// clone copies the overrides, so rules expanded from one pattern share
// nothing a caller might change.
func (o PhaseOverrides) clone() PhaseOverrides {
	cp := func(v *Override) *Override {
		if v == nil {
			return nil
		}
		c := *v
		return &c
	}
	return PhaseOverrides{Normal: cp(o.Normal), Approaching: cp(o.Approaching), Hot: cp(o.Hot), Cooling: cp(o.Cooling)}
}
