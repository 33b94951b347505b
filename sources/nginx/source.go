package nginx

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"warroom/sources/tail"
)

// Source follows one access-log source (files or a command) live and feeds
// an Aggregator. Run owns the goroutine; readers use Aggregator and Status.
type Source struct {
	cfg  SourceConfig
	agg  *Aggregator
	fol  *tail.Follower
	auto *autoFormat // nil when the config names the format
	ts   atomic.Pointer[Parser]
}

// NewSource builds a source from a validated config; it does no IO. now is
// the clock (nil: time.Now).
func NewSource(cfg SourceConfig, now func() time.Time) (*Source, error) {
	if cfg.format == nil {
		if err := cfg.Validate(); err != nil {
			return nil, err
		}
	}
	if now == nil {
		now = time.Now
	}
	start, err := tail.ParseStart(cfg.Start)
	if err != nil {
		return nil, fmt.Errorf("nginx: %s: start: %w", cfg.Name, err)
	}
	if len(cfg.Paths) == 0 && len(cfg.Command) == 0 {
		return nil, fmt.Errorf("nginx: %s: no paths or command to follow", cfg.Name)
	}
	if cfg.format != nil && !cfg.format.HasTime() {
		// (a builtin, which detection picks, always has a time) lines are counted when they are read: a file's history read
		// back would all land in the second it is read
		start = tail.Start{Kind: tail.StartEnd}
	}
	opts := cfg.AggregatorOptions()
	opts.Now = now
	s := &Source{cfg: cfg, agg: NewAggregator(opts)}
	if cfg.format == nil {
		s.auto = newAutoFormat(s.agg, now)
	} else {
		// the timestamp reader runs on the follower's goroutine during a
		// "last D" start; it gets its own parser
		s.ts.Store(NewParser(cfg.format, cfg.client))
	}
	var rec Record
	fol, err := tail.New(tail.Options{
		Paths:   cfg.Paths,
		Command: cfg.Command,
		Start:   start,
		Now:     now,
		Timestamp: func(line []byte) (time.Time, bool) {
			tp := s.ts.Load()
			if tp == nil || tp.Parse(line, &rec) != ReasonNone || !rec.HasTime {
				return time.Time{}, false
			}
			return time.Unix(rec.Time, 0), true
		},
	})
	if err != nil {
		return nil, fmt.Errorf("nginx: %s: %w", cfg.Name, err)
	}
	s.fol = fol
	return s, nil
}

// Name is the source's name (its indicators' prefix).
func (s *Source) Name() string { return s.cfg.Name }

// Config returns the source's config.
func (s *Source) Config() SourceConfig { return s.cfg }

// Aggregator returns the source's counters.
func (s *Source) Aggregator() *Aggregator { return s.agg }

// Status reports each followed file's (or the command's) state.
func (s *Source) Status() []tail.FileStatus { return s.fol.Status() }

// FormatNote says which format the source reads with and how it was
// chosen: the configured one, or what detection found, in full (note) and
// in a few words for a status bar (short). bad: no builtin format reads
// the log, and the note says which came closest and where.
func (s *Source) FormatNote() (note, short string, bad bool) {
	if s.auto == nil {
		name := s.cfg.format.Name
		if name == "" {
			name = "custom"
		}
		return "format " + name + " (as configured)", name, false
	}
	if n, sh, bad := s.auto.Note(); n != "" {
		return n, sh, bad
	}
	return "format to be detected from the first lines", "format to be detected", false
}

// Run follows until ctx ends. A source whose format is to be detected
// first reads the newest file's last lines (the start position of a
// backfill is found by their timestamps); with nothing to read yet it
// judges the first lines that come.
func (s *Source) Run(ctx context.Context) error {
	if s.auto == nil {
		return s.fol.Run(ctx, func(b tail.Batch) { s.agg.Ingest(b.Data) })
	}
	if len(s.cfg.Paths) > 0 {
		if path := tail.Newest(s.cfg.Paths); path != "" {
			if sample, err := tail.LastLines(path, SampleLines, heldBytes); err == nil && len(sample) > 0 {
				s.useFormat(s.auto.decide(sample, ""))
				s.auto.state = autoDecided
			}
		}
	}
	follow := func() {
		if f := s.agg.Format(); f != nil {
			if p := s.ts.Load(); p == nil || p.f != f {
				s.useFormat(f)
			}
		}
	}
	// lines held for a decision are decided on when no more come
	settled := make(chan struct{})
	go func() {
		defer close(settled)
		t := time.NewTicker(time.Second / 2)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.auto.settle(s.loading())
				follow()
			}
		}
	}()
	err := s.fol.Run(ctx, func(b tail.Batch) {
		s.auto.feed(b.Data, s.loading())
		follow()
	})
	<-settled
	s.auto.settle(false) // the last lines read, held for a decision, are counted
	return err
}

// DetectFrom picks the format from sample, lines read from the start of
// the log (a replay reads from there, not from the end), when the config
// names none and none was picked yet. It returns the format in use, nil
// when there is none yet (an empty sample). Call it before Run, or instead.
func (s *Source) DetectFrom(sample [][]byte) *Format {
	if s.auto != nil && s.agg.Format() == nil && len(sample) > 0 {
		s.useFormat(s.auto.decide(sample, ""))
		s.auto.state = autoDecided
	}
	return s.agg.Format()
}

func (s *Source) useFormat(f *Format) { s.ts.Store(NewParser(f, s.cfg.client)) }

// loading reports whether any file is still being read back.
func (s *Source) loading() bool {
	for _, st := range s.fol.Status() {
		if st.Loading {
			return true
		}
	}
	return false
}
