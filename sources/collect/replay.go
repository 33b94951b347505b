package collect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
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
// their names) are read through gzip. Replay returns at the end of input,
// after ticking long enough for the last second to be judged, and after
// the milestone reports due meanwhile are written. A source that keeps
// its history (Replayed: Prometheus, VictoriaLogs) is polled at the
// replay clock before each tick. A collector with no log file to read
// (engines alone) ticks every second of Options.ReplayFrom to ReplayTo.
// Command sources cannot be replayed.
func (c *Collector) Replay(ctx context.Context, set func(time.Time)) error {
	defer c.reports.Wait()
	r, err := c.NewReplayCursor(set)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, ok, err := r.Step(); err != nil || !ok {
			if err == nil && len(r.Problems()) > 0 {
				err = &ReplayProblems{Files: r.Problems()}
			}
			return err
		}
	}
}

// ReplayCursor steps a replay one tick at a time (see Replay), so a
// screen can pace it; the ticks it runs are exactly Replay's.
type ReplayCursor struct {
	c   *Collector
	m   replayInput
	set func(time.Time)

	started bool
	cur     int64 // the second read up to
	lo, hi  int64 // ticks due, lo through hi (none when lo > hi)
	jump    int64 // then a tick at this second after a long silence; 0: none
	last    bool  // the input has ended: the due ticks are the last
	done    bool
	at      time.Time // the last tick's instant
	from    time.Time // the input's first second
}

// NewReplayCursor opens every file of the collector's log sources; set
// is as for Replay. Close it when done.
func (c *Collector) NewReplayCursor(set func(time.Time)) (*ReplayCursor, error) {
	if set == nil {
		set = func(time.Time) {}
	}
	m := tail.NewMerge(tail.MergeOptions{HeadBytes: replayHead, Jump: maxReplayGap})
	if err := c.replayFiles(m); err != nil {
		m.Close()
		return nil, err
	}
	var in replayInput = m
	if m.Len() == 0 {
		from, to := c.o.ReplayFrom, c.o.ReplayTo
		if from.IsZero() || to.Before(from) {
			return nil, errors.New("collect: replay: no log file to read, and no range of time to replay the engines over")
		}
		in = &clockRange{next: from.Unix(), last: to.Unix()}
	}
	c.replaying = true
	return &ReplayCursor{c: c, m: in, set: set, lo: 1}, nil
}

// replayInput is what a replay's clock runs on: the lines of the log
// files (a tail.Merge), or a range of seconds when only engines are read.
type replayInput interface {
	Next() (int64, bool)
	ReadTo(sec int64) error
	Problems() []string
	Close() error
}

// clockRange is the input of a replay that reads no file: every second
// of [next, last], with no lines.
type clockRange struct{ next, last int64 }

func (r *clockRange) Next() (int64, bool) { return r.next, r.next <= r.last }

func (r *clockRange) ReadTo(sec int64) error {
	r.next = max(r.next, sec+1)
	return nil
}

func (r *clockRange) Problems() []string { return nil }
func (r *clockRange) Close() error       { return nil }

// Close closes the files.
func (r *ReplayCursor) Close() { r.m.Close() }

// Problems are the files that broke off while read (a .gz cut short):
// the replay went on without the rest of them.
func (r *ReplayCursor) Problems() []string { return r.m.Problems() }

// ReplayProblems is what Replay returns when it read to the end but some
// files broke off on the way (see ReplayCursor.Problems).
type ReplayProblems struct{ Files []string }

func (e *ReplayProblems) Error() string {
	return "replay: " + strings.Join(e.Files, "; ")
}

// At is the instant of the last tick run; zero before the first.
func (r *ReplayCursor) At() time.Time { return r.at }

// From is the instant of the input's first line; zero before the first
// tick.
func (r *ReplayCursor) From() time.Time { return r.from }

// Step reads the lines due and runs the next tick; it returns the tick's
// instant, or false once the replay is over (the last seconds judged).
func (r *ReplayCursor) Step() (time.Time, bool, error) {
	for r.lo > r.hi && r.jump == 0 {
		if r.last || r.done {
			if !r.done && !r.at.IsZero() {
				r.c.tickMu.Lock()
				r.c.reportUnfinished(r.at)
				r.c.tickMu.Unlock()
			}
			r.done = true
			return r.at, false, nil
		}
		if !r.started {
			cur, ok := r.m.Next()
			if !ok {
				r.done = true
				return r.at, false, nil
			}
			r.started, r.cur, r.from = true, cur, time.Unix(cur, 0)
			r.set(time.Unix(cur, 0))
		}
		// read everything stamped up to the current second (late lines of
		// earlier seconds included: the counters place them)
		if err := r.m.ReadTo(r.cur); err != nil {
			r.done = true
			return r.at, false, err
		}
		r.c.flushApps()
		nxt, more := r.m.Next()
		if !more {
			// judge the last seconds too: current values lag the clock
			r.lo, r.hi, r.last = r.cur+1, r.cur+1+int64(r.c.o.Lag/time.Second), true
			continue
		}
		gapEnd := min(nxt, r.cur+int64(maxReplayGap/time.Second))
		r.lo, r.hi = r.cur+1, gapEnd
		if nxt > gapEnd {
			r.jump = nxt
		}
		if nxt > r.cur {
			r.cur = nxt
		}
	}
	sec := r.jump
	if r.lo <= r.hi {
		sec = r.lo
	}
	at := time.Unix(sec, 0)
	r.set(at)
	for _, s := range r.c.srcs {
		if h, ok := s.(Replayed); ok {
			if err := h.ReplayPoll(context.Background(), at); err != nil {
				if !r.at.IsZero() {
					r.set(r.at)
				}
				return r.at, true, &ReplayHeld{At: at, Err: err}
			}
		}
	}
	if r.lo <= r.hi {
		r.lo++
	} else {
		r.jump = 0
	}
	r.at = at
	r.c.Tick(r.at)
	return r.at, true, nil
}

// ReplayHeld is what Step returns when a source that keeps its history
// could not read the night at At (its server does not answer now): the
// tick was not run, so the night is not judged on the failure, and the
// next Step tries it again.
type ReplayHeld struct {
	At  time.Time
	Err error
}

func (e *ReplayHeld) Error() string { return "replay held: " + e.Err.Error() }
func (e *ReplayHeld) Unwrap() error { return e.Err }

func (c *Collector) flushApps() {
	for _, a := range c.o.Apps {
		a.Watcher().Flush()
	}
}

// replayFiles adds every file of every log source to m.
func (c *Collector) replayFiles(m *tail.Merge) error {
	var access span // of every access log, for app logs' times to be checked against
	accessName := ""
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
		if sp := spanOf(paths, lineStamp(nginx.NewParser(format, cfg.AggregatorOptions().Client))); sp.ok {
			access = access.join(sp)
			accessName = cmp.Or(accessName, s.Name())
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
		appSpan := spanOf(paths, func(line []byte) (int64, bool) {
			t, ok := w.LineTime(line)
			return t.Unix(), ok
		})
		if off := offBy(appSpan, access); off != 0 {
			w.SetOff(off, accessName)
		}
		for _, p := range paths {
			stamp := func(line []byte) (int64, bool) {
				t, ok := w.LineTime(line)
				if ok {
					w.Saw(t) // the status bar's "last line"
				}
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

// span is the first and last stamps of a log's saved files.
type span struct {
	first, last int64
	ok          bool
}

func (a span) join(b span) span {
	switch {
	case !a.ok:
		return b
	case !b.ok:
		return a
	}
	return span{min(a.first, b.first), max(a.last, b.last), true}
}

// spanOf reads the first stamped lines of the oldest file and the last of
// the newest (a few hundred of each), so an app log's times can be set
// against the access logs' before the replay starts.
func spanOf(paths []string, stamp func([]byte) (int64, bool)) span {
	var s span
	if len(paths) == 0 {
		return s
	}
	if first, err := tail.FirstLines(paths[0], 200, 1<<20); err == nil {
		for _, l := range first {
			if t, ok := stamp(l); ok {
				s.first, s.ok = t, true
				break
			}
		}
	}
	if last, err := tail.LastLines(paths[len(paths)-1], 200, 1<<20); err == nil && s.ok {
		for i := len(last) - 1; i >= 0; i-- {
			if t, ok := stamp(last[i]); ok {
				s.last = t
				break
			}
		}
	}
	s.last = max(s.last, s.first)
	return s
}

// offBy is how far, in whole hours, an app log's times sit from the
// access logs' when the two do not meet at all (more than an hour apart,
// at most 14: a zone's doing); 0 otherwise.
func offBy(app, access span) time.Duration {
	if !app.ok || !access.ok {
		return 0
	}
	var d int64
	switch {
	case app.first > access.last+3600:
		d = app.first - access.first
	case app.last < access.first-3600:
		d = app.last - access.last
	default:
		return 0
	}
	if h := (time.Duration(d) * time.Second).Round(time.Hour); h.Abs() <= 14*time.Hour {
		return h
	}
	return 0 // a day or more apart: another night's log, not a zone
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
