package prom

import (
	"context"
	"fmt"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"warroom/sources"
)

// QueryShifted evaluates a configured query as it was offset ago, for
// overlaying the previous stage end on the current one: an instant query
// at now-offset, a range query over the current window ending at
// now-offset. Points keep their true times; Result.Offset says how far to
// move them to overlay. The querier's state is not touched.
func (q *Querier) QueryShifted(ctx context.Context, name string, offset time.Duration) (Result, error) {
	qq, ok := q.byName[name]
	if !ok {
		return Result{}, fmt.Errorf("prom: query %q: not configured", name)
	}
	q.mu.Lock()
	window, width := qq.st.window, qq.st.width
	q.mu.Unlock()
	at := q.opts.Now().Add(-offset)
	req := request{at: at}
	if qq.cfg.Kind == KindRange {
		step := chooseStep(window, width)
		end := alignDown(at, step)
		req = request{isRng: true, rng: v1.Range{Start: alignDown(end.Add(-window), step), End: end, Step: step}}
	}
	r, err := q.oneOff(ctx, qq, req)
	r.Offset = offset
	return r, err
}

// QueryBetween evaluates a configured query's expression over [start, end]
// as a chart, whatever its kind, with a step fitting the current width.
func (q *Querier) QueryBetween(ctx context.Context, name string, start, end time.Time) (Result, error) {
	qq, ok := q.byName[name]
	if !ok {
		return Result{}, fmt.Errorf("prom: query %q: not configured", name)
	}
	if !end.After(start) {
		return Result{}, fmt.Errorf("prom: query %q: range end %s is not after start %s", name, end, start)
	}
	q.mu.Lock()
	width := qq.st.width
	q.mu.Unlock()
	step := chooseStep(end.Sub(start), width)
	return q.oneOff(ctx, qq, request{isRng: true, rng: v1.Range{Start: alignDown(start, step), End: alignDown(end, step), Step: step}})
}

// oneOff runs a request outside the schedule and builds its Result. The
// headline is judged as Snapshot judges it (an old or infinite one is not
// ok); the error is only for a request that failed, so the series of an
// answer can be charted whatever its headline.
func (q *Querier) oneOff(ctx context.Context, qq *query, req request) (Result, error) {
	r := Result{Name: qq.cfg.Name, Server: qq.cfg.Server, Kind: qq.cfg.Kind, Unit: qq.cfg.Unit, Expr: qq.cfg.Expr}
	if req.isRng {
		r.Kind, r.Window, r.Step = KindRange, req.rng.End.Sub(req.rng.Start), req.rng.Step
	}
	a, ok := qq.fetch(ctx, req)
	if !ok {
		return r, fmt.Errorf("prom: query %q: %w", qq.cfg.Name, ctx.Err())
	}
	r.TriedAt = q.opts.Now()
	r.Warnings, r.Infos = a.warnings, a.infos
	if a.fail != nil {
		r.Health, r.Err = a.fail.Health, a.fail.Msg
		r.Value = sources.Value{Name: r.Name, Unit: r.Unit, Health: r.Health, Err: r.Err}
		return r, a.fail
	}
	r.At = req.at
	if req.isRng {
		r.At = req.rng.End
	}
	since := currentSince(r.At, req.rng.Step, qq.interval)
	series, more := capSeries(a.series, qq.cfg.MaxSeries, since)
	r.Series, r.More = copySeries(series), more
	r.FetchedAt = r.TriedAt
	r.Value = headline(r.Name, r.Unit, series, r.At)
	r.Health, r.Err = judgeValue(r.Value, r.At, since, a.evalAt, q.opts.Zone())
	r.Value = judged(r.Value, r.Health, r.Err)
	return r, nil
}
