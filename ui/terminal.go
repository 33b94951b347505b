package ui

import (
	"bytes"
	"io"
	"strings"

	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// FrameWriter puts the screen's frames on the terminal as soon as the model
// has a new one. bubbletea's own renderer writes only on a fixed-rate ticker
// (WithFPS): a key waits for the next tick, and an idle screen pays for every
// tick — on the development machine a bare 10 Hz Go ticker alone costs
// 0.24% of a core, most of the idle budget. Here a frame goes out in the
// same Update that made it, and nothing wakes up between frames.
//
// It owns what bubbletea's renderer would otherwise set up and undo: the
// alternate screen, the hidden cursor, bracketed paste (a paste must not
// read as keys: a pasted q would quit) and mouse reporting. The diffing is
// ultraviolet's, the same bubbletea uses.
type FrameWriter struct {
	out   io.Writer
	mouse bool

	buf    bytes.Buffer // one frame's bytes, written in one call
	scr    *uv.TerminalRenderer
	cells  uv.ScreenBuffer
	w, h   int
	last   string   // the content on screen
	lines  []string // its lines, one per row
	drawn  bool
	closed bool
}

// TerminalOptions describes the terminal a FrameWriter draws on.
type TerminalOptions struct {
	Env           []string             // the process's environment (TERM and the like)
	Profile       colorprofile.Profile // the colours it shows
	Mouse         bool                 // report clicks and the wheel (Options.Mouse)
	Width, Height int                  // its size when the screen starts
}

// NewFrameWriter returns a writer of frames to out; nothing is written
// before Start.
func NewFrameWriter(out io.Writer, o TerminalOptions) *FrameWriter {
	w, h := o.Width, o.Height
	f := &FrameWriter{out: out, mouse: o.Mouse, w: w, h: h}
	f.scr = uv.NewTerminalRenderer(&f.buf, o.Env)
	f.scr.SetColorProfile(o.Profile)
	f.scr.SetTabStops(-1)
	// Scroll optimisation hashes every line of every frame to find regions
	// that moved up or down; a dashboard's panes stay where they are (perf
	// put the hashing at an eighth of the idle CPU at 200x50, though the
	// difference is within the noise of a 30 s measurement).
	f.scr.SetScrollOptim(false)
	f.cells = uv.NewScreenBuffer(w, h)
	f.lines = make([]string, h)
	return f
}

// Start switches to the alternate screen with the cursor hidden.
func (f *FrameWriter) Start() error {
	f.scr.SaveCursor()
	f.buf.WriteString(ansi.SetModeAltScreenSaveCursor + ansi.ResetModeTextCursorEnable + ansi.SetModeBracketedPaste)
	if f.mouse {
		f.buf.WriteString(ansi.SetModeMouseButtonEvent + ansi.SetModeMouseExtSgr)
	}
	f.scr.SetFullscreen(true)
	f.scr.SetRelativeCursor(false)
	f.scr.Erase()
	return f.flush()
}

// resize takes the terminal's new size; the next frame is drawn whole.
func (f *FrameWriter) resize(w, h int) {
	if w == f.w && h == f.h {
		return
	}
	f.w, f.h = w, h
	f.scr.Erase()
	f.scr.Resize(w, h)
	f.cells.Touched = nil
	f.cells.Resize(w, h)
	f.lines = make([]string, h)
	f.drawn = false
}

// draw puts content on the screen, writing only what changed since the
// previous frame; the same content again writes nothing.
func (f *FrameWriter) draw(content string) error {
	if f.closed || (f.drawn && content == f.last) {
		return nil
	}
	full := !f.drawn
	f.last, f.drawn = content, true
	// Only the lines that changed are parsed and marked for the diff: once
	// a second most of the screen is as it was (the clock and the countdown
	// move; the charts, at a column per several seconds, mostly do not).
	// Each line stands alone: lipgloss ends every styled line with a reset.
	rest := content
	for y := range f.lines {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		line = strings.TrimSuffix(line, "\r")
		if !full && f.lines[y] == line {
			continue
		}
		f.lines[y] = line
		uv.NewStyledString(line).Draw(&f.cells, uv.Rect(0, y, f.w, 1))
	}
	f.scr.Render(f.cells.RenderBuffer)
	return f.flush()
}

// raw writes a sequence that does not move the cursor (a bell, a desktop
// notification) between frames.
func (f *FrameWriter) raw(seq string) error {
	if f.closed {
		return nil
	}
	_, err := io.WriteString(f.out, seq)
	return err
}

// Stop gives the terminal back: cursor to the bottom, mouse and bracketed
// paste off, cursor shown, main screen. Safe to call twice.
func (f *FrameWriter) Stop() error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.scr.MoveTo(0, max(f.h-1, 0))
	if err := f.scr.Flush(); err != nil {
		return err
	}
	f.scr.Erase()
	f.scr.SetRelativeCursor(true)
	f.scr.SetFullscreen(false)
	if f.mouse {
		f.buf.WriteString(ansi.ResetModeMouseButtonEvent + ansi.ResetModeMouseAnyEvent + ansi.ResetModeMouseExtSgr)
	}
	f.buf.WriteString(ansi.ResetModeBracketedPaste + ansi.SetModeTextCursorEnable + ansi.ResetModeAltScreenSaveCursor)
	f.scr.RestoreCursor()
	return f.flush()
}

func (f *FrameWriter) flush() error {
	if err := f.scr.Flush(); err != nil {
		return err
	}
	if f.buf.Len() == 0 {
		return nil
	}
	_, err := f.out.Write(f.buf.Bytes())
	f.buf.Reset()
	return err
}
