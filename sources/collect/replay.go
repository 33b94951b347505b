package collect

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"warroom/sources/nginx"
	"warroom/sources/tail"
)

// maxReplayGap bounds the ticks run across a silence in the logs: rules
// (absent above all) have long fired by then, and a night with a day-long
// hole should not cost 86,400 evaluations.
const maxReplayGap = time.Hour

// replayFile is one file being replayed.
type replayFile struct {
	path   string
	sc     *lineReader
	close  func() error
	stamp  func(line []byte) (int64, bool)
	ingest func([]byte)
	buf    []byte // lines read for the current second, not yet ingested

	head    []byte // next line, valid until the next advance
	headSec int64
	last    int64 // the newest stamp read: stamp-less lines belong with it
	done    bool

	held  []byte   // a copy of head, when lines had to be read ahead of it
	ahead [][]byte // lines read ahead (copies), oldest first
	spare [][]byte // their buffers, for reuse
}

// nextLine is the next non-empty line: one read ahead, if any, else the
// scanner's (valid until the next Scan).
func (f *replayFile) nextLine() ([]byte, bool) {
	if len(f.ahead) > 0 {
		l := f.ahead[0]
		f.ahead = f.ahead[1:]
		f.held = append(f.held[:0], l...)
		f.spare = append(f.spare, l[:0])
		return f.held, true
	}
	for f.sc.Scan() {
		if b := f.sc.Bytes(); len(b) > 0 {
			return b, true
		}
	}
	return nil, false
}

// lookAhead is how many lines a jump's check reads for a stamp.
const lookAhead = 16

func (f *replayFile) advance() error {
	line, ok := f.nextLine()
	if !ok {
		f.done = true
		if err := f.sc.Err(); err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
		return nil
	}
	f.head = line
	sec, ok := f.stamp(line)
	if !ok {
		// a continuation, or a line with no time: with the one before,
		// or, first in the file, with the first stamped line after it
		// (0, unknown, when none is near: it does not set the clock)
		f.headSec = f.last
		if f.last == 0 {
			f.headSec, _ = f.nextStamp()
		}
		return nil
	}
	gap := int64(maxReplayGap / time.Second)
	if f.last == 0 || sec > f.last+gap {
		// One corrupt stamp (year 9999) would move the clock past every
		// later line, and the counters would drop them all as too old.
		// The next stamped line tells: if it falls back by more than the
		// gap, this stamp is corrupt and the line goes with the second
		// before it (or, first in the file, with the one after), where
		// the counters judge its stamp; else the log resumed after a
		// silence.
		if next, ok := f.nextStamp(); ok && next+gap < sec {
			if f.last != 0 {
				f.headSec = f.last
			} else {
				f.headSec = next
			}
			return nil
		}
	}
	f.headSec = sec
	f.last = max(f.last, sec)
	return nil
}

// nextStamp reads ahead (keeping head) up to lookAhead lines and returns
// the earliest stamp among them: a second corrupt stamp right after the
// first does not hide the log's own time behind it.
func (f *replayFile) nextStamp() (int64, bool) {
	f.held = append(f.held[:0], f.head...)
	f.head = f.held
	for len(f.ahead) < lookAhead && f.sc.Scan() {
		b := f.sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var buf []byte
		if n := len(f.spare); n > 0 {
			buf, f.spare = f.spare[n-1], f.spare[:n-1]
		}
		f.ahead = append(f.ahead, append(buf, b...))
	}
	first, found := int64(0), false
	for _, l := range f.ahead {
		if sec, ok := f.stamp(l); ok && (!found || sec < first) {
			first, found = sec, true
		}
	}
	return first, found
}

// Replay reads every file of the collector's log sources from its first
// byte at full speed on the logs' own clock: lines are fed to the sources'
// counters second by second (their Run is not used), and the collector
// ticks once per log second — after second T is read, at T+1 — so the
// schedule and the rules judge at the instants the lines were written.
// set, when not nil, is called with each tick's instant before the tick,
// for the clock the sources were built with (see SteppedClock). Rotated
// files ending in .gz are read through gzip. Replay returns at the end of
// input, after ticking long enough for the last second to be judged, and
// after the milestone reports due meanwhile are written; Prometheus is not
// replayed. Command sources cannot be replayed.
func (c *Collector) Replay(ctx context.Context, set func(time.Time)) error {
	if set == nil {
		set = func(time.Time) {}
	}
	defer c.reports.Wait()
	files, err := c.replayFiles()
	defer func() {
		for _, f := range files {
			f.close()
		}
	}()
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := f.advance(); err != nil {
			return err
		}
	}
	next := func() (int64, bool) {
		sec, ok := int64(math.MaxInt64), false
		for _, f := range files {
			if !f.done && f.headSec > 0 && f.headSec < sec { // 0: a time not known yet
				sec, ok = f.headSec, true
			}
		}
		return sec, ok
	}
	tick := func(sec int64) {
		t := time.Unix(sec, 0)
		set(t)
		c.Tick(t)
	}
	cur, ok := next()
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
		for _, f := range files {
			for !f.done && f.headSec <= cur {
				f.buf = append(f.buf, f.head...)
				f.buf = append(f.buf, '\n')
				if err := f.advance(); err != nil {
					return err
				}
			}
			if len(f.buf) > 0 {
				f.ingest(f.buf)
				f.buf = f.buf[:0]
			}
		}
		c.flushApps()
		nxt, more := next()
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

// replayFiles opens every file of every log source.
func (c *Collector) replayFiles() ([]*replayFile, error) {
	var out []*replayFile
	for _, s := range c.o.Nginx {
		cfg := s.Config()
		if f := cfg.CompiledFormat(); f != nil && !f.HasTime() {
			// its lines have no clock to be replayed on (a builtin, which
			// detection picks, always has one)
			return out, fmt.Errorf("collect: replay %s: the format has no $time_local, $time_iso8601 or $msec: its lines cannot be replayed", s.Name())
		}
		paths, err := expand(s.Name(), cfg.Paths, cfg.Command)
		if err != nil {
			return out, err
		}
		format := cfg.CompiledFormat()
		if format == nil && len(paths) > 0 {
			// to be detected: from the first lines of the night's first file
			sample, err := tail.FirstLines(paths[0], nginx.SampleLines, 4<<20)
			if err != nil {
				return out, fmt.Errorf("collect: replay %s: %w", s.Name(), err)
			}
			format = s.DetectFrom(sample)
		}
		if format == nil {
			continue // nothing to read in these files
		}
		for _, p := range paths {
			p2 := nginx.NewParser(format, cfg.AggregatorOptions().Client)
			var rec nginx.Record
			stamp := func(line []byte) (int64, bool) {
				if p2.Parse(line, &rec) != nginx.ReasonNone || !rec.HasTime {
					return 0, false
				}
				return rec.Time, true
			}
			f, err := openReplay(p, stamp, s.Aggregator().Ingest)
			if err != nil {
				return out, fmt.Errorf("collect: replay %s: %w", s.Name(), err)
			}
			out = append(out, f)
		}
	}
	for _, s := range c.o.Apps {
		cfg := s.Config()
		paths, err := expand(s.Name(), cfg.Paths, cfg.Command)
		if err != nil {
			return out, err
		}
		w := s.Watcher()
		for _, p := range paths {
			stamp := func(line []byte) (int64, bool) {
				t, ok := w.LineTime(line)
				return t.Unix(), ok
			}
			// written earlier: a line without a time is not "now"
			f, err := openReplay(p, stamp, w.IngestHistory)
			if err != nil {
				return out, fmt.Errorf("collect: replay %s: %w", s.Name(), err)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// expand resolves globs; rotated predecessors (x.log.1, x.log.2.gz) of a
// plain path are read first, oldest first, so a night that crossed a
// rotation replays whole.
func expand(name string, paths, command []string) ([]string, error) {
	if len(command) > 0 {
		return nil, fmt.Errorf("collect: replay %s: a command source cannot be replayed; point paths at saved logs", name)
	}
	var out []string
	for _, p := range paths {
		if lit, ok := tail.Literal(p); ok {
			p = lit // one file, whatever its name holds (escaped)
		} else {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("collect: replay %s: %s: %w", name, p, err)
			}
			out = append(out, m...)
			continue
		}
		var rotated []string
		for i := 9; i >= 1; i-- {
			for _, r := range []string{fmt.Sprintf("%s.%d", p, i), fmt.Sprintf("%s.%d.gz", p, i)} {
				if _, err := os.Stat(r); err == nil {
					rotated = append(rotated, r)
				}
			}
		}
		out = append(out, rotated...)
		out = append(out, p)
	}
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("collect: replay %s: no files match", name)
	}
	return out, nil
}

func openReplay(path string, stamp func([]byte) (int64, bool), ingest func([]byte)) (*replayFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var r io.Reader = fh
	closer := fh.Close
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(fh)
		if err != nil {
			fh.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = gz
		closer = func() error { return errors.Join(gz.Close(), fh.Close()) }
	}
	return &replayFile{path: path, sc: newLineReader(r), close: closer, stamp: stamp, ingest: ingest}, nil
}
