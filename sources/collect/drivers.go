package collect

import (
	"context"
	"math"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/watch"
)

// A driver counts the span current values cover (Options.Span, 10 s by
// default) as the top tables keep it: the whole minutes touching it — the
// minute under way, and the one before while the span reaches into it.
// What the flood is made of now, not over the chart's window; a storm
// that ended a minute ago no longer names the path.

// markOf is the kind of request that moves an access-log metric; false
// for the metrics no path or client drives apart (304s, bytes, latency
// means) and for path groups (their requests are one group's: the log's
// driver would name the others').
func markOf(sp spec) (nginx.Mark, bool) {
	if sp.group != "" {
		return 0, false
	}
	switch sp.m {
	case nginx.MetricQPS:
		return nginx.MarkRequests, true
	case nginx.Metric499Rate:
		return nginx.Mark499, true
	case nginx.MetricSlowRatio:
		return nginx.MarkSlow, true
	case nginx.Metric5xxRatio, nginx.Metric5xxRate:
		return nginx.Mark5xx, true
	}
	return 0, false
}

type driverKey struct {
	src            int
	fromMin, toMin int64
	ver            uint64
}

// drivers is source p's drivers over the span before end, aligned
// with its indicators, from the cache while no line was counted and the
// minutes are the same; nil when it has none.
func (c *Collector) drivers(p int, end time.Time) []*sources.Driver {
	src := c.srcs[p]
	tb, ok := src.(Tabled)
	if !ok {
		return nil
	}
	ver := version(src) // before the window: a line counted meanwhile changes it
	from := end.Add(-c.o.Span)
	f, t := from.Unix(), end.Unix()
	key := driverKey{src: p, fromMin: f - f%60, toMin: t - 1 - (t-1)%60, ver: ver}
	c.cache.mu.Lock()
	ds, ok := c.cache.drivers[key]
	c.cache.mu.Unlock()
	if ok && ver != noVersion {
		return ds
	}
	ds = tb.Drivers(from, end)
	c.cache.mu.Lock()
	if c.cache.drivers == nil || len(c.cache.drivers) > 2*len(c.srcs) {
		c.cache.drivers = map[driverKey][]*sources.Driver{}
	}
	c.cache.drivers[key] = ds
	c.cache.mu.Unlock()
	return ds
}

func driverKeyOf(k nginx.DriverKey) sources.DriverKey {
	return sources.DriverKey{Key: sources.Sanitize(k.Key), Count: k.Sure, Max: k.Max}
}

// driverOf is indicator k's driver at end, a copy; nil when it has none.
func (c *Collector) driverOf(k int, end time.Time) *sources.Driver {
	sp := c.specs[k]
	return driverAt(c.drivers(sp.plug, end), sp.own)
}

// transitionDriver is indicator k's driver at end for a transition: in
// a replay, fetched at once from a source that can (ReplayDrivers).
func (c *Collector) transitionDriver(k int, end time.Time) *sources.Driver {
	sp := c.specs[k]
	if rd, ok := c.srcs[sp.plug].(ReplayDrivers); ok && c.replaying {
		// up to the tick's instant: the minute under way as far as an
		// access log has read it then
		return driverAt(rd.DriversAt(context.Background(), end.Add(-c.o.Span), end.Add(c.o.Lag)), sp.own)
	}
	return c.driverOf(k, end)
}

func driverAt(ds []*sources.Driver, own int) *sources.Driver {
	if own >= len(ds) || ds[own] == nil {
		return nil
	}
	d := *ds[own]
	return &d
}

// trDriverKey names a transition of the timeline.
type trDriverKey struct {
	indicator string
	at        int64
	to        sources.State
}

// keepDrivers takes, for each change of an access-log indicator into warn
// or crit on a value (not a silence: no request drove that), what drives
// its requests at end, for the timeline, the notifications and the report
// to say with it. Only these ticks pay for it: a replay ticks through a
// night in seconds. Drivers of changes the timeline no longer holds are
// let go.
func (c *Collector) keepDrivers(trs []watch.Transition, end time.Time) {
	for _, tr := range trs {
		if tr.To != sources.StateWarn && tr.To != sources.StateCrit || math.IsNaN(tr.Value) {
			continue
		}
		k, ok := c.byName[tr.Indicator]
		if !ok {
			continue
		}
		d := c.transitionDriver(k, end)
		if d == nil {
			continue
		}
		c.mu.Lock()
		if c.trDrivers == nil {
			c.trDrivers = map[trDriverKey]*sources.Driver{}
		}
		c.trDrivers[trDriverKey{tr.Indicator, tr.At.UnixNano(), tr.To}] = d
		if len(c.trDrivers) > 2*max(c.o.Timeline, 1) {
			held := map[trDriverKey]bool{}
			for _, e := range c.tl.Entries() {
				held[trDriverKey{e.Indicator, e.At.UnixNano(), e.To}] = true
			}
			for key := range c.trDrivers {
				if !held[key] {
					delete(c.trDrivers, key)
				}
			}
		}
		c.mu.Unlock()
	}
}
