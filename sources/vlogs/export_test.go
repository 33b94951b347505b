package vlogs

import "context"

// Poll and Details split Refresh for the benchmarks: the counts, and the
// tables and drivers.
func (a *Access) Poll(ctx context.Context)    { a.poll(ctx) }
func (a *Access) Details(ctx context.Context) { a.details(ctx) }

// Poll is an app stream's counts alone.
func (a *App) Poll(ctx context.Context) { a.poll(ctx) }
