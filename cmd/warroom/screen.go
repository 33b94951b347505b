package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/notify"
	"warroom/sources/schedule"
	"warroom/ui"
)

// screen is what the dashboard and the demo run: the collector with its
// outputs (notifications, the timeline file) and the TUI on top.
type screen struct {
	collect  collect.Options
	loader   *schedule.Loader // nil: the schedule is inline (or absent)
	notify   notify.Config
	ui       ui.Options
	timeline string                      // JSON-lines file of transitions; "" for none
	before   func(context.Context) error // started with the sources (the demo's simulator); may be nil
	// replay, when set, makes the screen a replay's: the player it
	// returns is shown instead of a collector over s.collect, and nothing
	// is notified or written to the timeline file. self is the process's
	// figures for the status bar; onFrame pushes a snapshot to the screen.
	replay func(self func() sources.ProcessStats, onFrame func()) (*collect.Player, error)
}

// engine is what a screen shows and runs: the live collector, or a
// replay's player.
type engine interface {
	sources.Provider
	Run(ctx context.Context) error
}

// programWriter hands what the notifier writes to the program; it is
// written on the notifier's goroutine, which the program's loop may hold
// up but never the collector's tick.
type programWriter func([]byte)

func (w programWriter) Write(b []byte) (int, error) {
	w(b)
	return len(b), nil
}

// run starts everything and blocks until the user quits or a signal
// arrives. The terminal is restored on the way out, also after a panic
// (bubbletea recovers it) and on SIGTERM/SIGHUP.
func (s screen) run(stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// the bell and desktop sequences go out through the program (ui.RawMsg),
	// between frames; delivery errors show in the status bar, not over the
	// screen
	var p *tea.Program
	term := programWriter(func(b []byte) {
		if p != nil {
			p.Send(ui.RawMsg(b))
		}
	})
	var self selfStats
	ticks := make(chan struct{}, 1)
	push := func() {
		select {
		case ticks <- struct{}{}:
		default: // the previous tick's snapshot is still on its way
		}
	}
	var eng engine
	var indicators []string
	var d *notify.Dispatcher
	if s.replay != nil {
		pl, err := s.replay(self.read, push)
		if err != nil {
			fmt.Fprintf(stderr, "warroom replay: %v\n", err)
			return exitUsage
		}
		eng, indicators = pl, pl.Collector().Indicators()
	} else {
		o := s.collect
		sinks, dd, err := outputs(s.timeline, s.notify, term, func(string, ...any) {})
		if err != nil {
			fmt.Fprintf(stderr, "warroom: %v\n", err)
			return exitUsage
		}
		o.Sinks = append(o.Sinks, sinks...)
		o.Self = self.read
		o.OnTick = push
		c, err := collect.New(o)
		if err != nil {
			fmt.Fprintf(stderr, "warroom: %v\n", err)
			return exitUsage
		}
		eng, indicators, d = c, c.Indicators(), dd
	}
	if err := s.ui.Layout.CheckIndicators(indicators); err != nil {
		fmt.Fprintf(stderr, "warroom: layout: %v\n", err)
		return exitUsage
	}

	uo := s.ui
	uo.Ticked = true
	in, closeIn, err := terminalInput()
	if err != nil {
		fmt.Fprintf(stderr, "warroom: %v\n", err)
		return exitUsage
	}
	defer closeIn()
	restoreTTY, err := rawTerminal(in.Fd())
	if err != nil {
		fmt.Fprintf(stderr, "warroom: terminal: %v\n", err)
		return exitUsage
	}
	defer restoreTTY()
	out := os.Stdout
	w, h := terminalSize(out)
	fw := ui.NewFrameWriter(out, ui.TerminalOptions{Env: os.Environ(), Profile: colorprofile.Detect(out, os.Environ()),
		Mouse: uo.Mouse, Width: w, Height: h})
	// The frames are the FrameWriter's; bubbletea reads the keys and runs
	// the loop. Its renderer is off, and with it its ticker — but for the
	// rare terminal query (background colour), which it still flushes on
	// that ticker, hence the 1 fps.
	p = tea.NewProgram(ui.NewShell(ui.New(eng, uo), fw), tea.WithContext(ctx), tea.WithoutRenderer(),
		tea.WithInput(in), tea.WithWindowSize(w, h), tea.WithFPS(1))
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	defer signal.Stop(winch)
	go func() { // without its renderer bubbletea does not watch the size
		for {
			select {
			case <-ctx.Done():
				return
			case <-winch:
				w, h := terminalSize(out)
				p.Send(tea.WindowSizeMsg{Width: w, Height: h})
			}
		}
	}()
	go func() { // each tick's snapshot, one at a time, pushed to the screen
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticks:
				p.Send(ui.SnapshotMsg{Snap: eng.Snapshot()})
			}
		}
	}()
	// Everything but the program runs here, each part recovered: bubbletea
	// restores the terminal after a panic in its own loop and commands, not
	// after one in these goroutines.
	errc := make(chan error, 4)
	background := func(name string, f func(context.Context) error) {
		go func() { errc <- recovered(name, func() error { return f(ctx) }) }()
	}
	if s.before != nil {
		background("the demo", s.before)
	}
	background(map[bool]string{false: "the collector", true: "the replay"}[s.replay != nil], eng.Run)
	if d != nil {
		background("the notifier", func(ctx context.Context) error { d.Run(ctx); return nil })
	}
	if s.loader != nil {
		background("the schedule", func(ctx context.Context) error { pollSchedule(ctx, s.loader); return nil })
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
	fatal := make(chan error, 1)
	go func() {
		for {
			select {
			case <-sig:
				p.Quit()
				return
			case err := <-errc:
				if err == nil || ctx.Err() != nil {
					continue // a part that ended quietly; the others go on
				}
				// said once the screen is gone, or it would vanish with the
				// alternate screen
				fatal <- err
				p.Quit()
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	if err := fw.Start(); err != nil {
		fmt.Fprintf(stderr, "warroom: terminal: %v\n", err)
		return exitProblem
	}
	// bubbletea prints a panic it caught to stderr before Run returns, when
	// the alternate screen is still up and would take the text with it:
	// hold stderr until the screen is closed.
	release := holdStderr()
	_, err = p.Run()
	_ = fw.Stop()
	restoreTTY()
	release()
	select {
	case ferr := <-fatal:
		fmt.Fprintf(stderr, "warroom: %v\n", ferr)
		return exitProblem
	default:
	}
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "warroom: %v\n", err)
		return exitProblem
	}
	return exitOK
}

// recovered runs f, turning a panic into an error that names the part,
// the panic and its stack, so the screen can be closed properly before
// it is printed.
func recovered(part string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s crashed (a warroom bug): %v\n%s", part, r, debug.Stack())
		}
	}()
	return f()
}

// notifyOptions are the notifier settings only the process knows (clock,
// environment, whether it runs inside tmux); where terminal sequences and
// delivery errors go differs per command.
func notifyOptions(termOut io.Writer, logf func(string, ...any)) notify.Options {
	return notify.Options{
		Title:       "warroom",
		Now:         time.Now,
		Env:         os.Getenv,
		InTmux:      os.Getenv("TMUX") != "",
		TerminalOut: termOut,
		Logf:        logf,
	}
}

// pollSchedule keeps a schedule file current; a file that fails to parse
// keeps the previous schedule, and the status bar says why.
func pollSchedule(ctx context.Context, l *schedule.Loader) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		l.Poll()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// screenFlags are the flags of every command that opens the screen.
type screenFlags struct {
	noColor, ascii, mouse *bool
	window                *time.Duration
}

func addScreenFlags(fs *flag.FlagSet) screenFlags {
	return screenFlags{
		noColor: fs.Bool("no-color", false, "no colours (also when NO_COLOR is set); states keep their symbols"),
		ascii:   fs.Bool("ascii", false, "ASCII charts and borders, for fonts without braille and box drawing"),
		mouse:   fs.Bool("mouse", false, "click to focus, wheel to change the window (stops tmux text selection)"),
		window:  fs.Duration("window", 15*time.Minute, "the time window charts start with (+/- change it)"),
	}
}

func (f screenFlags) options() ui.Options {
	return ui.Options{
		NoColor: *f.noColor || os.Getenv("NO_COLOR") != "",
		ASCII:   *f.ascii,
		Mouse:   *f.mouse,
		Window:  *f.window,
	}
}
