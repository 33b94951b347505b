package pane

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
)

// replayAt is nightAt in a replay whose clock moves as r says.
func replayAt(moment string, state sources.State, unacked int, r sources.ReplayState) *sources.Snapshot {
	s := nightAt(moment, state, unacked)
	s.Replay = &r
	return s
}

// The ways a replay clock moves, as the header tells them.
var replayStates = map[string]sources.ReplayState{
	"60x":     {Speed: 60},
	"max":     {Speed: sources.MaxSpeed},
	"paused":  {Speed: 60, Paused: true},
	"seeking": {Speed: 60, Seeking: stage2End.Add(5 * time.Minute)},
	"done":    {Speed: 60, Done: true},
}

// A replay is never taken for the live night: the REPLAY badge stays at
// every width from 20 columns, one line or three, beside the unacked
// count and alerts about to fire, and nothing says LIVE.
func TestHeaderReplayBadgeAtEveryWidth(t *testing.T) {
	for _, moment := range moments {
		for name, r := range replayStates {
			for _, unacked := range []int{0, 3} {
				for _, o := range []Options{{Styles: DefaultStyles(true)}, {Styles: PlainStyles(), ASCII: true}} {
					for _, h := range []int{1, 3} {
						for w := 20; w <= 200; w++ {
							v := viewHeader(withPending(replayAt(moment, sources.StateCrit, unacked, r), 2), o, w, h)
							check(t, v, w, h)
							plain := ansi.Strip(v)
							what := fmt.Sprintf("%s %s, %d unacked, ascii=%v, %dx%d", moment, name, unacked, o.ASCII, w, h)
							if !strings.Contains(plain, "REPLAY") {
								t.Fatalf("%s: no REPLAY:\n%s", what, plain)
							}
							if strings.Contains(plain, "LIVE") {
								t.Fatalf("%s: a replay says LIVE:\n%s", what, plain)
							}
							if unacked > 0 && w >= 21 && !strings.Contains(plain, "3 unacked") {
								t.Fatalf("%s: REPLAY pushed out the unacked count:\n%s", what, plain)
							}
						}
					}
				}
			}
		}
	}
}

// Beside the badge: the pace, where a seek is going (in the event's zone)
// and "end"; short of room, the one of them that tells most. The clock is
// the replay's, with seconds, in the event's zone.
func TestHeaderReplayPace(t *testing.T) {
	colour := Options{Styles: DefaultStyles(true)}
	for _, c := range []struct {
		state      string
		o          Options
		wide, tiny string
	}{
		{"60x", colour, "REPLAY  60×", "REPLAY 60×"},
		{"60x", Options{Styles: PlainStyles(), ASCII: true}, "[REPLAY] 60x", "REPLAY 60x"},
		{"max", colour, "REPLAY  max", "REPLAY max"},
		{"paused", colour, "REPLAY  paused 60×", "REPLAY paused 60×"},
		{"seeking", colour, "REPLAY  60×  → 00:05:00", "REPLAY → 00:05:00"},
		{"seeking", Options{Styles: PlainStyles(), ASCII: true}, "[REPLAY] 60x  -> 00:05:00", "REPLAY -> 00:05:00"},
		{"done", colour, "REPLAY  end", "REPLAY end"},
	} {
		s := replayAt("done", sources.StateOK, 0, replayStates[c.state])
		wide := ansi.Strip(viewHeader(s, c.o, 120, 1))
		if !strings.Contains(wide, c.wide) || !strings.Contains(wide, "01:00:00 CST") {
			t.Errorf("%s ascii=%v at 120: want %q and the clock 01:00:00 CST:\n%s", c.state, c.o.ASCII, c.wide, wide)
		}
		if tiny := ansi.Strip(viewHeader(s, c.o, 24, 1)); !strings.Contains(tiny, c.tiny) {
			t.Errorf("%s ascii=%v at 24: want %q:\n%s", c.state, c.o.ASCII, c.tiny, tiny)
		}
		// at 40 columns the clock stays, without its zone, before the
		// phase: in a replay it says when in the night the screen is
		for _, moment := range []string{"approaching", "done"} {
			s := replayAt(moment, sources.StateOK, 0, replayStates[c.state])
			clock := s.At.In(zone(s)).Format("15:04:05")
			if narrow := ansi.Strip(viewHeader(s, c.o, 40, 1)); !strings.Contains(narrow, c.tiny+"  "+clock) && !strings.Contains(narrow, c.wide+"  "+clock) {
				t.Errorf("%s %s ascii=%v at 40: want %q then the clock %s:\n%s", moment, c.state, c.o.ASCII, c.tiny, clock, narrow)
			}
		}
	}
	// the seek target and the clock in the event's zone, not the machine's
	s := replayAt("approaching", sources.StateOK, 0, replayStates["seeking"])
	s.At, s.Replay.Seeking = s.At.UTC(), s.Replay.Seeking.UTC()
	if v := ansi.Strip(viewHeader(s, colour, 200, 3)); !strings.Contains(v, "→ 00:05:00") || !strings.Contains(v, "23:58:04 CST") {
		t.Errorf("times not in the event's zone:\n%s", v)
	}
}
