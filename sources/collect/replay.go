package collect

import (
	"context"
	"fmt"
	"time"

	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/tail"
)

// maxReplayGap bounds the ticks run across a silence in the logs: rules
// (absent above all) have long fired by then, and a night with a day-long
// hole should not cost 86,400 evaluations.
const maxReplayGap = time.Hour

// replayHead is how much of an over-long line replay hands on: one byte
// more than the counters take, so they count it as too long (nginx's
// too_long; an app log skips and counts it) as they do live, where the
// follower cuts lines the same way.
const replayHead = max(nginx.MaxLine, applog.MaxLine) + 1

// Replay reads every file of the collector's log sources from its first
// byte at full speed on the logs' own clock: lines are fed to the sources'
// counters second by second (their Run is not used), and the collector
// ticks once per log second — after second T is read, at T+1 — so the
// schedule and the rules judge at the instants the lines were written.
// set, when not nil, is called with each tick's instant before the tick,
// for the clock the sources were built with (see SteppedClock). Files
// are merged by tail.Merge: gzipped ones (told by their first bytes, not
// their names) are read through gzip. Replay returns at the end of input, after ticking long enough for the last second to be judged, and
// after the milestone reports due meanwhile are written; Prometheus is not
// replayed. Command sources cannot be replayed.
func (c *Collector) Replay(ctx context.Context, set func(time.Time)) error {
	if set == nil {
		set = func(time.Time) {}
	}
	defer c.reports.Wait()
	m := tail.NewMerge(tail.MergeOptions{HeadBytes: replayHead, Jump: maxReplayGap})
	defer m.Close()
	if err := c.replayFiles(m); err != nil {
		return err
	}
	tick := func(sec int64) {
		t := time.Unix(sec, 0)
		set(t)
		c.Tick(t)
	}
	cur, ok := m.Next()
	if !ok {
		return nil
	}
	set(time.Unix(cur, 0))
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// read everything stamped up to the current second (late lines of
		// earlier seconds included: the counters place them)
		if err := m.ReadTo(cur); err != nil {
			return err
		}
		c.flushApps()
		nxt, more := m.Next()
		if !more {
			// judge the last seconds too: current values lag the clock
			for s := cur + 1; s <= cur+1+int64(c.o.Lag/time.Second); s++ {
				tick(s)
			}
			return nil
		}
		gapEnd := min(nxt, cur+int64(maxReplayGap/time.Second))
		for s := cur + 1; s <= gapEnd; s++ {
			tick(s)
		}
		if nxt > gapEnd {
			tick(nxt)
		}
		if nxt > cur {
			cur = nxt
		}
	}
}

func (c *Collector) flushApps() {
	for _, a := range c.o.Apps {
		a.Watcher().Flush()
	}
}

// replayFiles adds every file of every log source to m.
func (c *Collector) replayFiles(m *tail.Merge) error {
	for _, s := range c.o.Nginx {
		cfg := s.Config()
		if f := cfg.CompiledFormat(); f != nil && !f.HasTime() {
			// its lines have no clock to be replayed on (a builtin, which
			// detection picks, always has one)
			return fmt.Errorf("collect: replay %s: the format has no $time_local, $time_iso8601 or $msec: its lines cannot be replayed", s.Name())
		}
		paths, err := tail.Expand(cfg.Paths, cfg.Command)
		if err != nil {
			return fmt.Errorf("collect: replay %s: %w", s.Name(), err)
		}
		format := cfg.CompiledFormat()
		if format == nil && len(paths) > 0 {
			// to be detected: from the first lines of the night's first file
			sample, err := tail.FirstLines(paths[0], nginx.SampleLines, 4<<20)
			if err != nil {
				return fmt.Errorf("collect: replay %s: %w", s.Name(), err)
			}
			format = s.DetectFrom(sample)
		}
		if format == nil {
			continue // nothing to read in these files
		}
		for _, p := range paths {
			stamp := lineStamp(nginx.NewParser(format, cfg.AggregatorOptions().Client))
			if err := m.Add(tail.MergeInput{Path: p, Stamp: stamp, Ingest: s.Aggregator().Ingest}); err != nil {
				return fmt.Errorf("collect: replay %s: %w", s.Name(), err)
			}
		}
	}
	for _, s := range c.o.Apps {
		cfg := s.Config()
		paths, err := tail.Expand(cfg.Paths, cfg.Command)
		if err != nil {
			return fmt.Errorf("collect: replay %s: %w", s.Name(), err)
		}
		w := s.Watcher()
		for _, p := range paths {
			stamp := func(line []byte) (int64, bool) {
				t, ok := w.LineTime(line)
				return t.Unix(), ok
			}
			// written earlier: a line without a time is not "now"
			if err := m.Add(tail.MergeInput{Path: p, Stamp: stamp, Ingest: w.IngestHistory}); err != nil {
				return fmt.Errorf("collect: replay %s: %w", s.Name(), err)
			}
		}
	}
	return nil
}

// lineStamp reads an access-log line's time with p. The record's fields
// point into the line, which belongs to the file's reader: they are
// cleared, or a file read to its end, or waiting for the clock to reach
// it, would keep the reader's buffer (256 KiB) as long as the replay.
func lineStamp(p *nginx.Parser) func(line []byte) (int64, bool) {
	var rec nginx.Record
	return func(line []byte) (int64, bool) {
		ok := p.Parse(line, &rec) == nginx.ReasonNone && rec.HasTime
		t := rec.Time
		rec = nginx.Record{}
		return t, ok
	}
}
