package vlogs

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources/report"
)

// ReportLookback is how far before a report's window a stream is looked
// for: without a line there, VictoriaLogs may not hold the window's start
// (its retention, or a shipper that began later), and the report says so.
const ReportLookback = 5 * time.Minute

// ReportTops are the stream's top tables over [from, to) for a milestone
// report (collect.ReportTabled), asked of VictoriaLogs when the report is
// written, as the screen's are: clients and paths (by route) ranked by
// requests, hosts by their 499s, slow requests and 5xx — VictoriaLogs'
// own counts, n rows each. They go through the server's detail slots,
// beside the screen's tables, and never hold up the counts' polling.
func (a *Access) ReportTops(ctx context.Context, from, to time.Time, n int) []report.Fetched {
	out := report.Fetched{Source: a.cfg.Name, Kind: "VictoriaLogs"}
	f, t := from.Unix(), to.Unix()
	fl := a.cfg.Fields
	var clients, paths, hosts table
	var before uint64
	errs := make([]error, 4)
	var wg sync.WaitGroup
	wg.Go(func() { clients, errs[0] = a.table(ctx, fl.Client, f, t, tableRows) })
	wg.Go(func() { paths, errs[1] = a.table(ctx, fl.Path, f, t, tableRows) })
	wg.Go(func() { hosts, errs[2] = a.table(ctx, fl.Host, f, t, hostRows) })
	wg.Go(func() { before, errs[3] = a.lines(ctx, f-int64(ReportLookback/time.Second), f) })
	wg.Wait()
	for _, err := range errs {
		switch {
		case err == nil:
			continue
		case errors.Is(err, errCanceled):
			out.Err = "canceled" // the report's deadline or shutdown: the collector says which
		default:
			out.Err = a.srv.failureOf(err).Error() // sanitized, no secrets
		}
		return []report.Fetched{out}
	}
	if before == 0 {
		out.Uncertain = "VictoriaLogs holds no line of the stream in the " + model.Duration(ReportLookback).String() +
			" before the window: it may not hold the window's start (retention, or shipping began later), and the counts may be low"
	}
	span := to.Sub(from)
	for _, x := range []struct {
		title, key string
		t          table
		order      func(a, b row) int
	}{
		{"IPs", "IP", clients, byRequests},
		{"paths", "path", normalized(paths), byRequests},
		{"hosts", "host", hosts, byTrouble},
	} {
		tt := topTable(x.title, span, x.t, n, x.order, 0)
		ft := report.FetchedTable{Title: x.title, Key: x.key, AtLeast: !tt.Exact}
		for _, r := range tt.Rows {
			ft.Rows = append(ft.Rows, report.Top{Key: r.Key, Count: r.Count, S499: r.S499, Slow: r.Slow, S5xx: r.S5xx})
		}
		out.Tables = append(out.Tables, ft)
	}
	return []report.Fetched{out}
}

// lines counts the stream's lines in [from, to).
func (a *Access) lines(ctx context.Context, from, to int64) (uint64, error) {
	rows, err := a.rows(ctx, selected(a.cfg.Filter)+" | stats count() as n", from, to)
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 {
		return 0, errors.New("stats without by: " + strconv.Itoa(len(rows)) + " rows, want 1")
	}
	return uintOf(rows[0], "n")
}
