package vlogs

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
)

// The previous milestone's overlay: an earlier span the ring still holds
// is read from it; an older one (the day before, past Retention) is asked
// for once, at the view's step, and kept for that overlay.

// Overlay fetches.
const (
	overlayRefetch = time.Minute     // the least time between two fetches of a stream's overlay
	overlayAhead   = 2 * time.Minute // how far past the span a fetch reaches, for a live view sliding on
)

// overlayState is a stream's fetched earlier span; guarded by base.mu.
type overlayState struct {
	key      string // the overlay it is for (ShiftedQuery.Key)
	from, to int64  // the span fetched, unix seconds, to exclusive
	step     int64
	c        *counts
	tried    time.Time
	busy     bool
}

// fits returns the fetched span when it is for q's overlay at q's step
// (it may cover less than q: a live view slides on until the refetch).
func (o *overlayState) fits(q collect.ShiftedQuery) (*overlayState, bool) {
	st := max(int64(q.Step/time.Second), 1)
	if o.c == nil || o.key != q.Key || o.step != st {
		return nil, false
	}
	return o, true
}

// covers says the fetched span holds all of q.
func (o *overlayState) covers(q collect.ShiftedQuery) bool {
	_, ok := o.fits(q)
	return ok && q.From.Unix() >= o.from && q.End.Unix() <= o.to
}

// holds says the ring holds q's span; b.mu is held.
func (b *base) holds(q collect.ShiftedQuery) bool {
	return b.contigFrom != 0 && q.From.Unix() >= b.contigFrom && q.From.Unix() >= b.knownEnd-b.ring.span()
}

// each calls f with every step of the fetched span in [q.From, q.End).
func (o *overlayState) each(q collect.ShiftedQuery, f func(at int64, row []uint32)) {
	for i := 0; i < o.c.n; i++ {
		at := o.c.from + int64(i)*o.c.step
		if at+o.c.step <= q.From.Unix() || at >= q.End.Unix() {
			continue
		}
		f(at, o.c.row(i))
	}
}

func (o *overlayState) access(ind accessInd, q collect.ShiftedQuery) sources.Series {
	m := ind.m
	s := sources.Series{Unit: m.Unit()}
	sum := make([]uint64, accessWidth)
	o.each(q, func(at int64, row []uint32) {
		for k, v := range row[ind.off : ind.off+accessWidth] {
			sum[k] = uint64(v)
		}
		b := toBucket(sum)
		s.Points = append(s.Points, sources.Point{At: time.Unix(at, 0), V: m.Value(&b, time.Duration(o.step)*time.Second)})
	})
	return s
}

func (o *overlayState) app(col int, q collect.ShiftedQuery) sources.Series {
	s := sources.Series{Unit: sources.UnitCount}
	o.each(q, func(at int64, row []uint32) {
		s.Points = append(s.Points, sources.Point{At: time.Unix(at, 0), V: float64(row[col]) * 60 / float64(o.step)})
	})
	return s
}

// fetchShifted starts a fetch of q's span when neither the ring nor the
// last fetch covers it (one at a time, at most one a minute).
func (b *base) fetchShifted(q collect.ShiftedQuery) {
	now := b.o.Now()
	st := max(int64(q.Step/time.Second), 1)
	b.mu.Lock()
	if b.holds(q) || b.over.covers(q) || b.over.busy || now.Sub(b.over.tried) < overlayRefetch {
		b.mu.Unlock()
		return
	}
	b.over.busy, b.over.tried = true, now
	b.mu.Unlock()
	from := q.From.Unix()
	from -= ((from % st) + st) % st
	to := min(q.End.Add(overlayAhead).Unix(), now.Unix())
	if to <= from {
		to = q.End.Unix()
	}
	to = from + (to-from+st-1)/st*st
	go func() {
		c, err := b.fetchStep(b.runCtx(), from, to, st)
		b.mu.Lock()
		defer b.mu.Unlock()
		b.over.busy = false
		if err != nil {
			return // the next try waits for overlayRefetch, as any other
		}
		b.over.key, b.over.from, b.over.to, b.over.step, b.over.c = q.Key, from, to, st, c
	}()
}

// fetchStep asks for the counts of [from, to) per step seconds.
func (b *base) fetchStep(ctx context.Context, from, to, step int64) (*counts, error) {
	form := url.Values{"query": {b.query}, "start": {strconv.FormatInt(from, 10)}, "end": {strconv.FormatInt(to, 10)},
		"step": {strconv.FormatInt(step, 10) + "s"}}
	body, err := b.srv.post(ctx, "/select/logsql/stats_query_range", form)
	if err != nil {
		return nil, err
	}
	return parseMatrix(body, b.cols, b.width, from, to, step)
}
