package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the screen answers to. It implements help.KeyMap so
// `?` shows exactly what is bound.
type KeyMap struct {
	Next, Prev      key.Binding // focus, in screen order
	Up, Down        key.Binding // focus, to the nearest pane that way
	Left, Right     key.Binding
	Move            key.Binding // help only: the four above
	Zoom            key.Binding // zoom / unzoom the focused pane
	Back            key.Binding // close help, unzoom, return to live — one step per press
	Wider, Narrower key.Binding // time window
	Pause           key.Binding
	PrevMilestone   key.Binding
	NextMilestone   key.Binding
	Live            key.Binding
	Ack             key.Binding
	Refresh         key.Binding
	Help            key.Binding
	Quit            key.Binding

	// A replay's keys (the provider is a sources.Replayer): they take the
	// place of Pause, the milestone keys and Live, which steer a live
	// screen's view.
	ReplayPause key.Binding // pause or resume the replay clock
	Slower      key.Binding
	Faster      key.Binding
	PrevStage   key.Binding // seek to the stage end before the replay clock
	NextStage   key.Binding
	GoTo        key.Binding // a prompt for the instant to seek to
}

// DefaultKeyMap follows k9s/btop habits.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:          key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Prev:          key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("⇧tab", "prev pane")),
		Up:            key.NewBinding(key.WithKeys("up", "k")),
		Down:          key.NewBinding(key.WithKeys("down", "j")),
		Left:          key.NewBinding(key.WithKeys("left", "h")),
		Right:         key.NewBinding(key.WithKeys("right", "l")),
		Move:          key.NewBinding(key.WithKeys("up", "down", "left", "right"), key.WithHelp("←↓↑→", "nearest pane")),
		Zoom:          key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "zoom")),
		Back:          key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Wider:         key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "wider window")),
		Narrower:      key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "narrower window")),
		Pause:         key.NewBinding(key.WithKeys("p", "space"), key.WithHelp("p", "pause")),
		PrevMilestone: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "prev milestone")),
		NextMilestone: key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "next milestone")),
		Live:          key.NewBinding(key.WithKeys("0"), key.WithHelp("0", "live")),
		Ack:           key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "ack alerts")),
		Refresh:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Help:          key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:          key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),

		ReplayPause: key.NewBinding(key.WithKeys("space", "p"), key.WithHelp("space", "pause")),
		Slower:      key.NewBinding(key.WithKeys("["), key.WithHelp("[", "slower")),
		Faster:      key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "faster")),
		PrevStage:   key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "prev stage end")),
		NextStage:   key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "next stage end")),
		GoTo:        key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "go to a time")),
	}
}

// ShortHelp is the status-bar hint: the few keys a night needs.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Pause, k.Wider, k.PrevMilestone, k.Ack, k.Quit}
}

// FullHelp is the `?` overlay, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Prev, k.Move, k.Zoom, k.Back},
		{k.Wider, k.Narrower, k.PrevMilestone, k.NextMilestone, k.Live},
		{k.Pause, k.Ack, k.Refresh, k.Help, k.Quit},
	}
}

// ReplayShortHelp is the status-bar hint in a replay.
func (k KeyMap) ReplayShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.ReplayPause, k.Slower, k.Faster, k.GoTo, k.Quit}
}

// ReplayFullHelp is the `?` overlay in a replay: the replay's keys where
// the live screen has pause, the milestone keys and live.
func (k KeyMap) ReplayFullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Prev, k.Move, k.Zoom, k.Back},
		{k.Wider, k.Narrower, k.PrevStage, k.NextStage, k.GoTo},
		{k.ReplayPause, k.Slower, k.Faster, k.Ack, k.Help, k.Quit},
	}
}
