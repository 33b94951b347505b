package vlogs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"warroom/sources"
)

// Replays. A replay (collect.Replayed) tells each stream the replay
// clock's instant before every tick, and the stream polls then, at that
// instant, instead of on its own loop: what Values, Series, the tables,
// the drivers and an app stream's lines read is what they read live at
// that instant, so `warroom replay` and `watch --replay` see the same
// numbers and fire the same rules.
//
// The night is over when it is replayed: the seconds ahead of the clock
// are fetched a chunk at a time (ReplayAhead), and each is held in the
// ring only once the clock reaches it — never ahead of it, so a value or
// a silence is judged on what had arrived by then. Seconds newer than
// the wall clock's Settle before now are never fetched ahead: lines may
// still be on their way to VictoriaLogs.

// ReplayAhead is how much of the night one request fetches ahead of the
// replay clock.
const ReplayAhead = 10 * time.Minute

// The least wall time between two fetches of a replay's tables (over the
// window: seconds of VictoriaLogs' time at fleet scale) or of its latest
// lines (one cheap query).
const (
	replayTablesGap = time.Second
	replayLinesGap  = 250 * time.Millisecond
)

// replayState is a replaying stream's: guarded by base.run.
type replayState struct {
	ahead      *counts   // fetched and not yet all held; nil: none
	detailAt   time.Time // the night's instant of the last tables or lines fetch
	detailWall time.Time // and the wall clock's (Options.Wall)
	busy       bool      // a fetch of them is under way (guarded by base.mu)
}

// end is the second after the last an answer holds.
func (c *counts) end() int64 { return c.from + int64(c.n)*c.step }

// ReplayPoll implements collect.Replayed: the stream holds the seconds
// up to at (the second under way is not asked, as live). A first poll,
// or one after the clock moved back or jumped past the window, fills the
// window before at, as a live start does. An error — the server does
// not answer now — holds the replay there: the night is not judged on
// it.
//
// The tables and an app stream's latest lines are for a screen: fetched
// only once one asked for them (Tops, LogView), every DetailEvery of the
// night but at most every replayTablesGap or replayLinesGap of wall time
// (Options.Wall), in
// the background, at the replay's instant then. What a transition says drove it is fetched
// at its tick instead (DriversAt), so a replay's transitions do not
// depend on the screen's pace.
func (b *base) ReplayPoll(ctx context.Context, at time.Time) error {
	b.run.Lock()
	defer b.run.Unlock()
	end := at.Unix()
	b.mu.Lock()
	want := int64(min(max(b.window, DefaultWindow), Retention) / time.Second)
	known := b.knownEnd
	b.mu.Unlock()
	poll := func() error {
		switch {
		case known == 0 || end < known || end-known > want:
			return b.replayFresh(ctx, end-want, end, at)
		case end > known:
			return b.replayHold(ctx, known, end, at)
		}
		return nil
	}
	err := poll()
	if err != nil && !errors.Is(err, errCanceled) {
		// once more before holding the night: a connection a proxy or
		// the server closed between two requests fails the first
		err = poll()
	}
	if errors.Is(err, errCanceled) {
		return err
	}
	if err != nil {
		f := b.srv.failureOf(err)
		b.mu.Lock()
		b.fail, b.triedAt = f, at
		b.mu.Unlock()
		return fmt.Errorf("VictoriaLogs stream %s: %w", b.cfg.Name, f)
	}
	b.replayDetails(ctx, at)
	return nil
}

// replayDetails fetches the tables or lines a screen asked for when they
// are due; run held.
func (b *base) replayDetails(ctx context.Context, at time.Time) {
	if b.wanted == nil || !b.wanted() {
		return
	}
	rp := &b.rp
	// due every DetailEvery of night, as live, but at most every
	// replayTablesGap (replayLinesGap) of wall time: at 60× the tables
	// stay a minute of night behind and the lines 15 s, not minutes, and
	// VictoriaLogs is not asked faster than it answers (one fetch at a
	// time)
	if !rp.detailAt.IsZero() && !at.Before(rp.detailAt) && at.Sub(rp.detailAt) < b.o.DetailEvery {
		return
	}
	var wall time.Time
	if b.o.Wall != nil {
		wall = b.o.Wall()
		gap := replayLinesGap
		if b.cfg.Kind == KindAccess {
			gap = replayTablesGap
		}
		if !rp.detailWall.IsZero() && wall.Sub(rp.detailWall) < gap {
			return
		}
	}
	b.mu.Lock()
	busy := rp.busy
	rp.busy = !busy
	b.mu.Unlock()
	if busy {
		return
	}
	rp.detailAt, rp.detailWall = at, wall
	fetch := func() {
		b.detail(ctx)
		b.mu.Lock()
		rp.busy = false
		b.mu.Unlock()
	}
	if b.o.Wall == nil {
		fetch() // on the night's clock: as a test steps it
		return
	}
	go fetch()
}

// DriversAt implements collect.ReplayDrivers: what drove each
// indicator's requests over the whole minutes the span [from, end)
// touches, as an access log's drivers count them, fetched now; nil when
// the server does not answer (the transition is kept without one).
func (a *Access) DriversAt(ctx context.Context, from, end time.Time) []*sources.Driver {
	f := from.Unix()
	ds, err := a.driversOver(ctx, f-((f%60)+60)%60, end.Unix())
	if err != nil {
		return nil
	}
	return a.aligned(ds)
}

// replayFresh holds [from, end) anew, forgetting what was fetched ahead.
func (b *base) replayFresh(ctx context.Context, from, end int64, at time.Time) error {
	b.rp.ahead = nil
	c, err := b.fetch(ctx, from, end)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.store(c)
	b.contigFrom, b.knownEnd = from, end
	b.replayed(at)
	return nil
}

// replayHold holds [known, end) from what was fetched ahead, fetching the
// next chunk first when that does not reach end.
func (b *base) replayHold(ctx context.Context, known, end int64, at time.Time) error {
	rp := &b.rp
	if rp.ahead == nil || rp.ahead.from > known || rp.ahead.end() < end {
		to := known + int64(ReplayAhead/time.Second)
		if b.o.Wall != nil {
			to = min(to, b.o.Wall().Add(-Settle).Unix())
		}
		c, err := b.fetch(ctx, known, max(to, end))
		if err != nil {
			return err
		}
		rp.ahead = c
	}
	c := rp.ahead
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := known; s < end; s++ {
		b.ring.set(s, c.row(int(s-c.from)))
	}
	b.version++
	b.knownEnd = end
	b.replayed(at)
	return nil
}

// replayed records a successful poll at the replay instant at; b.mu is
// held.
func (b *base) replayed(at time.Time) {
	b.fail, b.triedAt, b.fetchedAt, b.backfill = nil, at, at, ""
}
