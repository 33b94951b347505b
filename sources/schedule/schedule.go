// Package schedule knows an event's stage-end milestones (usually midnight,
// when users flood in to see results) and which phase any instant is in
// relative to them: normal, approaching, hot or cooling. Rules use the phase
// to judge differently around a milestone, panes use it to colour the header
// and mark charts, and `warroom check` lists what is coming.
//
// Everything here is pure and takes explicit instants; only Loader does IO.
package schedule

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"warroom/sources/config"
)

// Milestone is one stage end with its windows.
type Milestone struct {
	Name    string
	End     time.Time // in the event's zone
	Windows Windows

	line  int    // config line of the stage (or recurring entry), 0 when built in code
	field string // config path, e.g. "recurring[0]"
}

// IsZero reports whether m is the absent milestone.
func (m Milestone) IsZero() bool { return m.Name == "" && m.End.IsZero() }

// Start is when m's approaching phase begins.
func (m Milestone) Start() time.Time { return m.End.Add(-m.Windows.Before) }

// Finish is when m's cooling phase ends.
func (m Milestone) Finish() time.Time { return m.End.Add(m.Windows.After) }

// Schedule is an immutable, sorted set of milestones with non-overlapping
// windows. A nil *Schedule is valid and empty: every instant is normal.
type Schedule struct {
	event string
	loc   *time.Location
	zoned bool        // loc is the config's time_zone, not the default
	ms    []Milestone // sorted by End
}

// New builds a schedule from a config, validating it.
func New(c Config) (*Schedule, error) {
	s, err := build(&c, nil)
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	return s, nil
}

// Parse reads a schedule file: a YAML document shaped like Config.
func Parse(r io.Reader) (*Schedule, error) {
	var c Config
	if err := config.Load(r, &c); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	return New(c)
}

// Event is the event's name from the config.
func (s *Schedule) Event() string {
	if s == nil {
		return ""
	}
	return s.event
}

// Location is the event's time zone (UTC when time_zone is unset).
func (s *Schedule) Location() *time.Location {
	if s == nil || s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// Zone is the time zone the config names in time_zone; ok is false when
// it names none (the event's times are then the machine's, see
// collect.EventZone).
func (s *Schedule) Zone() (loc *time.Location, ok bool) {
	if s == nil || !s.zoned {
		return nil, false
	}
	return s.loc, true
}

// Len is the number of milestones.
func (s *Schedule) Len() int {
	if s == nil {
		return 0
	}
	return len(s.ms)
}

// Milestones returns a copy of all milestones in time order.
func (s *Schedule) Milestones() []Milestone {
	if s == nil {
		return nil
	}
	return slices.Clone(s.ms)
}

// after returns the index of the first milestone ending strictly after t.
func (s *Schedule) after(t time.Time) int {
	return sort.Search(len(s.ms), func(i int) bool { return s.ms[i].End.After(t) })
}

// Next returns the first milestone ending strictly after t. At the exact end
// instant a milestone has already passed: it is Prev, and the phase is hot.
func (s *Schedule) Next(t time.Time) (Milestone, bool) {
	if s == nil {
		return Milestone{}, false
	}
	if i := s.after(t); i < len(s.ms) {
		return s.ms[i], true
	}
	return Milestone{}, false
}

// Prev returns the last milestone ending at or before t.
func (s *Schedule) Prev(t time.Time) (Milestone, bool) {
	if s == nil {
		return Milestone{}, false
	}
	if i := s.after(t); i > 0 {
		return s.ms[i-1], true
	}
	return Milestone{}, false
}

// PhaseAt returns the phase at t and the milestone whose window t is in
// (the zero Milestone when the phase is normal). Windows are half-open:
// approaching is [end−before, end), hot [end, end+hot), cooling
// [end+hot, end+after).
func (s *Schedule) PhaseAt(t time.Time) (Phase, Milestone) {
	if s == nil {
		return PhaseNormal, Milestone{}
	}
	i := s.after(t)
	if i < len(s.ms) && !t.Before(s.ms[i].Start()) {
		return PhaseApproaching, s.ms[i]
	}
	if i > 0 {
		m := s.ms[i-1]
		switch {
		case t.Before(m.End.Add(m.Windows.Hot)):
			return PhaseHot, m
		case t.Before(m.Finish()):
			return PhaseCooling, m
		}
	}
	return PhaseNormal, Milestone{}
}

// Between returns the milestones ending in [a, b], for chart markers.
func (s *Schedule) Between(a, b time.Time) []Milestone {
	if s == nil || b.Before(a) {
		return nil
	}
	i := sort.Search(len(s.ms), func(i int) bool { return !s.ms[i].End.Before(a) })
	j := s.after(b)
	return slices.Clone(s.ms[i:j])
}

// Upcoming returns up to n milestones ending strictly after t.
func (s *Schedule) Upcoming(t time.Time, n int) []Milestone {
	if s == nil || n <= 0 {
		return nil
	}
	i := s.after(t)
	return slices.Clone(s.ms[i:min(i+n, len(s.ms))])
}
