package ui

import tea "charm.land/bubbletea/v2"

// RawMsg asks the program to write a sequence to the terminal as is: the
// bell and desktop notifications, written by the frame writer between
// frames, on the loop's goroutine like the frames themselves.
type RawMsg string

// Shell is the program's model when a FrameWriter draws the screen
// (bubbletea's renderer off): the root Model, whose every new frame it
// writes in the Update that made it, and raw output for notifications.
type Shell struct {
	Model
	fw *FrameWriter
}

// NewShell returns m drawing on fw.
func NewShell(m Model, fw *FrameWriter) Shell { return Shell{Model: m, fw: fw} }

// Update hands msg to the root model and writes the frame it leaves; the
// same frame again writes nothing.
func (s Shell) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case RawMsg:
		_ = s.fw.raw(string(msg))
		return s, nil
	case tea.WindowSizeMsg:
		s.fw.resize(msg.Width, msg.Height)
	}
	var cmd tea.Cmd
	s.Model, cmd = s.Model.update(msg)
	// A write error means the terminal is gone (a hangup); the signal that
	// comes with it ends the program.
	_ = s.fw.draw(s.Model.View().Content)
	return s, cmd
}
