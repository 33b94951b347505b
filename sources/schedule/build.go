package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time_zone must load on hosts without /usr/share/zoneinfo

	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
)

// build turns a config into a schedule, checking everything on the way. n is
// the section's node for error lines, nil for a config built in code.
func build(c *Config, n *yaml.Node) (*Schedule, error) {
	s := &Schedule{event: c.Event, loc: time.UTC}
	var zone *time.Location // nil: zoneless timestamps are errors
	if c.TimeZone != "" {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			return nil, config.Errorf(config.FieldNode(n, "time_zone"), "time_zone", "unknown time zone %q", c.TimeZone)
		}
		zone, s.loc, s.zoned = loc, loc, true
	}
	wn := config.FieldNode(n, "windows")
	base := c.Windows.over(DefaultWindows())
	if err := checkWindows(base, wn, "windows"); err != nil {
		return nil, err
	}

	for i, st := range c.Stages {
		in, field := item(n, "stages", i), fmt.Sprintf("stages[%d]", i)
		if strings.TrimSpace(st.Name) == "" {
			return nil, config.Errorf(config.FieldNode(in, "name"), field+".name", "missing")
		}
		if st.End == "" {
			return nil, config.Errorf(in, field+".end", "missing")
		}
		end, err := parseStamp(st.End, zone)
		if err != nil {
			return nil, config.Errorf(config.FieldNode(in, "end"), field+".end", "%w", err)
		}
		w := st.Windows.over(base)
		if err := checkWindows(w, config.FieldNode(in, "windows"), field+".windows"); err != nil {
			return nil, err
		}
		s.ms = append(s.ms, Milestone{Name: st.Name, End: end.In(s.loc), Windows: w, line: line(in), field: field})
	}

	for i, rc := range c.Recurring {
		in, field := item(n, "recurring", i), fmt.Sprintf("recurring[%d]", i)
		ms, err := expand(rc, base, zone, in, field)
		if err != nil {
			return nil, err
		}
		if len(s.ms)+len(ms) > maxMilestones {
			return nil, config.Errorf(in, field, "expands past %d stages in all; check every/count/until", maxMilestones)
		}
		for _, m := range ms {
			m.End = m.End.In(s.loc)
			s.ms = append(s.ms, m)
		}
	}

	slices.SortStableFunc(s.ms, func(a, b Milestone) int { return a.End.Compare(b.End) })
	if err := checkNames(s.ms); err != nil {
		return nil, err
	}
	if err := checkOverlaps(s.ms); err != nil {
		return nil, err
	}
	return s, nil
}

// expand lists the stages of one recurring entry.
func expand(rc RecurringConfig, base Windows, zone *time.Location, in *yaml.Node, field string) ([]Milestone, error) {
	at := func(k string) *yaml.Node { return config.FieldNode(in, k) }
	if strings.TrimSpace(rc.Name) == "" {
		return nil, config.Errorf(at("name"), field+".name", "missing")
	}
	if rc.First == "" {
		return nil, config.Errorf(in, field+".first", "missing (the end of the first stage)")
	}
	first, err := parseStamp(rc.First, zone)
	if err != nil {
		return nil, config.Errorf(at("first"), field+".first", "%w", err)
	}
	every := time.Duration(rc.Every)
	if every == 0 {
		every = 24 * time.Hour
	}
	switch {
	case every < 0:
		return nil, config.Errorf(at("every"), field+".every", "must be positive")
	case rc.Count < 0:
		return nil, config.Errorf(at("count"), field+".count", "must be positive, got %d", rc.Count)
	case rc.Count == 0 && rc.Until == "":
		return nil, config.Errorf(in, field, "needs count or until: a recurring stage must end")
	case rc.Count > 0 && rc.Until != "":
		return nil, config.Errorf(at("until"), field+".until", "give count or until, not both")
	}
	var until time.Time
	if rc.Until != "" {
		if until, err = parseStamp(rc.Until, zone); err != nil {
			return nil, config.Errorf(at("until"), field+".until", "%w", err)
		}
		if until.Before(first) {
			return nil, config.Errorf(at("until"), field+".until", "%s is before first %s", rc.Until, rc.First)
		}
	}
	w := rc.Windows.over(base)
	if err := checkWindows(w, at("windows"), field+".windows"); err != nil {
		return nil, err
	}

	// Whole days step the calendar in the event zone, so "every day at
	// 00:00" stays at local midnight across a DST change (a 23 h or 25 h
	// day); other periods are plain elapsed time. Each end is computed from
	// stage 1 rather than from the previous one, so a wall-clock time that
	// falls into a DST gap on one day does not shift the days after it.
	loc := zone
	if loc == nil {
		_, off := first.Zone()
		loc = time.FixedZone("", off)
	}
	wall := first.In(loc)
	y, mo, d := wall.Date()
	hh, mm, ss := wall.Clock()
	days, byDay := int(every/(24*time.Hour)), every%(24*time.Hour) == 0
	end := func(i int) time.Time {
		if byDay {
			return inZone(time.Date(y, mo, d+i*days, hh, mm, ss, wall.Nanosecond(), time.UTC), loc)
		}
		return first.Add(time.Duration(i) * every)
	}

	var ms []Milestone
	for i := 0; rc.Count == 0 || i < rc.Count; i++ {
		t := end(i)
		if !until.IsZero() && t.After(until) {
			break
		}
		if i >= maxMilestones {
			return nil, config.Errorf(in, field, "expands past %d stages; check every/count/until", maxMilestones)
		}
		name := strings.ReplaceAll(rc.Name, "{n}", strconv.Itoa(i+1))
		ms = append(ms, Milestone{Name: name, End: t, Windows: w, line: line(in), field: field})
	}
	if len(ms) > 1 && !strings.Contains(rc.Name, "{n}") {
		return nil, config.Errorf(at("name"), field+".name", "%q needs {n} so its stages get distinct names", rc.Name)
	}
	return ms, nil
}

func checkNames(ms []Milestone) error {
	seen := make(map[string]Milestone, len(ms))
	// Report against the later line so the error sits where a person
	// added the duplicate.
	byLine := slices.Clone(ms)
	slices.SortStableFunc(byLine, func(a, b Milestone) int { return cmp.Compare(a.line, b.line) })
	for _, m := range byLine {
		if o, ok := seen[m.Name]; ok {
			return &config.Error{Line: m.line, Field: m.field + ".name",
				Err: fmt.Errorf("duplicate stage name %q (also %s)", m.Name, where(o))}
		}
		seen[m.Name] = m
	}
	return nil
}

// checkOverlaps needs ms sorted by End. Checking neighbours is enough: if
// any two windows overlap, some pair of neighbours does, because each
// window contains its own end.
func checkOverlaps(ms []Milestone) error {
	for i := 1; i < len(ms); i++ {
		a, b := ms[i-1], ms[i]
		later := b
		if a.line > b.line {
			later = a
		}
		if a.End.Equal(b.End) {
			return &config.Error{Line: later.line, Field: later.field,
				Err: fmt.Errorf("stages %q (%s) and %q (%s) both end at %s", a.Name, where(a), b.Name, where(b), stamp(a.End))}
		}
		if cool, appr := a.End.Add(a.Windows.After), b.End.Add(-b.Windows.Before); cool.After(appr) {
			return &config.Error{Line: later.line, Field: later.field, Err: fmt.Errorf(
				"windows of %q (%s, ends %s) and %q (%s, ends %s) overlap: %q cools until %s but %q approaches from %s",
				a.Name, where(a), stamp(a.End), b.Name, where(b), stamp(b.End), a.Name, stamp(cool), b.Name, stamp(appr))}
		}
	}
	return nil
}

func line(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

func where(m Milestone) string {
	if m.line > 0 {
		return fmt.Sprintf("%s, line %d", m.field, m.line)
	}
	return m.field
}

func stamp(t time.Time) string { return t.Format("2006-01-02 15:04:05 -07:00") }
