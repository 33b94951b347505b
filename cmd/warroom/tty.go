package main

import (
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// The process's terminal: where keys come from, raw mode, its size, and
// stderr held while the screen is up. The frames themselves are
// ui.FrameWriter's.

// rawTerminal puts the terminal on fd in raw mode (keys arrive one by one,
// unechoed) and returns the function that restores it. Not a terminal: a
// no-op.
func rawTerminal(fd uintptr) (restore func(), err error) {
	if !term.IsTerminal(fd) {
		return func() {}, nil
	}
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	return func() { _ = term.Restore(fd, old) }, nil
}

// terminalSize is the size of the terminal on out, or 80×24 when out is
// not one.
func terminalSize(out *os.File) (w, h int) {
	if w, h, err := term.GetSize(out.Fd()); err == nil && w > 0 && h > 0 {
		return w, h
	}
	return 80, 24
}

// terminalInput is where keys come from: stdin, or the controlling
// terminal when stdin is not one (warroom ... < /dev/null).
func terminalInput() (in *os.File, closeIn func(), err error) {
	if term.IsTerminal(os.Stdin.Fd()) {
		return os.Stdin, func() {}, nil
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return nil, nil, fmt.Errorf("no terminal to read keys from: %w", err)
	}
	return tty, func() { tty.Close() }, nil
}

// holdStderr points os.Stderr at a temporary file until release, which
// copies what was written there to the real stderr. Without a temporary
// file, stderr stays as it is.
func holdStderr() (release func()) {
	real := os.Stderr
	tmp, err := os.CreateTemp("", "warroom-stderr-*")
	if err != nil {
		return func() {}
	}
	os.Remove(tmp.Name()) // gone with the process, whatever happens
	os.Stderr = tmp
	return func() {
		os.Stderr = real
		if _, err := tmp.Seek(0, io.SeekStart); err == nil {
			io.Copy(real, tmp)
		}
		tmp.Close()
	}
}
