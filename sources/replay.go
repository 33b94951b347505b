package sources

import "time"

// A replay is the screen over a past night on the logs' own clock
// (`warroom replay`). Its provider also implements Replayer, which the
// screen's keys steer, and each of its snapshots carries a ReplayState
// that the header shows.

// MaxSpeed is the Speed of a replay running as fast as the machine
// allows.
const MaxSpeed = 0

// ReplayState is the replay clock's pace when the snapshot was taken.
type ReplayState struct {
	// Speed is log seconds per wall second; MaxSpeed (0): as fast as the
	// machine allows.
	Speed  float64
	Paused bool
	// Seeking is the instant a seek is on its way to (the replay runs at
	// full speed until it gets there); zero when none is.
	Seeking time.Time
	// From and To are the first and last instants of the input.
	From, To time.Time
	// Done: the input has been read to its end; the clock stays there.
	Done bool
	// Note is a one-off message about the last key (a seek that found no
	// stage end, an instant outside the input); "" for none.
	Note string
}

// Replayer is a Provider over a past night that the screen's keys
// steer. Every method returns at once; the effect shows in the next
// snapshots.
type Replayer interface {
	TogglePause()
	// Faster doubles the speed (up to MaxSpeed), Slower halves it
	// (down to 1×; from MaxSpeed to the fastest finite speed).
	Faster()
	Slower()
	// SeekStage jumps to the previous (dir < 0) or next (dir > 0) stage
	// end relative to the replay clock and pauses there.
	SeekStage(dir int)
	// Seek jumps to t and pauses there; an instant before the clock is
	// reached by replaying from the beginning of the input.
	Seek(t time.Time)
}
