package prom

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"warroom/sources"
)

// QueryError is a query that did not answer. Msg is sanitized and free of
// configured secrets.
type QueryError struct {
	Query  string
	Health sources.Health
	Msg    string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("prom: query %q: %s: %s", e.Query, e.Health, e.Msg)
}

// request is one evaluation: instant at `at`, or a range. expr and
// deadline, when set, stand in for the query's own (a report's window).
type request struct {
	at       time.Time
	rng      v1.Range
	isRng    bool
	expr     string
	deadline time.Duration
}

// answer is a converted response, or why there is none.
type answer struct {
	series          []keyedSeries
	evalAt          time.Time // see converted.evalAt
	warnings, infos []string
	fail            *QueryError
}

// fetch sends one request within the query's deadline, holding one of the
// server's in-flight slots. It returns ok=false only when ctx ended, which
// is shutdown and not the server's fault.
func (qq *query) fetch(ctx context.Context, req request) (answer, bool) {
	api, err := qq.srv.client()
	if err != nil {
		return answer{fail: qq.failure(sources.HealthError, err.Error())}, true
	}
	select {
	case qq.srv.slots <- struct{}{}:
	case <-ctx.Done():
		return answer{}, false
	}
	defer func() { <-qq.srv.slots }()

	expr, deadline := qq.cfg.Expr, qq.deadline
	if req.expr != "" {
		expr = req.expr
	}
	if req.deadline > 0 {
		deadline = req.deadline
	}
	rctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	opt := v1.WithTimeout(serverTimeout(deadline))
	var (
		val          model.Value
		warns, infos []string
	)
	if req.isRng {
		val, warns, infos, err = api.QueryRange(rctx, expr, req.rng, opt)
	} else {
		val, warns, infos, err = api.Query(rctx, expr, req.at, opt)
	}
	if ctx.Err() != nil {
		return answer{}, false
	}
	a := answer{warnings: qq.clean(warns), infos: qq.clean(infos)}
	if err != nil {
		h, msg := classify(err, deadline)
		a.fail = qq.failure(h, msg)
		return a, true
	}
	conv, err := convert(val, qq.legend, qq.cfg.Unit, req.rng.Step)
	if err != nil {
		a.fail = qq.failure(sources.HealthError, err.Error())
		return a, true
	}
	a.series, a.evalAt = conv.series, conv.evalAt
	return a, true
}

func (qq *query) failure(h sources.Health, msg string) *QueryError {
	return &QueryError{Query: qq.cfg.Name, Health: h, Msg: qq.scrub.Scrub(sanitize(qq.scrub.Scrub(msg)))}
}

func (qq *query) clean(msgs []string) []string {
	if len(msgs) == 0 {
		return nil
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = qq.scrub.Scrub(sanitize(qq.scrub.Scrub(m)))
	}
	return out
}

// poll evaluates the query once and folds the answer into its state.
func (q *Querier) poll(ctx context.Context, qq *query) {
	qq.run.Lock()
	defer qq.run.Unlock()

	q.mu.Lock()
	window, width, lastEnd, gen := qq.st.window, qq.st.width, qq.st.lastEnd, qq.st.gen
	q.mu.Unlock()

	now := q.opts.Now()
	req := request{at: now}
	var plan rangePlan
	if qq.cfg.Kind == KindRange {
		plan = planRange(now, window, chooseStep(window, width), lastEnd)
		req = request{isRng: true, rng: v1.Range{Start: plan.start, End: plan.end, Step: plan.step}}
	}
	a, ok := qq.fetch(ctx, req)
	if !ok {
		return
	}

	q.mu.Lock()
	defer q.mu.Unlock()
	st := &qq.st
	if st.gen != gen {
		return // the window changed while this was in flight; the loop refetches
	}
	before, _ := health(st.triedAt, st, qq.interval, q.opts.Zone())
	st.triedAt = q.opts.Now()
	st.warnings, st.infos = a.warnings, a.infos
	if a.fail != nil {
		st.failHealth, st.failMsg = a.fail.Health, a.fail.Msg
		q.logChange(qq, before)
		return
	}
	st.failHealth, st.failMsg = sources.HealthUnknown, ""
	st.fetchedAt = st.triedAt
	if qq.cfg.Kind == KindRange {
		stored := st.series
		if plan.backfill {
			stored = nil
		}
		merged := mergeSeries(stored, a.series, plan.start, alignDown(plan.end.Add(-window), plan.step))
		st.series, st.more = capSeries(merged, qq.cfg.MaxSeries, currentSince(plan.end, plan.step, qq.interval))
		st.at, st.step, st.lastEnd = plan.end, plan.step, plan.end
	} else {
		st.series, st.more = capSeries(a.series, qq.cfg.MaxSeries, currentSince(now, 0, qq.interval))
		st.at, st.evalAt = now, a.evalAt
	}
	q.logChange(qq, before)
}

func (q *Querier) logChange(qq *query, before sources.Health) {
	after, msg := health(qq.st.triedAt, &qq.st, qq.interval, q.opts.Zone())
	if after == before {
		return
	}
	lvl := q.opts.Logger.Info
	if after != sources.HealthOK {
		lvl = q.opts.Logger.Warn
	}
	lvl("prom: query health changed", "query", qq.cfg.Name, "server", qq.cfg.Server,
		"from", before.String(), "to", after.String(), "reason", msg)
}

// EvaluateAll polls every query once, concurrently, and returns the
// resulting snapshot. The error joins a *QueryError for each query without
// a fresh answer; it is nil only when all answered. It is the one-shot
// behind `warroom snapshot` and may also be used before Run.
func (q *Querier) EvaluateAll(ctx context.Context) (Snapshot, error) {
	var wg sync.WaitGroup
	for _, qq := range q.queries {
		wg.Go(func() { q.poll(ctx, qq) })
	}
	wg.Wait()
	snap := q.Snapshot()
	var errs []error
	for _, r := range snap.Results {
		if r.Health != sources.HealthOK {
			msg := r.Err
			if msg == "" {
				msg = "no answer"
			}
			errs = append(errs, &QueryError{Query: r.Name, Health: r.Health, Msg: msg})
		}
	}
	return snap, errors.Join(errs...)
}

// serverTimeout is the timeout= sent with a request: a little less than
// our own deadline, so the server's "query timed out" arrives instead of a
// bare deadline. client_golang formats it with Duration.String, and
// Prometheus rejects fractions such as "1.8s", so it is cut to whole
// seconds (or whole milliseconds below one second).
func serverTimeout(deadline time.Duration) time.Duration {
	d := deadline * 9 / 10
	if d >= time.Second {
		return d.Truncate(time.Second)
	}
	return max(d.Truncate(time.Millisecond), time.Millisecond)
}
