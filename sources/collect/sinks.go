package collect

import (
	"time"

	"warroom/sources"
)

// sinkStatus is the status bar's entries for the outputs: every sink's
// and the report writer's, but only while failing — a working output
// takes no room, a failing one shows like a failing source until a later
// success clears it.
func (c *Collector) sinkStatus() []sources.SourceStatus {
	var out []sources.SourceStatus
	for _, s := range c.o.Sinks {
		for _, st := range s.Status() {
			if failing(st.Health) {
				out = append(out, st)
			}
		}
	}
	if st := c.reportSink.Status(); failing(st.Health) {
		out = append(out, st)
	}
	return out
}

func failing(h sources.Health) bool {
	return h == sources.HealthError || h == sources.HealthUnreachable
}

// SinkStatus is every output's status, working or not: the sinks' and
// the report writer's (when reports_dir is set), for `warroom snapshot`
// and tests.
func (c *Collector) SinkStatus() []sources.SourceStatus {
	var out []sources.SourceStatus
	for _, s := range c.o.Sinks {
		out = append(out, s.Status()...)
	}
	if c.o.ReportsDir != "" {
		out = append(out, c.reportSink.Status())
	}
	return out
}

// reportDone records the fate of a report for the status bar.
func (c *Collector) reportDone(err error, at time.Time) {
	if err != nil {
		c.reportSink.Failed(sources.HealthError, sources.Brief(err))
		return
	}
	c.reportSink.Delivered(at)
}
