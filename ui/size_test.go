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
		{"zoomed_where", Options{}, []string{"tab", "tab", "tab", "tab", "tab", "enter"}},
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

// TestTinySizes: a terminal of no rows or columns, one, or a few, draws
// what fits and never panics — zoomed on the where line too.
func TestTinySizes(t *testing.T) {
	p := &fixture.Provider{}
	for _, keys := range [][]string{nil, {"tab", "tab", "tab", "tab", "tab", "enter"}} {
		m := sized(t, p, Options{}, 80, 24)
		for _, k := range keys {
			m = update(t, m, keyMsg(k))
		}
		for w := 0; w <= 24; w++ {
			for h := 0; h <= 14; h++ {
				m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
				v := m.View().Content
				if w == 0 || h == 0 {
					continue
				}
				checkFrame(t, v, w, h)
			}
		}
	}
}

// TestWhereLineStays: wherever the key stats show, the where line shows
// under them, one line tall — from 80×24 down to a sliver of a split — as
// long as the screen has a row for it after one row per band of key stats.
func TestWhereLineStays(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{}, 80, 24)
	for w := 20; w <= 300; w += 11 {
		for h := 5; h <= 90; h += 2 {
			m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
			where, keyBands := -1, map[int]bool{}
			for i, s := range m.slots {
				switch {
				case s.cfg.Kind == KindWhere:
					where = i
				case s.key && s.cfg.Kind == KindStat:
					keyBands[m.rects[i].y] = m.rects[i].w > 0
				}
			}
			if where < 0 {
				t.Fatal("no where pane in the default layout of a snapshot with drivers")
			}
			if h-2 < len(keyBands)+1 {
				continue // not a row to spare after the key stats
			}
			r := m.rects[where]
			if r.w != w || r.h != 1 {
				t.Fatalf("%dx%d: the where line is %dx%d:\n%s", w, h, r.w, r.h, plain(m))
			}
		}
	}
}

// TestKeyStatsAt80x24: half a tmux window still shows the countdown and
// the four key indicators with their values, and where the 499s come
// from.
func TestKeyStatsAt80x24(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {40, 12}, {60, 15}} {
		f := Frame(fixture.Snapshot(), sz[0], sz[1], Options{})
		for _, want := range []string{"00:01:30", "1.23k/s", "62‱", "7.2/s", "DB err/min", "✖ 499 ← /api/v2/ranking/result 70%"} {
			if sz[1] >= 20 && want == "00:01:30" {
				continue // the big digits draw it
			}
			if !strings.Contains(f, want) {
				t.Errorf("%dx%d: %q not on screen:\n%s", sz[0], sz[1], want, f)
			}
		}
	}
	// in HOT, both slow responses and 499s crit: the first of them in the
	// stats' order, under the count-up
	for _, sz := range [][2]int{{80, 24}, {40, 12}} {
		f := Frame(fixture.Hot(), sz[0], sz[1], Options{})
		for _, want := range []string{"00:00:50", "✖ slow ← /api/v2/ranking/result 80%"} {
			if !strings.Contains(f, want) {
				t.Errorf("HOT %dx%d: %q not on screen:\n%s", sz[0], sz[1], want, f)
			}
		}
	}
}
