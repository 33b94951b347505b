package vlogs

import (
	"context"
	"errors"
	"time"
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

// Replay pacing, on the replay clock.
const (
	// ReplayAhead is how much of the night one request fetches ahead of
	// the clock.
	ReplayAhead = 10 * time.Minute
	// ReplayRetry is how long a stream whose server failed waits on the
	// replay clock before it asks again: a server that hangs costs its
	// timeout once per ReplayRetry of the night, not once a tick.
	ReplayRetry = 30 * time.Second
)

// replayState is a replaying stream's: guarded by base.run.
type replayState struct {
	ahead    *counts   // fetched and not yet all held; nil: none
	detailAt time.Time // the replay instant of the last tables or lines fetch
	failedAt time.Time // the replay instant of the last failure; zero: none since
}

// end is the second after the last an answer holds.
func (c *counts) end() int64 { return c.from + int64(c.n)*c.step }

// ReplayPoll implements collect.Replayed: the stream holds the seconds
// up to at (the second under way is not asked, as live), then fetches the
// tables and drivers, or the latest lines, when DetailEvery has passed on
// the replay clock. A first poll, or one after the clock moved back or
// jumped past the window, fills the window before at, as a live start
// does.
func (b *base) ReplayPoll(ctx context.Context, at time.Time) {
	b.run.Lock()
	defer b.run.Unlock()
	rp := &b.rp
	if !rp.failedAt.IsZero() && at.After(rp.failedAt) && at.Sub(rp.failedAt) < ReplayRetry {
		return
	}
	end := at.Unix()
	b.mu.Lock()
	want := int64(min(max(b.window, DefaultWindow), Retention) / time.Second)
	known := b.knownEnd
	b.mu.Unlock()
	var err error
	switch {
	case known == 0 || end < known || end-known > want:
		err = b.replayFresh(ctx, end-want, end, at)
	case end > known:
		err = b.replayHold(ctx, known, end, at)
	}
	if errors.Is(err, errCanceled) {
		return
	}
	if err != nil {
		rp.failedAt = at
		b.mu.Lock()
		b.fail, b.triedAt = b.srv.failureOf(err), at
		b.mu.Unlock()
		return
	}
	rp.failedAt = time.Time{}
	if rp.detailAt.IsZero() || at.Before(rp.detailAt) || at.Sub(rp.detailAt) >= b.o.DetailEvery {
		rp.detailAt = at
		b.detail(ctx)
	}
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
