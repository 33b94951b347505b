package ui

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
	"warroom/ui/internal/fixture"
)

const evil = "x\x1b[2J\x1b]0;pwned\x07\u009b31m\xc2\x9b31m\r\b\x7f\x00y"

// evilSnapshot puts hostile text into every string a snapshot carries.
func evilSnapshot() *sources.Snapshot {
	s := fixture.Snapshot()
	s.Event = evil
	s.Phase = sources.Phase(evil)
	for _, ms := range []*sources.Milestone{s.Current, s.Next, s.Prev} {
		ms.Stage, ms.Event = evil, evil
	}
	for i := range s.Markers {
		s.Markers[i].Stage = evil
	}
	for i := range s.Indicators {
		in := &s.Indicators[i]
		in.Title, in.Reason = evil+in.Title, evil
		in.Value.Err = evil
		in.Series.Name, in.Secondary.Name = evil, evil
		in.Series.Labels = map[string]string{evil: evil}
	}
	s.Indicators[4].Value.Unit = sources.Unit(evil)
	s.Indicators[4].Series.Unit = sources.Unit(evil)
	for i := range s.Tops {
		s.Tops[i].Title = evil
		for j := range s.Tops[i].Rows {
			s.Tops[i].Rows[j].Key = evil
		}
	}
	for i := range s.Logs {
		s.Logs[i].Source = evil
		for j := range s.Logs[i].Lines {
			s.Logs[i].Lines[j].Pattern, s.Logs[i].Lines[j].Text = evil, evil
		}
		for j := range s.Logs[i].Patterns {
			s.Logs[i].Patterns[j].Name = evil
		}
	}
	for i := range s.Sources {
		s.Sources[i].Name, s.Sources[i].Kind, s.Sources[i].Detail = evil, evil, evil
		s.Sources[i].Health = sources.HealthError
	}
	for i := range s.Timeline {
		s.Timeline[i].Milestone = evil
		s.Timeline[i].Phase = sources.Phase(evil)
	}
	return s
}

type evilProvider struct{ fixture.Provider }

func (p *evilProvider) Snapshot() *sources.Snapshot {
	p.Provider.Snapshot()
	return evilSnapshot()
}

// checkOnlySGR fails if out holds any escape sequence other than SGR
// (ESC [ params m), or any other control character, raw or after
// stripping.
func checkOnlySGR(t *testing.T, what, out string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		if out[i] != 0x1b {
			continue
		}
		j := i + 1
		if j >= len(out) || out[j] != '[' {
			t.Fatalf("%s: non-CSI escape at byte %d: %q", what, i, out[i:min(i+12, len(out))])
		}
		j++
		for j < len(out) && (out[j] >= '0' && out[j] <= '9' || out[j] == ';' || out[j] == ':') {
			j++
		}
		if j >= len(out) || out[j] != 'm' {
			t.Fatalf("%s: non-SGR sequence at byte %d: %q", what, i, out[i:min(j+1, len(out))])
		}
		i = j
	}
	plain := ansi.Strip(out)
	for i, r := range plain {
		switch {
		case r == '\n':
		case r == utf8.RuneError:
			t.Fatalf("%s: invalid UTF-8 at byte %d", what, i)
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			t.Fatalf("%s: control character %U at byte %d in %q", what, r, i, plain[max(i-20, 0):min(i+20, len(plain))])
		}
	}
	if strings.Contains(plain, "pwned\x07") {
		t.Fatalf("%s: OSC payload reached the screen intact", what)
	}
}

func TestHostileTextCannotReachTheTerminal(t *testing.T) {
	for _, o := range []Options{{}, {ASCII: true}, {NoColor: true}} {
		for _, sz := range [][2]int{{40, 12}, {80, 24}, {200, 60}} {
			w, h := sz[0], sz[1]
			p := &evilProvider{}
			m := New(p, o)
			m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
			m = update(t, m, m.fetchCmd(1)())
			name := fmt.Sprintf("%+v %dx%d", o, w, h)
			checkOnlySGR(t, name, m.View().Content)
			checkFrame(t, m.View().Content, w, h)
			for _, k := range []string{"tab", "enter", "?", "esc", "esc", "m", "p"} {
				m, _ = press(t, m, k)
				checkOnlySGR(t, name+" after "+k, m.View().Content)
			}
			checkOnlySGR(t, name+" Frame", Frame(evilSnapshot(), w, h, o))
		}
	}
}
