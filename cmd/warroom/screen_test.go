package main

import (
	"errors"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// TestRecoveredTurnsAPanicIntoAnError: a panic in one of the screen's
// background parts comes back as an error naming the part, the panic and
// where it happened (printed once the terminal is restored), not as a
// crash that leaves the terminal in raw mode on the alternate screen.
func TestRecoveredTurnsAPanicIntoAnError(t *testing.T) {
	err := recovered("the collector", func() error { panic("index out of range") })
	if err == nil {
		t.Fatal("a panic came back as nil")
	}
	for _, want := range []string{"the collector crashed", "index out of range", "screen_test.go:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	plain := errors.New("tail: permission denied")
	if err := recovered("the collector", func() error { return plain }); err != plain {
		t.Errorf("an ordinary error came back as %v", err)
	}
	if err := recovered("the notifier", func() error { return nil }); err != nil {
		t.Errorf("no error came back as %v", err)
	}
}

// TestFrameWriter: the screen goes on the alternate screen with the cursor
// hidden and paste bracketed, a frame is written once (the same frame again
// costs nothing, a changed cell costs a few bytes), a resize redraws, and
// stop undoes everything start did.
func TestFrameWriter(t *testing.T) {
	var out strings.Builder
	f := newFrameWriter(&out, []string{"TERM=xterm-256color"}, colorprofile.ANSI256, true, 20, 3)
	if err := f.start(); err != nil {
		t.Fatal(err)
	}
	for _, seq := range []string{ansi.SetModeAltScreenSaveCursor, ansi.ResetModeTextCursorEnable, ansi.SetModeBracketedPaste, ansi.SetModeMouseButtonEvent} {
		if !strings.Contains(out.String(), seq) {
			t.Errorf("start lacks %q: %q", seq, out.String())
		}
	}
	frame := "warroom  12:00:00\nQPS 120/s\nslow 2‱"
	out.Reset()
	if err := f.draw(frame); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"warroom", "QPS 120/s", "slow 2‱"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("first frame lacks %q: %q", want, out.String())
		}
	}
	out.Reset()
	f.draw(frame)
	if out.Len() != 0 {
		t.Errorf("the same frame again wrote %q", out.String())
	}
	f.draw(strings.Replace(frame, "12:00:00", "12:00:01", 1))
	if n := out.Len(); n == 0 || n > 16 || strings.Contains(out.String(), "QPS") {
		t.Errorf("a one-cell change wrote %d bytes: %q", n, out.String())
	}
	out.Reset()
	f.resize(30, 4)
	f.draw(strings.Replace(frame, "12:00:00", "12:00:01", 1))
	if !strings.Contains(out.String(), "QPS 120/s") {
		t.Errorf("after a resize the frame was not redrawn: %q", out.String())
	}
	out.Reset()
	if err := f.stop(); err != nil {
		t.Fatal(err)
	}
	for _, seq := range []string{ansi.ResetModeAltScreenSaveCursor, ansi.SetModeTextCursorEnable, ansi.ResetModeBracketedPaste, ansi.ResetModeMouseButtonEvent} {
		if !strings.Contains(out.String(), seq) {
			t.Errorf("stop lacks %q: %q", seq, out.String())
		}
	}
	out.Reset()
	f.draw("after")
	f.stop()
	if out.Len() != 0 {
		t.Errorf("a stopped writer wrote %q", out.String())
	}
}

// TestFrameWriterRedrawsOnlyChangedLinesFaithfully: drawing only the lines
// that changed must leave the same cells — characters, colours,
// attributes — as drawing the whole frame afresh, for lipgloss output with
// borders, backgrounds and wide characters, and for a frame that shrinks.
func TestFrameWriterRedrawsOnlyChangedLinesFaithfully(t *testing.T) {
	box := func(title, body, border string) string {
		return lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color(border)).
			Foreground(lipgloss.Color("#ff8800")).Bold(true).Width(20).Render(title + "\n" + body)
	}
	frame := func(v string, rows int) string {
		parts := []string{
			lipgloss.NewStyle().Background(lipgloss.Color("#202020")).Foreground(lipgloss.Color("#00ff00")).Width(44).Render("clock 00:0" + v + "\n倒计时 " + v),
			lipgloss.JoinHorizontal(lipgloss.Top, box("QPS", "120/s\n▁▃█▇", "9"), box("slow ‱", "2‱ "+v, "1")),
		}
		for i := 0; i < rows; i++ {
			parts = append(parts, lipgloss.NewStyle().Italic(true).Render("log line "+v))
		}
		return lipgloss.JoinVertical(lipgloss.Left, parts...)
	}
	const w, h = 50, 14
	var out strings.Builder
	f := newFrameWriter(&out, nil, colorprofile.TrueColor, false, w, h)
	for i, fr := range []string{frame("1", 3), frame("2", 3), frame("2", 1), frame("3", 4)} {
		f.draw(fr)
		want := uv.NewScreenBuffer(w, h)
		uv.NewStyledString(fr).Draw(want, want.Bounds())
		if got, want := f.cells.Render(), want.Render(); got != want {
			t.Errorf("frame %d: after a partial redraw the cells are\n%q\nwant\n%q", i, got, want)
		}
	}
}
