package nginx

import (
	"context"
	"fmt"
	"time"

	"warroom/sources/tail"
)

// Source follows one access-log source (files or a command) live and feeds
// an Aggregator. Run owns the goroutine; readers use Aggregator and Status.
type Source struct {
	cfg SourceConfig
	agg *Aggregator
	fol *tail.Follower
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
	if !cfg.format.HasTime() {
		// lines are counted when they are read: a file's history read
		// back would all land in the second it is read
		start = tail.Start{Kind: tail.StartEnd}
	}
	opts := cfg.AggregatorOptions()
	opts.Now = now
	// the timestamp reader runs on the follower's goroutine during a
	// "last D" start; it gets its own parser
	tp := NewParser(cfg.format, cfg.client)
	var rec Record
	fol, err := tail.New(tail.Options{
		Paths:   cfg.Paths,
		Command: cfg.Command,
		Start:   start,
		Now:     now,
		Timestamp: func(line []byte) (time.Time, bool) {
			if tp.Parse(line, &rec) != ReasonNone || !rec.HasTime {
				return time.Time{}, false
			}
			return time.Unix(rec.Time, 0), true
		},
	})
	if err != nil {
		return nil, fmt.Errorf("nginx: %s: %w", cfg.Name, err)
	}
	return &Source{cfg: cfg, agg: NewAggregator(opts), fol: fol}, nil
}

// Name is the source's name (its indicators' prefix).
func (s *Source) Name() string { return s.cfg.Name }

// Config returns the source's config.
func (s *Source) Config() SourceConfig { return s.cfg }

// Aggregator returns the source's counters.
func (s *Source) Aggregator() *Aggregator { return s.agg }

// Status reports each followed file's (or the command's) state.
func (s *Source) Status() []tail.FileStatus { return s.fol.Status() }

// Run follows until ctx ends.
func (s *Source) Run(ctx context.Context) error {
	return s.fol.Run(ctx, func(b tail.Batch) { s.agg.Ingest(b.Data) })
}
