package ui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"warroom/ui/internal/fixture"
)

// TestAppRun runs the whole program against a fake provider: first frame,
// a wider window, a resize, focus and zoom, then q.
func TestAppRun(t *testing.T) {
	p := &fixture.Provider{}
	tm := teatest.NewTestModel(t, New(p, Options{Refresh: 50 * time.Millisecond}), teatest.WithInitialTermSize(120, 40))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
	waitFor("DB err/min")
	tm.Type("+")
	waitFor("LIVE 1h")
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(Model)
	if final.w != 80 || final.h != 24 || !final.zoomed {
		t.Fatalf("final model %dx%d zoomed=%v", final.w, final.h, final.zoomed)
	}
	if got := p.LastView().Window; got != time.Hour {
		t.Fatalf("provider asked for %v, want 1h", got)
	}
	if p.Calls < 2 {
		t.Fatalf("provider asked %d times", p.Calls)
	}
	checkFrame(t, final.View().Content, 80, 24)
}
