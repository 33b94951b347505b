package pane

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"warroom/sources"
	"warroom/ui/internal/fixture"
)

type viewer interface{ View() string }

// sizes per pane: what a pane gets in an 80×24, 120×40 and 200×60 screen,
// plus a squeeze.
var paneSizes = [][2]int{{20, 5}, {40, 8}, {60, 14}, {12, 3}}

func check(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) != w {
			t.Fatalf("line %d is %d cells, want %d: %q", i, ansi.StringWidth(l), w, ansi.Strip(l))
		}
	}
}

func TestPanes(t *testing.T) {
	snap := fixture.Snapshot()
	o := Options{Styles: DefaultStyles(true)}
	build := map[string]func(w, h int) viewer{
		"stat_ok": func(w, h int) viewer {
			m := NewStat("nginx.qps", o)
			m.SetSize(w, h)
			m.SetSnapshot(snap)
			return m
		},
		"stat_stale": func(w, h int) viewer {
			m := NewStat("prom.db_conns", o)
			m.SetSize(w, h)
			m.SetSnapshot(snap)
			return m
		},
		"stat_error": func(w, h int) viewer {
			m := NewStat("prom.node_cpu", o)
			m.SetSize(w, h)
			m.SetSnapshot(snap)
			return m
		},
		"stat_pending_crit":      pendingStat("nginx.499_rate", o),   // ok, crit in 6s
		"stat_pending_warn":      pendingStat("nginx.slow_ratio", o), // ok, warn in 23s
		"stat_warn_pending_crit": pendingStat("app.db", o),           // warn, crit in 4s
		"stat_held":              pendingStat("nginx.5xx_ratio", o),  // past crit, ok for its rule's reason
		"chart": func(w, h int) viewer {
			m := NewChart([]string{"nginx.499_rate"}, o)
			m.SetSize(w, h)
			m.Focus()
			m.SetSnapshot(snap)
			return m
		},
		"chart_prev": func(w, h int) viewer { // with the previous milestone's overlay, dotted
			m := NewChart([]string{"nginx.qps"}, o)
			m.SetSize(w, h)
			m.SetSnapshot(snap)
			return m
		},
		"top": func(w, h int) viewer {
			m := NewTop("paths", o)
			m.SetSize(w, h)
			m.SetSnapshot(snap)
			return m
		},
		"log": func(w, h int) viewer {
			m := NewLog("", o)
			m.SetSize(w, h)
			m.SetSnapshot(snap)
			return m
		},
		"timeline": func(w, h int) viewer {
			m := NewTimeline(o)
			m.SetSize(w, h)
			m.SetSnapshot(snap)
			return m
		},
		"timeline_hot": func(w, h int) viewer { // across midnight, two unacked crits since the end
			m := NewTimeline(o)
			m.SetSize(w, h)
			m.SetSnapshot(fixture.Hot())
			return m
		},
		"header": func(w, h int) viewer {
			m := NewHeader(o)
			m.SetSize(w, h)
			m.SetSnapshot(snap)
			return m
		},
		"header_hot": func(w, h int) viewer { // counting up, with the first crit since the end
			m := NewHeader(o)
			m.SetSize(w, h)
			m.SetSnapshot(fixture.Hot())
			return m
		},
		"header_replay": func(w, h int) viewer { // a replay at 60×: REPLAY at every width
			m := NewHeader(o)
			m.SetSize(w, h)
			m.SetSnapshot(fixture.Replay())
			return m
		},
		"where": func(w, h int) viewer { // 499s crit: where they come from
			m := NewWhere(o)
			m.SetSize(w, h)
			m.SetSnapshot(snap)
			return m
		},
		"where_hot": func(w, h int) viewer { // slow and 499s crit, zoomed: every driver
			m := NewWhere(o)
			m.SetSize(w, h)
			m.SetSnapshot(fixture.Hot())
			return m
		},
		"status": func(w, h int) viewer {
			m := NewStatus(o)
			m.SetSize(w, h)
			m.SetHints("? help • q quit", "? help")
			m.SetSnapshot(snap)
			return m
		},
	}
	for name, b := range build {
		sizes := paneSizes
		if strings.HasPrefix(name, "header") {
			sizes = [][2]int{{80, 3}, {40, 1}, {120, 1}}
		}
		if strings.HasPrefix(name, "timeline") {
			sizes = timelineSizes
		}
		if strings.HasPrefix(name, "stat_pending") || strings.HasPrefix(name, "stat_warn_pending") || name == "stat_held" {
			sizes = statSizes
		}
		if strings.HasPrefix(name, "where") {
			sizes = whereSizes
		}
		if name == "status" {
			sizes = [][2]int{{80, 1}, {40, 1}, {160, 1}}
		}
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				v := b(sz[0], sz[1]).View()
				check(t, v, sz[0], sz[1])
				golden.RequireEqual(t, ansi.Strip(v))
			})
		}
	}
}

// whereSizes are the where line at 80×24, 40×12 and in a narrow split,
// and zoomed.
var whereSizes = [][2]int{{80, 1}, {40, 1}, {20, 1}, {120, 8}, {60, 14}}

// timelineSizes are the sizes the timeline gets in an 80×24, 120×40 and
// 200×60 screen, then the common pane sizes.
var timelineSizes = append([][2]int{{32, 5}, {48, 7}, {80, 12}}, paneSizes...)

// statSizes are the sizes a stat gets: the layout's 20×4 at 80×24, 20×5
// at 40×12, its narrowest 14×4, the roomier ones, and a single line.
var statSizes = [][2]int{{14, 4}, {20, 4}, {20, 5}, {40, 8}, {60, 14}, {12, 3}, {30, 1}}

func pendingStat(name string, o Options) func(w, h int) viewer {
	return func(w, h int) viewer {
		m := NewStat(name, o)
		m.SetSize(w, h)
		m.SetSnapshot(fixture.Pending())
		return m
	}
}

// A value that is not current never looks current: symbol and word.
func TestStaleAndErrorNeverLookCurrent(t *testing.T) {
	snap := fixture.Snapshot()
	for _, name := range []string{"prom.db_conns", "prom.node_cpu"} {
		for _, o := range []Options{{Styles: PlainStyles()}, {Styles: PlainStyles(), ASCII: true}} {
			for _, sz := range [][2]int{{12, 1}, {20, 4}, {40, 5}} {
				m := NewStat(name, o)
				m.SetSize(sz[0], sz[1])
				m.SetSnapshot(snap)
				v := m.View()
				if !strings.Contains(v, "? ") && !strings.Contains(v, "! ") {
					t.Errorf("%s %v: no stale/error symbol:\n%s", name, sz, v)
				}
				if !strings.Contains(v, "STALE") && !strings.Contains(v, "ERROR") && sz[0] > 12 {
					t.Errorf("%s %v: no STALE/ERROR word:\n%s", name, sz, v)
				}
			}
		}
	}
	in := snap.Indicators[5]
	if in.Value.Health != sources.HealthStale {
		t.Fatal("fixture changed: indicator 5 should be stale")
	}
}
