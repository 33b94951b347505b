package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"

	"warroom/ui/internal/fixture"
)

// TestFrameWriter: the screen goes on the alternate screen with the cursor
// hidden and paste bracketed, a frame is written once (the same frame again
// costs nothing, a changed cell costs a few bytes), a resize redraws, and
// Stop undoes everything Start did.
func TestFrameWriter(t *testing.T) {
	var out strings.Builder
	f := NewFrameWriter(&out, TerminalOptions{Env: []string{"TERM=xterm-256color"}, Profile: colorprofile.ANSI256, Mouse: true, Width: 20, Height: 3})
	if err := f.Start(); err != nil {
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
	if err := f.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, seq := range []string{ansi.ResetModeAltScreenSaveCursor, ansi.SetModeTextCursorEnable, ansi.ResetModeBracketedPaste, ansi.ResetModeMouseButtonEvent} {
		if !strings.Contains(out.String(), seq) {
			t.Errorf("stop lacks %q: %q", seq, out.String())
		}
	}
	out.Reset()
	f.draw("after")
	f.Stop()
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
	f := NewFrameWriter(&out, TerminalOptions{Profile: colorprofile.TrueColor, Width: w, Height: h})
	for i, fr := range []string{frame("1", 3), frame("2", 3), frame("2", 1), frame("3", 4)} {
		f.draw(fr)
		want := uv.NewScreenBuffer(w, h)
		uv.NewStyledString(fr).Draw(want, want.Bounds())
		if got, want := f.cells.Render(), want.Render(); got != want {
			t.Errorf("frame %d: after a partial redraw the cells are\n%q\nwant\n%q", i, got, want)
		}
	}
}

// TestShellWritesEachNewFrame: the shell writes the frame an Update made
// at once, nothing for an Update that left it as it was, and a RawMsg as
// is, between frames.
func TestShellWritesEachNewFrame(t *testing.T) {
	var out strings.Builder
	p := &fixture.Provider{}
	fw := NewFrameWriter(&out, TerminalOptions{Profile: colorprofile.Ascii, Width: 80, Height: 24})
	var s tea.Model = NewShell(New(p, Options{}), fw)
	s, _ = s.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	sh := s.(Shell)
	s, _ = s.Update(sh.fetchCmd(1)())
	if !strings.Contains(out.String(), "DB err/min") {
		t.Fatalf("the first frame was not written: %q", out.String())
	}
	out.Reset()
	s, _ = s.Update(tea.KeyPressMsg{Code: 'x', Text: "x"}) // a key that does nothing
	if out.Len() != 0 {
		t.Errorf("an unchanged frame wrote %q", out.String())
	}
	s, _ = s.Update(RawMsg("\a"))
	if out.String() != "\a" {
		t.Errorf("a raw sequence came out as %q", out.String())
	}
	out.Reset()
	s.Update(tea.KeyPressMsg{Code: '?', Text: "?"})
	if !strings.Contains(out.String(), "keys") {
		t.Errorf("the help overlay was not written: %q", out.String())
	}
}
