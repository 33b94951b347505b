package applog

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"warroom/sources/tail"
)

// flushIdle is how long a multi-line entry may wait for more continuation
// lines before it is counted. A stack trace arrives in one write, so a
// second of quiet means it is complete; waiting longer would delay a DB
// error alarm.
const flushIdle = time.Second

// Source follows one application-log source (files or a command) live and
// feeds a Watcher. Run owns the goroutines; readers use Watcher and Status.
type Source struct {
	cfg     SourceConfig
	w       *Watcher
	fol     *tail.Follower
	now     func() time.Time
	batches atomic.Int64 // batches ingested; the flush timer compares counts, not clocks
}

// NewSource builds a source from a validated config; it does no IO. now is
// the clock (nil: time.Now).
func NewSource(cfg SourceConfig, now func() time.Time) (*Source, error) {
	if now == nil {
		now = time.Now
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(cfg.Paths) == 0 && len(cfg.Command) == 0 {
		return nil, fmt.Errorf("applog: %s: no paths or command to follow", cfg.Name)
	}
	start, err := tail.ParseStart(cfg.Start)
	if err != nil {
		return nil, fmt.Errorf("applog: %s: start: %w", cfg.Name, err)
	}
	w, err := New(cfg.Options(now))
	if err != nil {
		return nil, fmt.Errorf("applog: %s: %w", cfg.Name, err)
	}
	loc := w.o.Location
	fol, err := tail.New(tail.Options{
		Paths:   cfg.Paths,
		Command: cfg.Command,
		Start:   start,
		Now:     now,
		// one byte over MaxLine: a line the follower cut is skipped
		MaxLineBytes: MaxLine + 1,
		// lines without a timestamp of their own (continuations, plain
		// messages) say nothing; the follower searches past them
		Timestamp: func(line []byte) (time.Time, bool) { return entryTime(line, loc) },
	})
	if err != nil {
		return nil, fmt.Errorf("applog: %s: %w", cfg.Name, err)
	}
	return &Source{cfg: cfg, w: w, fol: fol, now: now}, nil
}

// Name is the source's name (its indicators' prefix).
func (s *Source) Name() string { return s.cfg.Name }

// Config returns the source's config.
func (s *Source) Config() SourceConfig { return s.cfg }

// Watcher returns the source's pattern counters.
func (s *Source) Watcher() *Watcher { return s.w }

// Status reports each followed file's (or the command's) state.
func (s *Source) Status() []tail.FileStatus { return s.fol.Status() }

// Run follows until ctx ends. An entry still open when the input goes
// quiet is counted once no batch has come for a whole flushIdle (so 1–2
// flushIdle after the last line, measured by the timer, not a clock read),
// and the last error before a hang is
// not held back waiting for a next line that never comes.
func (s *Source) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	// The flush timer runs only while an entry may be open: a quiet log
	// costs no wakeups. pending is set by the first batch after a flush,
	// which kicks the timer; the timer clears it when it has flushed.
	var pending atomic.Bool
	kick := make(chan struct{}, 1)
	go func() {
		defer close(done)
		var armed int64 // s.batches when the timer was last armed
		t := time.NewTimer(flushIdle)
		t.Stop()
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-kick:
				armed = s.batches.Load()
				t.Reset(flushIdle)
			case <-t.C:
				// more batches since the timer was armed: not quiet yet
				if n := s.batches.Load(); n != armed {
					armed = n
					t.Reset(flushIdle)
					continue
				}
				pending.Store(false)
				s.w.Flush()
				// A batch that came after armed saw pending still set and
				// did not kick: its entry needs the timer too.
				if n := s.batches.Load(); n != armed && pending.CompareAndSwap(false, true) {
					armed = n
					t.Reset(flushIdle)
				}
			}
		}
	}()
	err := s.fol.Run(ctx, func(b tail.Batch) {
		if b.Backfill {
			s.w.IngestHistory(b.Data)
		} else {
			s.w.Ingest(b.Data)
		}
		s.batches.Add(1)
		if !pending.Load() && pending.CompareAndSwap(false, true) {
			select {
			case kick <- struct{}{}:
			default:
			}
		}
	})
	cancel()
	<-done
	s.w.Flush()
	return err
}
