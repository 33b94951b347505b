package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"warroom/sources"
	"warroom/ui/internal/fixture"
)

// replayProvider is the fixture's provider in a replay: each snapshot
// carries State, and the replay keys are recorded in the order called.
type replayProvider struct {
	*fixture.Provider
	mu    sync.Mutex
	State sources.ReplayState
	calls []string
}

func newReplay() *replayProvider {
	return &replayProvider{Provider: &fixture.Provider{}, State: *fixture.Replay().Replay}
}

func (r *replayProvider) Snapshot() *sources.Snapshot {
	s := r.Provider.Snapshot()
	r.mu.Lock()
	st := r.State
	r.mu.Unlock()
	s.Replay = &st
	return s
}

func (r *replayProvider) call(c string) {
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
}

func (r *replayProvider) setNote(n string) {
	r.mu.Lock()
	r.State.Note = n
	r.State.NoteSeq++
	r.mu.Unlock()
}

func (r *replayProvider) TogglePause()      { r.call("pause") }
func (r *replayProvider) Faster()           { r.call("faster") }
func (r *replayProvider) Slower()           { r.call("slower") }
func (r *replayProvider) SeekStage(dir int) { r.call(fmt.Sprintf("stage %+d", dir)) }
func (r *replayProvider) Seek(t time.Time)  { r.call("seek " + t.Format(time.RFC3339)) }

// Calls returns the replay keys called so far, and forgets them.
func (r *replayProvider) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// sizedOn is sized for any provider.
func sizedOn(t testing.TB, p sources.Provider, o Options, w, h int) Model {
	t.Helper()
	m := New(p, o)
	m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return update(t, m, m.fetchCmd(1)())
}

// In a replay the keys steer the replay clock: space and p pause it (not
// the panes), [ and ] change its pace, m and M seek to a stage end; each
// reads a snapshot at once to show what it did.
func TestReplayKeysCallTheReplayer(t *testing.T) {
	p := newReplay()
	m := sizedOn(t, p, Options{}, 120, 40)
	for _, c := range []struct {
		key, want string
	}{
		{"space", "pause"}, {"p", "pause"}, {"[", "slower"}, {"]", "faster"}, {"m", "stage -1"}, {"M", "stage +1"},
	} {
		before := p.Provider.Calls
		m, _ = press(t, m, c.key)
		if got := p.Calls(); !slices.Equal(got, []string{c.want}) {
			t.Errorf("%s: called %v, want [%s]", c.key, got, c.want)
		}
		if p.Provider.Calls != before+1 {
			t.Errorf("%s: %d snapshots read after it, want 1", c.key, p.Provider.Calls-before)
		}
		if m.paused || !m.end.IsZero() || m.shown != m.latest {
			t.Errorf("%s: the panes left the replay clock (paused %v, end %v)", c.key, m.paused, m.end)
		}
	}
	if out := plain(m); strings.Contains(out, "PAUSED") || strings.Contains(out, "LIVE") || !strings.Contains(out, "REPLAY") {
		t.Errorf("a replay's header says PAUSED or LIVE, or not REPLAY:\n%s", out)
	}
	m, _ = press(t, m, "0")
	if out := plain(m); !strings.Contains(out, "a replay has no live; g goes to a time") {
		t.Errorf("0 in a replay says nothing:\n%s", out)
	}
	if got := p.Calls(); len(got) != 0 {
		t.Errorf("0 called %v", got)
	}
}

// Live, none of it: space still freezes the panes, and g, [ and ] do
// nothing.
func TestLiveHasNoReplayKeys(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{}, 120, 40)
	if m.replayer != nil {
		t.Fatal("the fixture's provider taken for a replayer")
	}
	m, _ = press(t, m, "g", "[", "]")
	if m.prompting || strings.Contains(plain(m), "go to:") {
		t.Fatalf("g opened a prompt live:\n%s", plain(m))
	}
	m, _ = press(t, m, "space")
	if !m.paused || !strings.Contains(plain(m), "PAUSED") {
		t.Fatalf("space live did not pause the panes:\n%s", plain(m))
	}
}

// g opens a prompt in the status bar that takes every key: an "m" or a
// space typed is part of the time, not a seek or a pause. Enter seeks to
// the instant nearest the replay clock, and says which day that is.
func TestReplayGoToPrompt(t *testing.T) {
	p := newReplay()
	m := sizedOn(t, p, Options{}, 120, 40)
	m, _ = press(t, m, "g")
	if out := plain(m); !strings.Contains(out, "go to: █") || !strings.Contains(out, "12-31 23:58") {
		t.Fatalf("g: no prompt with its hint:\n%s", out)
	}
	// "12-02 m0:05" with the m erased, a space, p, [ and ] among the typing
	m, quit := press(t, m, "1", "2", "-", "0", "2", "space", "m", "backspace", "0", "0", ":", "0", "5", "q")
	if quit {
		t.Fatal("q typed into the prompt quit")
	}
	m, _ = press(t, m, "backspace")
	if got := p.Calls(); len(got) != 0 {
		t.Fatalf("keys typed into the prompt acted: %v", got)
	}
	if out := plain(m); !strings.Contains(out, "go to: 12-02 00:05█") {
		t.Fatalf("the prompt does not show what was typed:\n%s", out)
	}
	at := m.latest.At
	m, _ = press(t, m, "enter")
	want, _ := sources.ParseInstant("12-02 00:05", at, fixture.CST)
	if got := p.Calls(); !slices.Equal(got, []string{"seek 2026-12-02T00:05:00+08:00"}) || !want.Equal(time.Date(2026, 12, 2, 0, 5, 0, 0, fixture.CST)) {
		t.Fatalf("enter: called %v, want a seek to %v", got, want)
	}
	out := plain(m)
	if m.prompting || strings.Contains(out, "go to:") {
		t.Fatalf("the prompt stayed open after enter:\n%s", out)
	}
	if !strings.Contains(out, "going to 12-02 00:05:00 CST") {
		t.Errorf("enter: no word of where it goes:\n%s", out)
	}
	// a time of day alone is the one nearest the clock: 23:58 is the same
	// night, not the next
	m, _ = press(t, m, "g", "2", "3", ":", "5", "0", "enter")
	if got := p.Calls(); !slices.Equal(got, []string{"seek 2026-12-01T23:50:00+08:00"}) {
		t.Errorf("g 23:50: called %v", got)
	}
}

// Enter on what is not a time says why and seeks nowhere; esc gives up
// without a word; after either the keys act again.
func TestReplayGoToBadTimeAndEsc(t *testing.T) {
	p := newReplay()
	m := sizedOn(t, p, Options{}, 120, 40)
	m, _ = press(t, m, "g", "2", "5", ":", "9", "9", "enter")
	if got := p.Calls(); len(got) != 0 {
		t.Errorf("a bad time called %v", got)
	}
	if out := plain(m); !strings.Contains(out, `"25:99": not a time`) || strings.Contains(out, "go to:") {
		t.Errorf("a bad time: no error in the status bar, or the prompt still open:\n%s", out)
	}
	m, _ = press(t, m, "g", "0", "0", "esc")
	if got := p.Calls(); len(got) != 0 {
		t.Errorf("esc called %v", got)
	}
	if m.prompting || strings.Contains(plain(m), "go to:") {
		t.Errorf("esc left the prompt open:\n%s", plain(m))
	}
	m, _ = press(t, m, "g", "ctrl+c")
	if m.prompting {
		t.Error("ctrl+c left the prompt open")
	}
	m, _ = press(t, m, "m")
	if got := p.Calls(); !slices.Equal(got, []string{"stage -1"}) {
		t.Errorf("m after the prompt closed: called %v", got)
	}
	// an empty time is an error too, not a seek to the clock
	m, _ = press(t, m, "g", "enter")
	if got := p.Calls(); len(got) != 0 || !strings.Contains(plain(m), "no time given") {
		t.Errorf("enter on nothing: called %v:\n%s", got, plain(m))
	}
}

// The help shows a replay's keys in a replay and only there, also at
// 40×12; the status bar's hint names them too.
func TestReplayHelp(t *testing.T) {
	replay := []string{"space pause", "slower", "faster", "prev stage end", "next stage end", "go to a time"}
	live := []string{"prev milestone", "next milestone", "live"}
	for _, sz := range [][2]int{{120, 40}, {80, 24}, {40, 12}} {
		m := sizedOn(t, newReplay(), Options{}, sz[0], sz[1])
		m, _ = press(t, m, "?")
		out := plain(m)
		for _, k := range replay {
			if !strings.Contains(out, k) {
				t.Errorf("replay %v: help lacks %q:\n%s", sz, k, out)
			}
		}
		for _, k := range live {
			if strings.Contains(out, k+" ") || strings.Contains(out, k+"\n") || strings.HasSuffix(out, k) {
				t.Errorf("replay %v: help offers the live %q:\n%s", sz, k, out)
			}
		}
		m = sized(t, &fixture.Provider{}, Options{}, sz[0], sz[1])
		m, _ = press(t, m, "?")
		if out := plain(m); strings.Contains(out, "go to a time") || strings.Contains(out, "slower") {
			t.Errorf("live %v: help offers a replay's keys:\n%s", sz, out)
		}
	}
	if out := plain(sizedOn(t, newReplay(), Options{}, 200, 50)); !strings.Contains(out, "g go to a time") || strings.Contains(out, "m prev milestone") {
		t.Errorf("replay: the status bar's hints are the live ones:\n%s", out)
	}
}

// The screen of a replay: 80×24 and 40×12 at 60×, 80×24 with the go-to
// prompt open, and 40×12 paused on the way to a seek's target.
func TestReplayFrame(t *testing.T) {
	for _, c := range []struct {
		name  string
		w, h  int
		state sources.ReplayState
		keys  []string
	}{
		{"80x24", 80, 24, *fixture.Replay().Replay, nil},
		{"40x12", 40, 12, *fixture.Replay().Replay, nil},
		{"prompt_80x24", 80, 24, *fixture.Replay().Replay, []string{"g", "0", "0", ":", "0"}},
		{"seeking_40x12", 40, 12, sources.ReplayState{Paused: true, Seeking: fixture.NextEnd.Add(5 * time.Minute)}, nil},
		{"done_80x24", 80, 24, sources.ReplayState{Speed: sources.MaxSpeed, Done: true}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newReplay()
			p.State = c.state
			m := sizedOn(t, p, Options{}, c.w, c.h)
			m, _ = press(t, m, c.keys...)
			out := plain(m)
			checkFrame(t, out, c.w, c.h)
			golden.RequireEqual(t, out)
		})
	}
}

// Every size fits in a replay, with the prompt open and with help.
func TestReplayEverySizeFits(t *testing.T) {
	for _, keys := range [][]string{nil, {"g", "2", "0", "2", "6", "-", "1", "2", "-", "0", "1", "space", "2", "3", ":", "5", "8"}, {"?"}} {
		m := sizedOn(t, newReplay(), Options{}, 80, 24)
		m, _ = press(t, m, keys...)
		for w := 1; w <= 300; w += 3 {
			for h := 1; h <= 90; h += 4 {
				m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
				checkFrame(t, m.View().Content, w, h)
				if w >= 20 && !strings.Contains(plain(m), "REPLAY") {
					t.Fatalf("%dx%d with keys %v: no REPLAY:\n%s", w, h, keys, plain(m))
				}
			}
		}
	}
}

// A replayer's note and what is typed into the prompt reach the terminal
// only as text.
func TestReplayHostileTextCannotReachTheTerminal(t *testing.T) {
	p := newReplay()
	p.setNote(evil)
	m := sizedOn(t, p, Options{}, 80, 24)
	if !strings.Contains(plain(m), "2J") {
		t.Fatalf("the note is not shown:\n%s", plain(m))
	}
	checkOnlySGR(t, "note", m.View().Content)
	m, _ = press(t, m, "g")
	next, cmd := m.Update(tea.KeyPressMsg{Code: 'x', Text: evil})
	m, _ = settle(t, next.(Model), cmd)
	if !strings.Contains(plain(m), "go to: x[2J]0;pwned31m31my") {
		t.Errorf("the printable part of what was typed is not in the prompt:\n%s", plain(m))
	}
	checkOnlySGR(t, "prompt", m.View().Content)
	m, _ = press(t, m, "enter")
	checkOnlySGR(t, "error", m.View().Content)
}
