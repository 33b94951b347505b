package collect

import (
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/report"
	"warroom/sources/schedule"
	"warroom/sources/units"
)

// reportDue writes the report of every milestone whose window closed —
// plus Lag, so the window's last seconds are counted — since the previous
// tick. Only crossings count: a warroom started at noon does not rewrite
// last night's report. The summaries are read here, on the tick (about a
// millisecond for a 40-minute window and its predecessor, see
// report.BenchmarkSummarize), so they hold exactly the window; the fleet
// sources' top tables (asked of their servers), rendering and the file
// (fsync included) go to a goroutine Run and Replay wait for.
// c.tickMu is held.
func (c *Collector) reportDue(at time.Time) {
	if c.o.ReportsDir == "" {
		return
	}
	last := c.reportTick
	if !at.After(last) {
		return
	}
	c.reportTick = at
	sched := c.schedule()
	if last.IsZero() || sched == nil {
		return
	}
	for _, m := range sched.Milestones() {
		due := m.Finish().Add(c.o.Lag)
		if !due.After(last) || due.After(at) {
			continue
		}
		key := reportKey{m.End.UnixNano(), m.Name}
		if c.reported[key] {
			continue
		}
		c.reported[key] = true
		c.writeReport(sched, m, at)
	}
}

// reportUnfinished writes, at the end of a replay's input (at), the
// report of a milestone whose window the input entered but ends inside:
// logs copied soon after the night leave the window's tail out, and the
// report says so rather than not being written. c.tickMu is held.
func (c *Collector) reportUnfinished(at time.Time) {
	sched := c.schedule()
	if c.o.ReportsDir == "" || sched == nil {
		return
	}
	for _, m := range sched.Milestones() {
		key := reportKey{m.End.UnixNano(), m.Name}
		if c.reported[key] || !m.Start().Before(at) || !at.Before(m.Finish().Add(c.o.Lag)) {
			continue
		}
		c.reported[key] = true
		end := at.Add(-c.o.Lag) // what the input holds whole
		c.writeReportTo(sched, m, end, at, "the input ends "+units.DateClock(end.In(EventZone(sched)))+
			", before the window's end at "+units.DateClock(m.Finish().In(EventZone(sched)))+": the report covers the window up to there")
	}
}

type reportKey struct {
	end  int64
	name string
}

func (c *Collector) writeReport(sched *schedule.Schedule, m schedule.Milestone, at time.Time) {
	c.writeReportTo(sched, m, m.Finish(), at, "")
}

// writeReportTo writes m's report over its window cut at to, with note
// (when not "") among the report's notes.
func (c *Collector) writeReportTo(sched *schedule.Schedule, m schedule.Milestone, to, at time.Time, note string) {
	in := c.reportInputs()
	w := report.Window{Event: sched.Event(), Stage: m.Name, End: m.End, From: m.Start(), To: to}
	sum := report.Summarize(in, w, at)
	if note != "" {
		sum.Notes = append([]string{note}, sum.Notes...)
	}
	var prev *report.Summary
	if p, ok := sched.Prev(m.End.Add(-time.Nanosecond)); ok {
		prev = report.Summarize(in, report.SameOffsets(w, p.Name, p.End), at)
		switch {
		case prev.BeforeLog && len(in.Access) > 0:
			// its zeros are no data, not a quiet night: no comparison
			sum.NotCompared = p.Name
			prev = nil
		case len(prev.Unheld) > 0:
			// a stream that does not hold it here: its zeros are no data
			sum.NotCompared, sum.NotComparedWhy = p.Name, strings.Join(prev.Unheld, ", ")+" does not hold its window here"
			prev = nil
		}
	}
	c.mu.Lock()
	values := c.values
	c.mu.Unlock()
	trs := c.entries(values, EventZone(sched))
	// the event's zone, as the screen's clock and timeline show it
	ro := report.Options{Zone: EventZone(sched), Units: c.units()}
	dir, name, done := c.o.ReportsDir, report.FileName(sched.Event(), m.Name), c.o.OnReport
	c.reports.Go(func() {
		// fleet sources' tables are asked of their servers: here, never
		// on the tick, and within a bound
		sum.Fetched = c.reportTops(w.From, w.To)
		for _, f := range sum.Fetched {
			if f.Err != "" {
				sum.Notes = append(sum.Notes, f.Source+"'s top tables are missing: "+f.Err)
			}
		}
		path, err := report.Write(dir, name, report.Markdown(sum, prev, trs, ro))
		c.reportDone(err, at)
		if done != nil {
			done(path, err)
		}
	})
}

func (c *Collector) reportInputs() report.Inputs {
	var in report.Inputs
	for _, s := range c.o.Nginx {
		cfg := s.Config()
		in.Access = append(in.Access, report.Access{Name: s.Name(), Agg: s.Aggregator(),
			Seconds: time.Duration(cfg.AggregatorOptions().Seconds) * time.Second})
	}
	for _, s := range c.o.Apps {
		in.Apps = append(in.Apps, report.App{Name: s.Name(), Watcher: s.Watcher(),
			Seconds: time.Duration(s.Config().Retention)})
	}
	for _, s := range c.srcs {
		if sm, ok := s.(Summed); ok {
			in.Counted = append(in.Counted, report.Counted{Name: s.Name(), Sum: sm.Sum})
		}
		if ac, ok := s.(AppCounted); ok {
			in.Apps = append(in.Apps, report.App{Name: s.Name(), Watcher: ac})
		}
	}
	in.TopN = c.o.TopN
	return in
}

// units is every indicator's unit, for a report to write values as the
// screen does. The specs are fixed at New, so this reads no locked state.
func (c *Collector) units() map[string]sources.Unit {
	out := make(map[string]sources.Unit, len(c.specs))
	for _, sp := range c.specs {
		out[sp.name] = sp.unit
	}
	return out
}
