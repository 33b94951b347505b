package vlogs

import (
	"context"

	"warroom/sources/collect"
)

// Poll and Details split Refresh for the benchmarks: the counts, and the
// tables and drivers.
func (a *Access) Poll(ctx context.Context)    { a.poll(ctx) }
func (a *Access) Details(ctx context.Context) { a.details(ctx) }

// Poll is an app stream's counts alone.
func (a *App) Poll(ctx context.Context) { a.poll(ctx) }

// Tailing says whether the live tail is connected and a query answered
// since.
func (a *App) Tailing() bool {
	a.lines.mu.Lock()
	defer a.lines.mu.Unlock()
	return a.lines.tailing && a.lines.queried
}

// ShiftedFetched says the overlay fetch for q has answered.
func (a *Access) ShiftedFetched(q collect.ShiftedQuery) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.over.covers(q)
}
