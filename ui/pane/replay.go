package pane

import (
	"strconv"
	"strings"

	"warroom/sources"
)

// What the header shows of a replay (`warroom replay`): a REPLAY badge it
// never drops, so a past night is never taken for the live one, and the
// replay clock's pace beside it.

// The replay's places in the header's order of priorities (see
// prioUnacked): the bare word outlasts everything, even the unacked count.
const (
	prioReplay      = -1 // "REPLAY", never dropped
	prioReplayPace  = 17 // "REPLAY paused": with the word that tells most
	prioReplayTime  = 19 // the replay clock without its zone: before the phase, which the countdown says in numbers
	prioReplayFull  = 26 // " REPLAY   60×  → 00:05:00", the word a badge
	prioReplayClock = 30 // the clock, which in a replay is the replay's
)

// replayPart is the REPLAY badge with the pace, the instant a seek is on
// its way to or "end" once the input is read; it narrows to the word
// with what tells most beside it, then to the bare word, which stays at
// every width. Short of room the word is not a padded badge, only
// coloured: two cells are worth more to the countdown.
func (m Header) replayPart() part {
	r := m.snap.Replay
	if r == nil {
		return part{}
	}
	st := m.opts.st()
	const word = "REPLAY"
	tight := word
	if st.Replay.GetBackground() != nil && !isNoColor(st.Replay) {
		tight = st.Replay.Render(word)
	}
	words := m.replayWords(*r)
	p := part{seg: seg{badge(st.Replay, word) + " " + st.Value.Render(strings.Join(words, "  ")), prioReplayFull, false}}
	most := words[len(words)-1]
	p.narrower = []seg{{text: tight + " " + st.Value.Render(most), prio: prioReplayPace}, {text: tight, prio: prioReplay}}
	return p
}

// replayWords says how the replay clock moves, the word that tells most
// last: its pace ("60×", "max", "paused"), then the instant a seek is on
// its way to ("→ 00:05:00", in the event's zone); once the input is read
// to its end, "end" instead of the pace, which moves nothing there.
func (m Header) replayWords(r sources.ReplayState) []string {
	if r.Done && r.Seeking.IsZero() {
		return []string{"end"}
	}
	words := []string{m.pace(r)}
	if !r.Seeking.IsZero() {
		arrow := "→"
		if m.opts.ASCII {
			arrow = "->"
		}
		words = append(words, arrow+" "+r.Seeking.In(zone(m.snap)).Format("15:04:05"))
	}
	return words
}

// pace is the replay's speed: "max" (as fast as the machine allows) or
// log seconds per wall second, "60×"; "paused 60×" while paused.
func (m Header) pace(r sources.ReplayState) string {
	speed := "max"
	if r.Speed > sources.MaxSpeed {
		times := "×"
		if m.opts.ASCII {
			times = "x"
		}
		speed = strconv.FormatFloat(r.Speed, 'f', -1, 64) + times
	}
	if r.Paused {
		// the speed it will play at: [ and ] while paused show
		return "paused " + speed
	}
	return speed
}
