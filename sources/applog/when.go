package applog

import (
	"fmt"
	"time"
)

// When an entry happened. A live entry without a time of its own happened
// as it arrived; one read back from history (a backfill, a replay) did not,
// and goes with the stamped entry before it — the rest of a message printed
// over several lines — or, with none before it, is skipped: counted "now",
// a three-day-old log read back at start would ring the bell.
//
// Stamps read without a zone are read in the source's time_zone; when that
// is not the writer's, every time is hours off. An entry stamped more than
// maxAhead ahead of the clock is not counted (it would show as activity
// hours from now), and stamps off by more than skewLimit, skewRun times in
// a row, give the source a note saying so and what the zone looks like.
const (
	maxAhead  = 5 * time.Minute // as nginx's future_time
	skewLimit = 30 * time.Minute
	skewRun   = 3
)

// timing is the watcher's state for placing entries in time.
type timing struct {
	prevAt   time.Time // the latest stamped history entry's time
	prevLine []byte    // a later history entry's first line that may carry a stamp, read when needed

	run     int           // stamps off by more than skewLimit in a row, the same way
	skew    time.Duration // the latest one's distance from the clock
	skewAt  time.Time     // its time
	zoned   bool          // it named its zone
	batched bool          // a stamp was measured in the current Ingest call
	// measured is set when the pending entry's stamp was measured, so an
	// entry counts once in a run however often it is looked at
	measured bool
}

// previous is the time of the latest stamped history entry, reading the
// newest candidate line only now: most entries never need it.
func (w *Watcher) previous() (time.Time, bool) {
	if len(w.tm.prevLine) > 0 {
		if t, ok := entryTime(w.tm.prevLine, w.o.Location); ok {
			w.tm.prevAt = t
		}
		w.tm.prevLine = w.tm.prevLine[:0]
	}
	return w.tm.prevAt, !w.tm.prevAt.IsZero()
}

// remember keeps an unmatched history entry's first line as the possible
// time of stamp-less entries after it.
func (w *Watcher) remember(entry []byte) {
	if l := firstLine(entry); mayHaveTime(l) {
		w.tm.prevLine = append(w.tm.prevLine[:0], l...)
	}
}

// when places a matched entry in time: ok is false when it is not to be
// counted, and w.skipped says why unless again (the entry was judged
// before, and is reopened by lines that came after).
func (w *Watcher) when(entry []byte, history, again bool) (time.Time, bool) {
	at, zoned, ok := readStamp(entry, w.o.Location)
	now := w.o.Now()
	switch {
	case ok:
		if !w.tm.measured {
			w.tm.measured = true
			w.measure(at, now, zoned, history)
		}
		if history {
			w.tm.prevAt, w.tm.prevLine = at, w.tm.prevLine[:0]
		}
	case history:
		if at, ok = w.previous(); !ok {
			if !again {
				w.skipped.Undated++
			}
			return at, false
		}
	default:
		return now, true
	}
	if at.Sub(now) > maxAhead {
		if !again {
			w.skipped.Future++
		}
		return at, false
	}
	return at, true
}

// measure notes how far a stamp is from the clock. Read back from history
// a stamp is expected to be old; live, it is expected to be about now.
func (w *Watcher) measure(at, now time.Time, zoned, history bool) {
	d := at.Sub(now)
	if d <= skewLimit && (history || d >= -skewLimit) {
		w.tm.run = 0
		return
	}
	if w.tm.run > 0 && (d > 0) != (w.tm.skew > 0) {
		w.tm.run = 0
	}
	w.tm.run++
	w.tm.skew, w.tm.skewAt, w.tm.zoned = d, at, zoned
}

// measureLine is called with the first line of each entry: the first of
// an Ingest call that may carry a stamp is measured, so a zone mismatch
// shows before the first error does.
func (w *Watcher) measureLine(line []byte, history bool) {
	w.tm.measured = false
	if w.tm.batched || !mayHaveTime(line) {
		return
	}
	w.tm.batched = true
	if at, zoned, ok := readStamp(line, w.o.Location); ok {
		w.tm.measured = true
		w.measure(at, w.o.Now(), zoned, history)
	}
}

// Note says what is wrong with the log's times, or "" when nothing is:
// "times 8h ahead of the clock: set time_zone (the log looks like
// UTC+08:00)".
func (w *Watcher) Note() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.offNote != "" {
		return w.offNote
	}
	tm := w.tm
	if tm.run < skewRun {
		return ""
	}
	// zones are whole quarter hours from UTC
	d := tm.skew.Round(15 * time.Minute)
	way, hint := "ahead of", "is this machine's clock behind the log's?"
	if d < 0 {
		way, hint = "behind", "is this machine's clock ahead of the log's, or the log written late?"
	}
	if !tm.zoned {
		_, off := tm.skewAt.In(w.o.Location).Zone()
		if z := time.Duration(off)*time.Second + d; z >= -12*time.Hour && z <= 14*time.Hour {
			hint = "set time_zone or --time-zone (the log looks like UTC" + offset(z) + ")"
		}
	}
	return fmt.Sprintf("times %s %s the clock: %s", span(d.Abs()), way, hint)
}

// offset writes a zone offset as +08:00.
func offset(z time.Duration) string {
	sign := "+"
	if z < 0 {
		sign, z = "-", -z
	}
	return fmt.Sprintf("%s%02d:%02d", sign, int(z.Hours()), int(z.Minutes())%60)
}

// span writes a rounded distance as 8h, 5h30m, 45m or 3d.
func span(d time.Duration) string {
	switch h, m := int(d.Hours()), int(d.Minutes())%60; {
	case h >= 48:
		return fmt.Sprintf("%dd", h/24)
	case h > 0 && m > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	case h > 0:
		return fmt.Sprintf("%dh", h)
	default:
		return fmt.Sprintf("%dm", m)
	}
}

// SetOff says the log's times are off by d from where they should be —
// a replay finds it against the access logs, since on the replay's own
// clock no stamp is ever ahead — and Note says so from then on.
func (w *Watcher) SetOff(d time.Duration, against string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	way := "after"
	if d < 0 {
		way = "before"
	}
	w.offNote = fmt.Sprintf("times %s %s %s's: set time_zone if its lines have no zone", span(d.Abs()), way, against)
}
