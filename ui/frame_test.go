package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

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
}
