// Package watch judges indicators against rules on every refresh tick:
// warn and crit thresholds that may differ by schedule phase, a pending
// period before a state goes up, hysteresis on the way down, and absence
// of data as an alarm of its own. Each change of state is a Transition;
// the Timeline keeps them for the whole run with acknowledgement, and a
// JSON-lines writer records them for the morning.
//
// Everything here is pure and deterministic: time comes in as explicit
// instants, readings as a map. Engine and its methods are not safe for
// concurrent use; Timeline is.
package watch

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
	"warroom/sources/schedule"
)

// Direction says which side of a threshold is trouble.
type Direction string

const (
	Above Direction = "above" // trouble when value > threshold (the default)
	Below Direction = "below" // trouble when value < threshold (e.g. traffic collapsing)
)

// Rule judges one indicator. A rule needs at least one of warn, crit or
// absent, in its base or in some phase.
//
//	rules:
//	  - indicator: nginx.499_rate   # an opaque name the sources provide
//	    warn: 0.5                   # per second, like the indicator
//	    crit: 1
//	    direction: above            # default
//	    for: 30s                    # the condition must hold this long before the state goes up
//	    recover: 0.8                # the state comes down once value ≤ threshold × 0.8
//	    absent: 60s                 # no data for this long → crit; auto: from the source's pace
//	    min_count: 5                # a ratio or rate fires only on this many events in its span
//	    phases:                     # per-phase overrides of warn, crit, for, absent
//	      hot: {warn: 2, crit: 5}   # in hot, for is at most HotHold unless named here
//
// An indicator may hold * for one dot-free part (nginx.*.5xx_ratio: every
// path group's): the rule then judges each indicator it matches that no
// rule names exactly (Expand).
//
// Recover is a fraction of the threshold rather than an explicit value, so
// it follows per-phase thresholds without being repeated in each phase. For
// direction below the state comes down once value ≥ threshold ÷ recover.
// 1 (the default) means no hysteresis: what you write is where it fires and
// clears, and `for` is what damps flapping. In code, 0 also means 1.
//
// A phase can switch a threshold off with .inf (above) or -.inf (below).
type Rule struct {
	Indicator string         `yaml:"indicator"`
	Warn      *float64       `yaml:"warn"`
	Crit      *float64       `yaml:"crit"`
	Direction Direction      `yaml:"direction"`
	For       model.Duration `yaml:"for"`
	Recover   float64        `yaml:"recover"`
	Absent    Absence        `yaml:"absent"`
	MinCount  int            `yaml:"min_count"` // events (slow requests, 5xx, errors) the span must hold to judge
	MinTotal  int            `yaml:"min_total"` // requests the span must hold to judge a ratio
	Phases    PhaseOverrides `yaml:"phases"`

	line int // of the indicator, for CheckIndicators; 0 when built in code
}

// PhaseOverrides holds what changes in each schedule phase; nil fields
// keep the rule's base.
type PhaseOverrides struct {
	Normal      *Override `yaml:"normal"`
	Approaching *Override `yaml:"approaching"`
	Hot         *Override `yaml:"hot"`
	Cooling     *Override `yaml:"cooling"`
}

// Override replaces some of a rule's settings in one phase.
type Override struct {
	Warn   *float64        `yaml:"warn"`
	Crit   *float64        `yaml:"crit"`
	For    *model.Duration `yaml:"for"`
	Absent *Absence        `yaml:"absent"`
}

// Absence is how long an indicator may go without data before that is an
// alarm (crit): a duration, 0 for never, or AbsentAuto.
type Absence model.Duration

// AbsentAuto judges absence by the source's own pace: a busy access log
// is silent after a few seconds, one that writes a line a minute only
// after several of its usual gaps (see AutoAbsent).
const AbsentAuto = Absence(-1)

// UnmarshalYAML takes a duration like 60s, or auto.
func (a *Absence) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Value == "auto" {
		*a = AbsentAuto
		return nil
	}
	var d model.Duration
	if err := n.Decode(&d); err != nil {
		return err
	}
	*a = Absence(d)
	return nil
}

func (a Absence) String() string {
	if a == AbsentAuto {
		return "auto"
	}
	return model.Duration(a).String()
}

// Rules is the `rules:` section. Decoding it also rejects two rules for
// the same indicator.
type Rules []Rule

// Float returns a pointer to v, for rules built in code.
func Float(v float64) *float64 { return &v }

// Get returns the override for phase p, or nil.
func (o PhaseOverrides) Get(p schedule.Phase) *Override {
	switch p {
	case schedule.PhaseNormal:
		return o.Normal
	case schedule.PhaseApproaching:
		return o.Approaching
	case schedule.PhaseHot:
		return o.Hot
	case schedule.PhaseCooling:
		return o.Cooling
	}
	return nil
}

// UnmarshalYAML applies defaults, decodes strictly and validates.
func (r *Rule) UnmarshalYAML(n *yaml.Node) error {
	*r = Rule{Direction: Above, Recover: 1}
	// Phases are decoded here rather than by the yaml library, whose
	// errors from nested types lose the field path and line.
	rest, pn := withoutKey(n, "phases")
	type plain Rule
	if err := config.Decode(rest, (*plain)(r)); err != nil {
		return err
	}
	if pn != nil && pn.Tag != "!!null" {
		if err := decodePhases(pn, &r.Phases); err != nil {
			return err
		}
	}
	r.line = config.FieldNode(n, "indicator").Line
	if v := config.FieldNode(n, "recover"); v != n && r.Recover == 0 {
		return config.Errorf(v, "recover", "must be in (0, 1], got 0")
	}
	return r.validate(n)
}

// Validate checks a rule built in code: the same checks as decoding,
// without line numbers.
func (r *Rule) Validate() error { return r.validate(nil) }

func (r *Rule) validate(n *yaml.Node) error {
	at := func(k string) *yaml.Node { return config.FieldNode(n, k) }
	if r.Indicator == "" || strings.ContainsAny(r.Indicator, " \t\n") {
		return config.Errorf(at("indicator"), "indicator", "must be non-empty without spaces, got %q", r.Indicator)
	}
	for _, part := range strings.Split(r.Indicator, ".") {
		if strings.Contains(part, "*") && part != "*" {
			return config.Errorf(at("indicator"), "indicator", "%q: * stands for a whole part between dots (nginx.*.5xx_ratio)", r.Indicator)
		}
	}
	switch r.Direction {
	case Above, Below:
	case "":
		r.Direction = Above
	default:
		return config.Errorf(at("direction"), "direction", "want above or below, got %q", r.Direction)
	}
	if r.Recover < 0 || r.Recover > 1 || math.IsNaN(r.Recover) {
		return config.Errorf(at("recover"), "recover", "must be in (0, 1], got %g", r.Recover)
	}
	if r.For < 0 {
		return config.Errorf(at("for"), "for", "must not be negative")
	}
	if r.Absent < 0 && r.Absent != AbsentAuto {
		return config.Errorf(at("absent"), "absent", "must not be negative")
	}
	if r.MinCount < 0 {
		return config.Errorf(at("min_count"), "min_count", "must not be negative")
	}
	if r.MinTotal < 0 {
		return config.Errorf(at("min_total"), "min_total", "must not be negative")
	}
	fires := r.Warn != nil || r.Crit != nil || r.Absent > 0 || r.Absent == AbsentAuto
	for _, p := range schedule.Phases {
		o := r.Phases.Get(p)
		if o != nil {
			fires = fires || o.Warn != nil || o.Crit != nil || (o.Absent != nil && (*o.Absent > 0 || *o.Absent == AbsentAuto))
		}
		if err := r.checkLimits(r.limits(p), p, o, n); err != nil {
			return err
		}
	}
	if !fires {
		return config.Errorf(n, "", "rule for %q has none of warn, crit or absent: it could never fire", r.Indicator)
	}
	return nil
}

// checkLimits checks the settings in force in phase p. Errors point at the
// override when there is one, since that is where the combination arose.
func (r *Rule) checkLimits(l limits, p schedule.Phase, o *Override, n *yaml.Node) error {
	node, field := n, ""
	if o != nil {
		node = config.FieldNode(config.FieldNode(n, "phases"), p.String())
		field = "phases." + p.String() + "."
	}
	for _, c := range []struct {
		name string
		v    float64
		set  bool
	}{{"warn", l.warn, l.hasWarn}, {"crit", l.crit, l.hasCrit}} {
		if !c.set {
			continue
		}
		if math.IsNaN(c.v) {
			return config.Errorf(config.FieldNode(node, c.name), field+c.name, "must be a number")
		}
		if c.v < 0 && r.recover() < 1 {
			return config.Errorf(config.FieldNode(node, c.name), field+c.name,
				"%g is negative: recover (a fraction of the threshold) needs thresholds ≥ 0", c.v)
		}
	}
	if l.hasWarn && l.hasCrit {
		if r.Direction == Above && l.warn > l.crit {
			return config.Errorf(config.FieldNode(node, "warn"), field+"warn", "%g is above crit %g (direction above)", l.warn, l.crit)
		}
		if r.Direction == Below && l.warn < l.crit {
			return config.Errorf(config.FieldNode(node, "warn"), field+"warn", "%g is below crit %g (direction below)", l.warn, l.crit)
		}
	}
	if l.pending < 0 {
		return config.Errorf(config.FieldNode(node, "for"), field+"for", "must not be negative")
	}
	if l.absent < 0 && !l.autoAbsent {
		return config.Errorf(config.FieldNode(node, "absent"), field+"absent", "must not be negative")
	}
	return nil
}

func (r *Rule) recover() float64 {
	if r.Recover == 0 {
		return 1
	}
	return r.Recover
}

// UnmarshalYAML decodes each rule, naming it rules[i] in errors, and
// rejects a second rule for an indicator.
func (rs *Rules) UnmarshalYAML(n *yaml.Node) error {
	*rs = nil
	if n.Kind != yaml.SequenceNode {
		return config.Errorf(n, "rules", "want a list of rules")
	}
	seen := map[string]int{}
	for i, c := range n.Content {
		var r Rule
		if err := r.UnmarshalYAML(c); err != nil {
			return prefix(err, fmt.Sprintf("rules[%d].", i))
		}
		if line, ok := seen[r.Indicator]; ok {
			return config.Errorf(config.FieldNode(c, "indicator"), fmt.Sprintf("rules[%d].indicator", i),
				"second rule for %q (first at line %d): put both thresholds in one rule", r.Indicator, line)
		}
		seen[r.Indicator] = r.line
		*rs = append(*rs, r)
	}
	return nil
}

// Validate checks rules built in code.
func (rs Rules) Validate() error {
	seen := map[string]bool{}
	for i := range rs {
		if err := rs[i].Validate(); err != nil {
			return prefix(err, fmt.Sprintf("rules[%d].", i))
		}
		if seen[rs[i].Indicator] {
			return &config.Error{Field: fmt.Sprintf("rules[%d].indicator", i), Err: fmt.Errorf("second rule for %q", rs[i].Indicator)}
		}
		seen[rs[i].Indicator] = true
	}
	return nil
}

// CheckIndicators reports the first rule whose indicator known rejects,
// with its line; a wildcard must match some indicator of names. It is
// separate from decoding because only the wiring knows which sources, and
// so which indicators, exist.
func (rs Rules) CheckIndicators(known func(string) bool, names []string) error {
	for i, r := range rs {
		if IsPattern(r.Indicator) {
			if !slices.ContainsFunc(names, func(n string) bool { return Match(r.Indicator, n) }) {
				return &config.Error{Line: r.line, Field: fmt.Sprintf("rules[%d].indicator", i),
					Err: fmt.Errorf("%q matches no indicator", r.Indicator)}
			}
			continue
		}
		if !known(r.Indicator) {
			return &config.Error{Line: r.line, Field: fmt.Sprintf("rules[%d].indicator", i),
				Err: fmt.Errorf("unknown indicator %q", r.Indicator)}
		}
	}
	return nil
}

// withoutKey returns a copy of mapping n without key, and key's value node.
func withoutKey(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return n, nil
	}
	m := *n
	m.Content = nil
	var v *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v = n.Content[i+1]
			continue
		}
		m.Content = append(m.Content, n.Content[i], n.Content[i+1])
	}
	return &m, v
}

// decodePhases decodes the `phases:` mapping strictly, naming each error's
// field as phases.<phase>.<key>.
func decodePhases(n *yaml.Node, o *PhaseOverrides) error {
	if n.Kind != yaml.MappingNode {
		return config.Errorf(n, "phases", "want a mapping from phase (normal, approaching, hot, cooling) to overrides")
	}
	seen := map[schedule.Phase]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p, err := schedule.ParsePhase(k.Value)
		if err != nil {
			return config.Errorf(k, "phases."+k.Value, "unknown field (known: approaching, cooling, hot, normal)")
		}
		if seen[p] {
			return config.Errorf(k, "phases."+k.Value, "given twice")
		}
		seen[p] = true
		field := "phases." + k.Value + "."
		ov := new(Override)
		if err := config.Decode(v, ov); err != nil {
			return prefix(err, field)
		}
		switch p {
		case schedule.PhaseNormal:
			o.Normal = ov
		case schedule.PhaseApproaching:
			o.Approaching = ov
		case schedule.PhaseHot:
			o.Hot = ov
		case schedule.PhaseCooling:
			o.Cooling = ov
		}
	}
	return nil
}

// prefix puts p in front of the field a config error names.
func prefix(err error, p string) error {
	var ce *config.Error
	if errors.As(err, &ce) {
		return &config.Error{Line: ce.Line, Field: strings.TrimSuffix(p+ce.Field, "."), Err: ce.Err}
	}
	return err
}
