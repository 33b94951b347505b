package sources

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

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
	// Problems are the input's files that broke off while read (a .gz
	// cut short), each with why: the replay went on without their rest.
	Problems []string
	// Epoch counts the replay's runs from the input's start: a seek back
	// starts a new one, so a snapshot of a later epoch is newer than one
	// of an earlier epoch whatever their At.
	Epoch int
	// Note is a one-off message about the last key (a seek that found no
	// stage end, an instant outside the input); "" for none.
	Note string
	// NoteSeq counts the notes given: the same words again (a key pressed
	// twice) are a new note.
	NoteSeq int
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

// ParseInstant reads an instant a person types to go to in a replay (the
// g key, --from), in the event's zone:
//
//   - "00:05" or "23:58:30": that time of day nearest to ref (so at 23:50
//     "00:05" is a quarter of an hour ahead, not a day back);
//   - "12-31 23:58" (month-day, nearest year) or "2026-12-31 23:58[:30]"
//     (also with a T), or RFC 3339 with its own offset;
//   - "+5m", "-1h30m": relative to ref.
func ParseInstant(s string, ref time.Time, zone *time.Location) (time.Time, error) {
	if zone == nil {
		zone = time.Local
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("no time given (want 00:05, 12-31 23:58, 2026-12-31 23:58:30 or -5m)")
	}
	if s[0] == '+' || s[0] == '-' {
		d, err := time.ParseDuration(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: not a duration like -5m or +1h30m", s)
		}
		return ref.Add(d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	local := ref.In(zone)
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"01-02 15:04:05", "01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return nearest(ref, func(k int) time.Time {
				return time.Date(local.Year()+k, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, zone)
			}), nil
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return nearest(ref, func(k int) time.Time {
				return time.Date(local.Year(), local.Month(), local.Day()+k, t.Hour(), t.Minute(), t.Second(), 0, zone)
			}), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: not a time (want 00:05, 12-31 23:58, 2026-12-31 23:58:30 or -5m)", s)
}

// nearest returns the one of at(-1), at(0), at(1) closest to ref (the
// earlier on a tie).
func nearest(ref time.Time, at func(k int) time.Time) time.Time {
	best := at(-1)
	for k := 0; k <= 1; k++ {
		if c := at(k); c.Sub(ref).Abs() < best.Sub(ref).Abs() {
			best = c
		}
	}
	return best
}
