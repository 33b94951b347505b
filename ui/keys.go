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
