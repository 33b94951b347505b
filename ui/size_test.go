package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warroom/ui/internal/fixture"
)

// sized returns a model that has seen the fixture at w×h.
func sized(t testing.TB, p *fixture.Provider, o Options, w, h int) Model {
	t.Helper()
	m := New(p, o)
	m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	m = update(t, m, m.fetchCmd(1)())
	return m
}

func update(t testing.TB, m Model, msg tea.Msg) Model {
	t.Helper()
	next, _ := m.Update(msg)
	return next.(Model)
}

// checkFrame fails unless s is exactly h lines of at most w cells.
func checkFrame(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Fatalf("%dx%d: %d lines, want %d", w, h, len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Fatalf("%dx%d: line %d is %d cells wide:\n%s", w, h, i, got, ansi.Strip(l))
		}
	}
}

// TestEverySizeFits renders, in colour, every size a tmux split can give
// (and the odd ones between), in each mode that changes the layout.
func TestEverySizeFits(t *testing.T) {
	p := &fixture.Provider{}
	modes := []struct {
		name string
		o    Options
		keys []string
	}{
		{"default", Options{}, nil},
		{"ascii", Options{ASCII: true}, nil},
		{"zoomed", Options{}, []string{"tab", "tab", "enter"}},
		{"help", Options{}, []string{"?"}},
	}
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			m := sized(t, p, md.o, 80, 24)
			for _, k := range md.keys {
				m = update(t, m, keyMsg(k))
			}
			for w := 40; w <= 300; w += 7 {
				for h := 12; h <= 90; h += 3 {
					m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
					checkFrame(t, m.View().Content, w, h)
				}
			}
			// The edges themselves.
			for _, sz := range [][2]int{{40, 12}, {300, 90}, {40, 90}, {300, 12}} {
				m = update(t, m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				checkFrame(t, m.View().Content, sz[0], sz[1])
			}
		})
	}
}

// TestKeyStatsAt80x24: half a tmux window still shows the countdown and
// the four key indicators with their values.
func TestKeyStatsAt80x24(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {40, 12}, {60, 15}} {
		f := Frame(fixture.Snapshot(), sz[0], sz[1], Options{})
		for _, want := range []string{"00:01:30", "1.23k/s", "62‱", "7.2/s", "DB err/min"} {
			if sz[1] >= 20 && want == "00:01:30" {
				continue // the big digits draw it
			}
			if !strings.Contains(f, want) {
				t.Errorf("%dx%d: %q not on screen:\n%s", sz[0], sz[1], want, f)
			}
		}
	}
}
