package collect

import (
	"time"

	"warroom/sources"
	"warroom/sources/schedule"
	"warroom/sources/watch"
)

// Tick judges every indicator at instant at: it reads each source's
// current values, evaluates the rules in the schedule's phase at at, adds
// the transitions to the timeline and hands them to every sink. Run calls
// it every Refresh; tests and replays call it with chosen instants.
func (c *Collector) Tick(at time.Time) []sources.Transition {
	c.tickMu.Lock()
	defer c.tickMu.Unlock()
	defer c.reportDue(at) // after this tick's transitions reach the timeline

	values := c.current(at)
	readings := make(map[string]watch.Reading, len(values))
	for _, v := range values {
		readings[v.Name] = watch.ReadingOf(v)
	}
	sched := c.schedule()
	phase, m := sched.PhaseAt(at)
	trs := c.engine.Evaluate(at, phase, m.Name, readings)
	status := make(map[string]watch.Status, len(c.o.Rules))
	for _, st := range c.engine.Status() {
		status[st.Indicator] = st
	}

	c.mu.Lock()
	c.lastAt, c.values, c.status = at, values, status
	view, viewSet := normalView(c.view), c.viewSet
	c.mu.Unlock()
	if viewSet { // what no one looks at is not fetched
		c.prefetch(view, at)
	}

	if len(trs) == 0 {
		return nil
	}
	c.tl.Add(trs...)
	c.keepDrivers(trs, c.currentEnd(at))
	out := c.transitions(trs, nil, values, EventZone(sched))
	for _, s := range c.o.Sinks {
		s.Take(out)
	}
	return out
}

// EventZone is the zone every time leaving warroom is written in: the
// schedule's time_zone, else the machine's.
func EventZone(s *schedule.Schedule) *time.Location {
	if loc, ok := s.Zone(); ok {
		return loc
	}
	return time.Local
}

// transitions converts the rules' transitions into the one type every
// output takes: At in zone, the unit each indicator's value has (from
// values, aligned with c.specs), acked[i] when given.
func (c *Collector) transitions(trs []watch.Transition, acked []bool, values []sources.Value, zone *time.Location) []sources.Transition {
	out := make([]sources.Transition, len(trs))
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, tr := range trs {
		var unit sources.Unit
		if k, ok := c.byName[tr.Indicator]; ok {
			unit = c.specs[k].unit
			if k < len(values) && values[k].Unit != "" {
				unit = values[k].Unit
			}
		}
		out[i] = sources.Transition{
			At: tr.At.In(zone), Indicator: tr.Indicator, From: tr.From, To: tr.To,
			Value: tr.Value, Threshold: tr.Threshold, Unit: unit,
			Phase: convertPhase(tr.Phase), Milestone: tr.Milestone, Reason: tr.Reason,
			Acked: i < len(acked) && acked[i],
		}
		if d, ok := c.trDrivers[trDriverKey{tr.Indicator, tr.At.UnixNano(), tr.To}]; ok {
			dc := *d
			out[i].Driver = &dc
		}
	}
	return out
}

// entries are the timeline's transitions as every consumer takes them.
func (c *Collector) entries(values []sources.Value, zone *time.Location) []sources.Transition {
	es := c.tl.Entries()
	trs, acked := make([]watch.Transition, len(es)), make([]bool, len(es))
	for i, e := range es {
		trs[i], acked[i] = e.Transition, e.Acked
	}
	return c.transitions(trs, acked, values, zone)
}

// Schedule is the schedule the collector judges phases by; nil when none.
func (c *Collector) Schedule() *schedule.Schedule { return c.schedule() }

func (c *Collector) schedule() *schedule.Schedule {
	if c.o.Schedule == nil {
		return nil
	}
	return c.o.Schedule()
}

// convertPhase crosses the boundary from the schedule's int phase to the
// shared string one; their names are the same.
func convertPhase(p schedule.Phase) sources.Phase { return sources.Phase(p.String()) }

func convertMilestone(s *schedule.Schedule, m schedule.Milestone) *sources.Milestone {
	return &sources.Milestone{Event: s.Event(), Stage: m.Name, At: m.End,
		Before: m.Windows.Before, Hot: m.Windows.Hot, After: m.Windows.After}
}
