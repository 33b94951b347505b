package collect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"warroom/sources"
	"warroom/sources/units"
)

// Speeds a replay's pace takes: ] doubles up to MaxFiniteSpeed and then
// runs as fast as the machine allows; [ halves down to 1×.
const (
	MinSpeed       = 1
	MaxFiniteSpeed = 4096
	// DefaultSpeed is a minute of the night a second.
	DefaultSpeed = 60
	// DefaultFrame is how often a player paces its clock and the screen is
	// given a new snapshot.
	DefaultFrame = 100 * time.Millisecond
	// burstCheck is how many ticks a full-speed burst runs between looks
	// at the wall clock.
	burstCheck = 64
)

// PlayerOptions configure a Player.
type PlayerOptions struct {
	// Build makes a fresh collector over the night whose sources read
	// clock; it is called at the start and again for each seek back in
	// time (a collector's state only moves forward). Its OnTick is not
	// called: OnFrame is.
	Build func(clock *SteppedClock) (*Collector, error)
	Speed float64 // log seconds per wall second (DefaultSpeed is usual); sources.MaxSpeed (0): full speed
	// Wall is the wall clock the pace is kept on; default time.Now.
	Wall func() time.Time
	// Frame is how often the pace is kept; default DefaultFrame.
	Frame time.Duration
	// OnFrame, optional, is called after each frame that moved the
	// replay or changed its state (a new snapshot is worth taking); it
	// must not block.
	OnFrame func()
}

// Player is the replay behind the replay screen: a collector stepped on
// the logs' own clock at a pace the screen's keys set (sources.Replayer).
// Its ticks are a Replay's, so the rules fire the same transitions
// whatever the pace, the pauses and the seeks forward; a seek back
// replays from the input's start into a fresh collector. It is a
// sources.Provider: snapshots are its collector's, with the replay's
// state.
type Player struct {
	o    PlayerOptions
	wake chan struct{}

	// the stepping, owned by the goroutine in Frame (run held)
	run       sync.Mutex
	cur       *ReplayCursor
	target    time.Time // where the clock should be by now at the speed
	firstTick time.Time // the first tick's instant; zero before it has run
	done      bool      // the input is over
	err       error     // the replay cannot go on (a file went unreadable)

	mu      sync.Mutex // guards the fields below
	c       *Collector
	st      sources.ReplayState
	at      time.Time // the clock: the last tick's instant
	seekTo  time.Time // a seek asked for, not yet begun
	seekSet bool
	pause   bool // the seek under way arrives paused (else playing)
	resync  bool // the pace changed: the target starts again from the clock
	// lastFinite is the speed ] left for full speed, which [ returns to
	lastFinite float64
	view       sources.View
	viewSet    bool
	dirty      bool // the state changed: a snapshot is worth taking
}

// NewPlayer builds the first collector and opens the input.
func NewPlayer(o PlayerOptions) (*Player, error) {
	if o.Build == nil {
		return nil, errors.New("collect: a player needs Build")
	}
	if o.Speed < 0 || (o.Speed > 0 && o.Speed < MinSpeed) || math.IsNaN(o.Speed) || o.Speed > MaxFiniteSpeed {
		return nil, fmt.Errorf("collect: speed %g: want at least %d log second a second (or full speed)", o.Speed, MinSpeed)
	}
	if o.Wall == nil {
		o.Wall = time.Now
	}
	if o.Frame <= 0 {
		o.Frame = DefaultFrame
	}
	p := &Player{o: o, wake: make(chan struct{}, 1)}
	p.st.Speed = o.Speed
	if err := p.rebuild(); err != nil {
		return nil, err
	}
	return p, nil
}

// rebuild starts the replay over: a fresh collector at the input's
// start. run held (or the player not yet shared).
func (p *Player) rebuild() error {
	clock := NewSteppedClock(time.Unix(0, 0))
	c, err := p.o.Build(clock)
	if err != nil {
		return err
	}
	cur, err := c.NewReplayCursor(clock.Set)
	if err != nil {
		return err
	}
	if p.cur != nil {
		p.cur.Close()
		p.Collector().reports.Wait()
	}
	p.cur, p.firstTick, p.done = cur, time.Time{}, false
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c != nil {
		p.st.Epoch++
	}
	p.c = c
	if p.viewSet {
		c.SetView(p.view)
	}
	p.st.Done, p.st.Problems = false, nil
	return nil
}

// Collector is the collector the replay steps now (a seek back replaces
// it).
func (p *Player) Collector() *Collector {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.c
}

// Run paces the replay until ctx ends: a frame every Frame, and one at
// once after a key. The input's end leaves the clock there; Run returns
// an error only when the input cannot be read on.
func (p *Player) Run(ctx context.Context) error {
	t := time.NewTicker(p.o.Frame)
	defer t.Stop()
	defer p.Close()
	last := p.o.Wall()
	for {
		now := p.o.Wall()
		if err := p.Frame(ctx, now.Sub(last)); err != nil {
			return err
		}
		last = now
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-p.wake:
		}
	}
}

// Close closes the input and waits for the reports being written.
func (p *Player) Close() {
	p.run.Lock()
	defer p.run.Unlock()
	p.cur.Close()
	p.Collector().reports.Wait()
}

// Frame moves the replay by one frame, elapsed wall time after the last
// one: Run calls it; tests call it with the wall times they choose. The
// clock moves elapsed × speed, or at full speed towards a seek's target
// (or at MaxSpeed) for about one Frame of wall time, so keys and
// snapshots keep flowing.
func (p *Player) Frame(ctx context.Context, elapsed time.Duration) error {
	p.run.Lock()
	defer p.run.Unlock()
	if p.err != nil {
		return p.err
	}
	p.mu.Lock()
	seekTo, seekSet := p.seekTo, p.seekSet
	p.seekSet = false
	st, resync := p.st, p.resync
	p.resync = false
	p.mu.Unlock()

	// back in time: from the input's start again (unless the clock is
	// still at its first tick, where a new run would stop too)
	if seekSet && p.started() && seekTo.Before(p.cur.At()) && p.cur.At().After(p.firstTick) {
		if err := p.rebuild(); err != nil {
			p.err = fmt.Errorf("replay: %w", err)
			return p.err
		}
	}
	if resync {
		p.target = p.cur.At()
	}
	deadline := p.o.Wall().Add(p.o.Frame)
	n, arrived := 0, false
	var err error
	switch {
	case !st.Seeking.IsZero():
		n, err = p.stepWhile(ctx, st.Seeking, deadline)
		arrived = err != nil || p.done || !p.cur.At().Before(st.Seeking)
		p.target = p.cur.At()
	case !p.started():
		n, err = p.stepWhile(ctx, time.Time{}, deadline) // the input's first second, at once
		p.target = p.cur.At()
	case st.Paused || p.done:
		p.target = p.cur.At()
	case st.Speed == sources.MaxSpeed:
		n, err = p.stepWhile(ctx, farFuture, deadline)
		p.target = p.cur.At()
	default:
		step := time.Duration(float64(elapsed) * st.Speed)
		// a machine that falls behind catches up at most a second of wall
		// time: the pace, not a backlog, is what the keys set
		p.target = minTime(p.target.Add(step), p.cur.At().Add(time.Duration(st.Speed*float64(time.Second))))
		n, err = p.stepWhile(ctx, p.target, deadline)
	}
	var held *ReplayHeld
	if errors.As(err, &held) {
		// a server that does not answer now: pause there, saying why;
		// playing on tries the same instant again
		p.mu.Lock()
		p.st.Paused, p.st.Seeking, p.dirty = true, time.Time{}, true
		p.note(held.Err.Error() + ": paused at " + units.Clock(held.At.In(EventZone(p.c.schedule()))) + " (space tries again)")
		p.mu.Unlock()
		err = nil
	}
	if err != nil {
		p.err = fmt.Errorf("replay: %w", err)
	}

	p.mu.Lock()
	p.at = p.cur.At()
	if pr := p.cur.Problems(); len(pr) > len(p.st.Problems) {
		p.st.Problems = slices.Clone(pr)
		p.note(pr[len(pr)-1])
	}
	if p.done && !p.st.Done {
		p.st.Done, p.dirty = true, true
	}
	if p.started() {
		p.st.From = p.cur.From()
	}
	if p.done {
		p.st.To = p.cur.At()
	}
	if arrived && p.st.Seeking.Equal(st.Seeking) && !p.seekSet {
		zone := EventZone(p.c.schedule())
		switch {
		case p.done && p.cur.At().Before(st.Seeking):
			p.note("the input ends " + units.DateClock(p.cur.At().In(zone)) + ": stopped there")
		case p.cur.At().After(st.Seeking.Add(time.Second)) && !p.cur.From().IsZero() && st.Seeking.Before(p.cur.From()):
			p.note("the input starts " + units.DateClock(p.cur.From().In(zone)) + ": went there")
		}
		p.st.Seeking = time.Time{}
		p.st.Paused = p.pause
		p.dirty = true
	}
	notify := (n > 0 || p.dirty) && p.o.OnFrame != nil
	p.dirty = false
	p.mu.Unlock()
	if notify {
		p.o.OnFrame()
	}
	return p.err
}

// started says the first tick has run; run held.
func (p *Player) started() bool { return !p.firstTick.IsZero() }

// farFuture is a target a full-speed replay never reaches.
var farFuture = time.Unix(1<<40, 0)

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// stepWhile runs ticks while the clock is before target and the input
// lasts (always the first tick, whatever target), until deadline on the
// wall clock, looked at every burstCheck ticks. run held.
func (p *Player) stepWhile(ctx context.Context, target, deadline time.Time) (int, error) {
	n := 0
	for !p.done && (!p.started() || p.cur.At().Before(target)) {
		if n > 0 && n%burstCheck == 0 && (ctx.Err() != nil || p.o.Wall().After(deadline)) {
			break
		}
		_, ok, err := p.cur.Step()
		if err != nil {
			return n, err
		}
		if !ok {
			p.done = true
			break
		}
		if !p.started() {
			p.firstTick = p.cur.At()
		}
		n++
	}
	return n, nil
}

// SetView implements sources.Provider.
func (p *Player) SetView(v sources.View) {
	p.mu.Lock()
	p.view, p.viewSet = v, true
	c := p.c
	p.mu.Unlock()
	c.SetView(v)
}

// Snapshot implements sources.Provider: the collector's, with the
// replay's state.
func (p *Player) Snapshot() *sources.Snapshot {
	p.mu.Lock()
	c, st := p.c, p.st
	p.mu.Unlock()
	s := c.Snapshot()
	s.Replay = &st
	for _, pr := range st.Problems {
		// a file that broke off stays said in the status bar
		s.Sources = append(s.Sources, sources.SourceStatus{Name: "replay", Kind: "replay", Health: sources.HealthError, Detail: sources.Sanitize(pr)})
	}
	return s
}

// Ack implements sources.Provider.
func (p *Player) Ack() { p.Collector().Ack() }

// Refresh implements sources.Provider: nothing in a replay is polled.
func (p *Player) Refresh() {}

// TogglePause implements sources.Replayer.
func (p *Player) TogglePause() {
	p.change(func() {
		p.st.Paused = !p.st.Paused
		p.resync = true
	})
}

// Faster implements sources.Replayer.
func (p *Player) Faster() {
	p.change(func() {
		switch {
		case p.st.Speed == sources.MaxSpeed:
			p.note("already as fast as this machine goes")
		case p.st.Speed*2 > MaxFiniteSpeed:
			p.lastFinite, p.st.Speed = p.st.Speed, sources.MaxSpeed
		default:
			p.st.Speed *= 2
		}
	})
}

// Slower implements sources.Replayer.
func (p *Player) Slower() {
	p.change(func() {
		switch {
		case p.st.Speed == sources.MaxSpeed:
			// back to the speed ] left (the ladder from 60 is 60 … 3840)
			p.st.Speed = cmp.Or(p.lastFinite, MaxFiniteSpeed)
		case p.st.Speed/2 < MinSpeed:
			if p.st.Speed == MinSpeed {
				p.note("already at 1×, the night's own pace")
			}
			p.st.Speed = MinSpeed
		default:
			// whole numbers: 60, 30, 15, 8, 4, 2, 1
			p.st.Speed = math.Round(p.st.Speed / 2)
		}
		p.resync = true
	})
}

// SeekStage implements sources.Replayer.
func (p *Player) SeekStage(dir int) {
	p.change(func() {
		sched := p.c.schedule()
		at := p.at
		if !p.st.Seeking.IsZero() {
			at = p.st.Seeking // m m steps back twice
		}
		var target time.Time
		ms := sched.Milestones()
		if dir < 0 {
			for i := len(ms) - 1; i >= 0; i-- {
				if ms[i].End.Before(at) {
					target = ms[i].End
					break
				}
			}
		} else {
			for _, m := range ms {
				if m.End.After(at) {
					target = m.End
					break
				}
			}
		}
		switch {
		case len(ms) == 0:
			p.note("no stage ends: m and M need a schedule")
		case target.IsZero() && dir < 0:
			p.note("no earlier stage end")
		case target.IsZero():
			p.note("no later stage end")
		default:
			p.seek(target)
		}
	})
}

// Seek implements sources.Replayer.
func (p *Player) Seek(t time.Time) { p.SeekTo(t, true) }

// SeekTo goes to t and, when pause, pauses there; otherwise the replay
// plays on from t (--from).
func (p *Player) SeekTo(t time.Time, pause bool) {
	p.change(func() {
		if p.seek(t) {
			p.pause = pause
		}
	})
}

// Start runs the first tick, so the input's first instant is known
// (before a --from is read against it): it returns that instant, or an
// error when the input cannot be read or has no line with a time.
func (p *Player) Start(ctx context.Context) (time.Time, error) {
	if err := p.Frame(ctx, 0); err != nil {
		return time.Time{}, err
	}
	p.run.Lock()
	defer p.run.Unlock()
	if !p.started() {
		return time.Time{}, errors.New("nothing to replay: the logs have no line with a time")
	}
	return p.cur.From(), nil
}

// seek asks the next frame to go to t and pause there, and says whether
// it will; mu held.
func (p *Player) seek(t time.Time) bool {
	zone := EventZone(p.c.schedule())
	if p.st.Done && !t.Before(p.at) {
		p.note("the input ends " + units.DateClock(p.at.In(zone)))
		return false
	}
	if end := p.c.o.ReplayTo; !p.c.o.ReplayFrom.IsZero() && t.After(end) {
		// a range's end is known before it is reached: say so now
		p.note("the range ends " + units.DateClock(end.In(zone)) + ": going there")
		t = end
	}
	p.seekTo, p.seekSet, p.pause = t, true, true
	p.st.Seeking = t
	return true
}

// change applies a key's effect and wakes Run for the next frame.
func (p *Player) change(f func()) {
	p.mu.Lock()
	p.st.Note = ""
	f()
	p.dirty = true
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// note says something about the last key in the next snapshots; mu held.
func (p *Player) note(s string) {
	p.st.Note = s
	p.st.NoteSeq++
}
