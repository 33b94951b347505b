package collect

import (
	"context"
	"errors"
	"sync"
	"time"

	"warroom/sources"
	"warroom/sources/report"
)

// reportGrace is how long past the report's timeout a source is waited
// for: one honouring its ctx returns at once; one that does not must not
// hold the report up.
const reportGrace = 2 * time.Second

// reportTops asks every ReportTabled source for its top tables over
// [from, to), all at once, within Options.ReportTimeout. It runs on the
// goroutine writing the report. A source that did not answer in time,
// failed or crashed is in the result with why its tables are missing:
// a report never leaves them out silently.
func (c *Collector) reportTops(from, to time.Time) []report.Fetched {
	type asked struct {
		name string
		src  ReportTabled
	}
	var srcs []asked
	for _, s := range c.srcs {
		if rt, ok := s.(ReportTabled); ok {
			srcs = append(srcs, asked{s.Name(), rt})
		}
	}
	if len(srcs) == 0 {
		return nil
	}
	c.mu.Lock()
	base := c.runCtx
	c.mu.Unlock()
	if base == nil {
		base = context.Background()
	}
	ctx, cancel := context.WithTimeout(base, c.o.ReportTimeout)
	defer cancel()
	var mu sync.Mutex
	got := make([][]report.Fetched, len(srcs))
	answered := make([]bool, len(srcs))
	cut := make([]bool, len(srcs)) // it returned once ctx had ended
	done := make(chan struct{}, len(srcs))
	for i, s := range srcs {
		go func() {
			var f []report.Fetched
			err := guard(ctx, func(ctx context.Context) error {
				f = s.src.ReportTops(ctx, from, to, c.o.TopN)
				return nil
			})
			if err != nil {
				f = []report.Fetched{{Source: s.name, Err: sources.Sanitize(err.Error())}}
			}
			mu.Lock()
			got[i], answered[i], cut[i] = f, true, ctx.Err() != nil
			mu.Unlock()
			done <- struct{}{}
		}()
	}
	ended := ctx.Done()
	var late <-chan time.Time
	for pending := len(srcs); pending > 0; {
		select {
		case <-done:
			pending--
		case <-ended:
			ended, late = nil, time.After(reportGrace)
		case <-late:
			pending = 0 // the rest are named as not answering
		}
	}
	why := "no answer within " + c.o.ReportTimeout.String()
	if errors.Is(ctx.Err(), context.Canceled) {
		why = "warroom stopped before the answer"
	}
	mu.Lock()
	defer mu.Unlock()
	var out []report.Fetched
	for i, s := range srcs {
		if !answered[i] {
			out = append(out, report.Fetched{Source: s.name, Err: why})
			continue
		}
		for _, f := range got[i] {
			if f.Err != "" && cut[i] {
				f.Err = why // what the source made of its ctx ending
			}
			out = append(out, f)
		}
	}
	return out
}
