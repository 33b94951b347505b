package prom

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"warroom/sources"
)

// ReportDeadline bounds each request of a report's hosts tables: an
// increase() over a milestone's window reads more samples than the
// screen's five minutes.
const ReportDeadline = 30 * time.Second

// HostsTable is a preset's hosts table over a milestone's window, for its
// report.
type HostsTable struct {
	Preset string
	// Rows are a row per host (the preset's by label) with its requests,
	// 499s, slow requests and 5xx: Prometheus's increase() of the
	// counters over the window, rounded — estimates. Unranked.
	Rows []sources.TopRow
	// HeldFrom, HeldTo: Prometheus held series of the preset's request
	// counter at the window's start, and at its end (within its
	// Lookback). When not, part of the window may be missing — the
	// exporter, its scrapes or Prometheus's retention began later, or
	// ended before — and the counts may be low.
	HeldFrom, HeldTo bool
	// Err is why the table could not be read (a *QueryError, its
	// message sanitized and free of secrets, or ctx's error).
	Err error
}

// HostsOver reads every hosts table (the presets with by) over the window
// (from, to]: each column's increase() over to−from, evaluated at to — the
// window's end, whatever the clock says, so a report written late (or in
// a replay the next morning) counts the same. One request per column and
// one for the counter at either end, concurrently, each within ReportDeadline
// and ctx. Nothing the querier keeps is touched.
func (q *Querier) HostsOver(ctx context.Context, from, to time.Time) []HostsTable {
	var out []HostsTable
	for _, p := range q.presets {
		if p.By == "" {
			continue
		}
		out = append(out, q.hostsOver(ctx, p, from, to))
	}
	return out
}

func (q *Querier) hostsOver(ctx context.Context, p PresetConfig, from, to time.Time) HostsTable {
	t := HostsTable{Preset: p.Name}
	qq := q.byName[p.Name+".hosts.req"] // its server, legend and scrubbing
	if qq == nil {
		t.Err = fmt.Errorf("prom: preset %q: no hosts table", p.Name)
		return t
	}
	if !to.After(from) {
		t.Err = fmt.Errorf("prom: preset %q: window end %s is not after its start %s", p.Name, to, from)
		return t
	}
	cols := p.hostColumns(to.Sub(from))
	answers := make([]answer, len(cols)+2)
	oks := make([]bool, len(cols)+2)
	var wg sync.WaitGroup
	for i, c := range cols {
		wg.Go(func() {
			answers[i], oks[i] = qq.fetch(ctx, request{at: to, expr: c.expr, deadline: ReportDeadline})
		})
	}
	held := len(cols) // then held+1: at the window's start, and at its end
	for i, at := range []time.Time{from, to} {
		wg.Go(func() {
			expr := fmt.Sprintf("count(%s%s)", p.metrics().requests, p.sel())
			answers[held+i], oks[held+i] = qq.fetch(ctx, request{at: at, expr: expr, deadline: ReportDeadline})
		})
	}
	wg.Wait()
	var errs []error
	for i, a := range answers {
		switch {
		case !oks[i]:
			return HostsTable{Preset: p.Name, Err: ctx.Err()}
		case a.fail != nil:
			errs = append(errs, a.fail)
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Err = errs[0] // the columns fail alike: one reason is enough
		return t
	}
	rows := map[string]*sources.TopRow{}
	var order []string
	for i, c := range cols {
		for _, s := range answers[i].series {
			if len(s.Points) == 0 {
				continue
			}
			v := s.Points[len(s.Points)-1].V
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				continue
			}
			r := rows[s.Name]
			if r == nil {
				r = &sources.TopRow{Key: s.Name}
				rows[s.Name] = r
				order = append(order, s.Name)
			}
			r.SetColumn(c.col, uint64(math.Round(v)))
		}
	}
	for _, k := range order {
		if r := rows[k]; r.Count+r.S499+r.Slow+r.S5xx > 0 {
			t.Rows = append(t.Rows, *r)
		}
	}
	t.HeldFrom, t.HeldTo = len(answers[held].series) > 0, len(answers[held+1].series) > 0
	return t
}
