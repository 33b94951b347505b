package schedule

import (
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
)

// Config is the `schedule:` section of warroom.yaml, or the whole of a
// separate schedule file (same shape; see Loader).
//
//	event: Year-end campaign 2026
//	time_zone: Asia/Shanghai
//	windows: {before: 10m, hot: 10m, after: 30m}   # defaults for every stage
//	recurring:
//	  - name: "Day {n}"             # {n} → 1, 2, …
//	    first: 2026-12-13 00:00     # end of the first stage
//	    every: 1d                   # whole days keep the local wall-clock time across DST
//	    count: 19                   # or until: 2026-12-31 00:00 (inclusive)
//	stages:
//	  - name: Final
//	    end: 2027-01-01T00:00:00+08:00
//	    windows: {before: 30m, after: 1h}   # per-field override of the defaults above
type Config struct {
	Event     string            `yaml:"event"`
	TimeZone  string            `yaml:"time_zone"` // IANA name; zoneless timestamps are read in it
	Windows   WindowsConfig     `yaml:"windows"`
	Stages    []StageConfig     `yaml:"stages"`
	Recurring []RecurringConfig `yaml:"recurring"`
}

// WindowsConfig overrides some or all of the windows around a stage end.
// Unset fields fall back to the section's windows, then to DefaultWindows.
type WindowsConfig struct {
	Before *model.Duration `yaml:"before"` // approaching: [end−before, end)
	Hot    *model.Duration `yaml:"hot"`    // hot: [end, end+hot)
	After  *model.Duration `yaml:"after"`  // cooling: [end+hot, end+after); measured from the end, so ≥ hot
}

// StageConfig is one explicitly dated stage end.
type StageConfig struct {
	Name    string        `yaml:"name"`
	End     string        `yaml:"end"` // see stamp.go for the accepted forms
	Windows WindowsConfig `yaml:"windows"`
}

// RecurringConfig expands into stages ending at First, First+Every, … until
// Count stages exist or the next end would pass Until.
type RecurringConfig struct {
	Name    string         `yaml:"name"`  // "{n}" is replaced by the 1-based stage number
	First   string         `yaml:"first"` // end of stage 1
	Every   model.Duration `yaml:"every"` // default 1d
	Count   int            `yaml:"count"`
	Until   string         `yaml:"until"` // last possible end, inclusive
	Windows WindowsConfig  `yaml:"windows"`
}

// Windows are the resolved durations around one stage end.
type Windows struct {
	Before, Hot, After time.Duration
}

// DefaultWindows are the windows when the config names none: the quarter hour
// before midnight is when people start refreshing, the flood is worst in the
// first ten minutes and stragglers keep coming for half an hour.
func DefaultWindows() Windows {
	return Windows{Before: 10 * time.Minute, Hot: 10 * time.Minute, After: 30 * time.Minute}
}

// maxMilestones bounds what a recurring entry may expand to (every: 1m for a
// year is a typo, not a schedule).
const maxMilestones = 10000

// UnmarshalYAML decodes strictly and validates, so errors carry lines.
func (c *Config) UnmarshalYAML(n *yaml.Node) error {
	*c = Config{}
	type plain Config
	if err := config.Decode(n, (*plain)(c)); err != nil {
		return err
	}
	_, err := build(c, n)
	return err
}

// Validate checks a config built in code rather than decoded: the same
// checks as decoding, without line numbers.
func (c *Config) Validate() error {
	_, err := build(c, nil)
	return err
}

// UnmarshalYAML decodes strictly.
func (w *WindowsConfig) UnmarshalYAML(n *yaml.Node) error {
	*w = WindowsConfig{}
	type plain WindowsConfig
	return config.Decode(n, (*plain)(w))
}

// UnmarshalYAML decodes strictly. The entry as a whole
// is checked by Config's UnmarshalYAML, which knows the time zone.
func (r *RecurringConfig) UnmarshalYAML(n *yaml.Node) error {
	*r = RecurringConfig{}
	type plain RecurringConfig
	return config.Decode(n, (*plain)(r))
}

func (w WindowsConfig) over(base Windows) Windows {
	if w.Before != nil {
		base.Before = time.Duration(*w.Before)
	}
	if w.Hot != nil {
		base.Hot = time.Duration(*w.Hot)
	}
	if w.After != nil {
		base.After = time.Duration(*w.After)
	}
	return base
}

// checkWindows reports a bad resolved window; n is the `windows` node.
func checkWindows(w Windows, n *yaml.Node, field string) error {
	at := func(k string) *yaml.Node { return config.FieldNode(n, k) }
	switch {
	case w.Before < 0:
		return config.Errorf(at("before"), field+".before", "must not be negative")
	case w.Hot < 0:
		return config.Errorf(at("hot"), field+".hot", "must not be negative")
	case w.After < w.Hot:
		return config.Errorf(at("after"), field+".after",
			"%s is shorter than hot %s (after is measured from the stage end, so it must be ≥ hot)",
			model.Duration(w.After), model.Duration(w.Hot))
	}
	return nil
}

// item returns the i-th element of sequence field key of mapping n, or the
// closest node there is, so errors point as near the problem as they can.
func item(n *yaml.Node, key string, i int) *yaml.Node {
	s := config.FieldNode(n, key)
	if s != nil && s.Kind == yaml.SequenceNode && i < len(s.Content) {
		return s.Content[i]
	}
	return s
}
