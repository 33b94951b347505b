package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"warroom/sources"
	"warroom/ui/internal/fixture"
)

var goldenSizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

func TestFrame(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			golden.RequireEqual(t, Frame(fixture.Snapshot(), sz[0], sz[1], Options{}))
		})
	}
	for _, sz := range [][2]int{{40, 12}, {80, 24}} {
		t.Run(fmt.Sprintf("ascii_%dx%d", sz[0], sz[1]), func(t *testing.T) {
			golden.RequireEqual(t, Frame(fixture.Snapshot(), sz[0], sz[1], Options{ASCII: true}))
		})
	}
	// 50 s after the stage end: the big header counts up, names the first
	// crit since the end, and counts down to the next stage in small text
	for _, c := range []struct {
		name  string
		w, h  int
		ascii bool
	}{{"hot_80x24", 80, 24, false}, {"hot_40x12", 40, 12, false}, {"hot_ascii_80x24", 80, 24, true}} {
		t.Run(c.name, func(t *testing.T) {
			golden.RequireEqual(t, Frame(fixture.Hot(), c.w, c.h, Options{ASCII: c.ascii}))
		})
	}
	// the example config's indicators: a Prometheus stat among the
	// second row's at 80×24, under the where line
	t.Run("example_80x24", func(t *testing.T) {
		golden.RequireEqual(t, Frame(fixture.Example("pay"), 80, 24, Options{}))
	})
	// seconds before alerts fire: pending states with their time left
	for _, c := range []struct {
		name  string
		w, h  int
		ascii bool
	}{{"pending_80x24", 80, 24, false}, {"pending_40x12", 40, 12, false}, {"pending_ascii_40x12", 40, 12, true}} {
		t.Run(c.name, func(t *testing.T) {
			golden.RequireEqual(t, Frame(fixture.Pending(), c.w, c.h, Options{ASCII: c.ascii}))
		})
	}
}

// With no stage end ahead and none just passed (no schedule, or after the
// last stage's window) the big clock has nothing to count: its two extra
// rows go to the panes. Right after the last stage end it counts up.
func TestFrameHeaderRowsWithoutStageEnd(t *testing.T) {
	lines := func(s []string, i int) string { return s[i] }
	with := strings.Split(Frame(fixture.Snapshot(), 80, 24, Options{}), "\n")
	snap := fixture.Snapshot()
	snap.Next, snap.Current, snap.Phase = nil, nil, sources.PhaseNormal
	without := strings.Split(Frame(snap, 80, 24, Options{}), "\n")
	if strings.HasPrefix(lines(with, 1), "╭") {
		t.Errorf("with a stage ahead, row 2 is a pane's border, not the countdown:\n%s", strings.Join(with, "\n"))
	}
	if !strings.HasPrefix(lines(without, 1), "╭") {
		t.Errorf("without a stage ahead, row 2 should be the first pane's border:\n%s", strings.Join(without, "\n"))
	}
	last := fixture.Hot()
	last.Next = nil
	after := strings.Split(Frame(last, 80, 24, Options{}), "\n")
	if strings.HasPrefix(lines(after, 1), "╭") || !strings.Contains(lines(after, 0), "since day 1 end") {
		t.Errorf("after the last stage end, the header should count up in three rows:\n%s", strings.Join(after, "\n"))
	}
}
