// Package pane holds the panes of the warroom screen: header, stat, where,
// chart, top, log, timeline and status bar. Each implements Pane (New / SetSize /
// Focus / SetSnapshot / View, in the shape of bubbles' table) and renders
// only what the last snapshot carried, keeping its drawing until that
// changes; none reads a source, a clock or the terminal. The parent
// decides every pane's size.
package pane

import (
	"charm.land/lipgloss/v2"

	"warroom/sources"
	"warroom/ui/chart"
)

// Styles is every colour and attribute the panes use. States are always
// also told apart by a symbol (see Symbol), so PlainStyles loses nothing a
// person needs.
type Styles struct {
	Border        lipgloss.Style
	BorderFocused lipgloss.Style
	Title         lipgloss.Style
	TitleFocused  lipgloss.Style
	Text          lipgloss.Style
	Dim           lipgloss.Style
	Value         lipgloss.Style // the big number of a stat
	Stale         lipgloss.Style // a value that is history, not current

	OK, Warn, Crit, StaleState, Error, Unknown lipgloss.Style

	Normal, Approaching, Hot, Cooling lipgloss.Style // phase badges
	Countdown                         lipgloss.Style
	Paused                            lipgloss.Style
	Replay                            lipgloss.Style // the window is not "now"
	Unacked                           lipgloss.Style
	TableHeader                       lipgloss.Style
	Hint                              lipgloss.Style

	Chart chart.Styles

	// palette is Chart as escape sequences, built by DefaultStyles and
	// PlainStyles; nil otherwise (chart.Render then builds one per chart).
	palette *chart.Palette
}

// DefaultStyles returns colours readable on a dark or light background;
// pass tea.BackgroundColorMsg.IsDark().
func DefaultStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	fg := func(light, dark string) lipgloss.Style {
		return lipgloss.NewStyle().Foreground(ld(lipgloss.Color(light), lipgloss.Color(dark)))
	}
	badge := func(bgLight, bgDark string) lipgloss.Style {
		return lipgloss.NewStyle().Bold(true).
			Foreground(ld(lipgloss.Color("#ffffff"), lipgloss.Color("#000000"))).
			Background(ld(lipgloss.Color(bgLight), lipgloss.Color(bgDark)))
	}
	return withPalette(&Styles{
		Border:        fg("#bcbcbc", "#444444"),
		BorderFocused: fg("#005fd7", "#5fafff"),
		Title:         fg("#4e4e4e", "#bcbcbc"),
		TitleFocused:  fg("#005fd7", "#5fafff").Bold(true),
		Text:          lipgloss.NewStyle(),
		Dim:           fg("#8a8a8a", "#6c6c6c"),
		Value:         lipgloss.NewStyle().Bold(true),
		Stale:         fg("#8a8a8a", "#6c6c6c").Faint(true),

		OK:         fg("#008700", "#5fd75f"),
		Warn:       fg("#af8700", "#ffd700").Bold(true),
		Crit:       fg("#d70000", "#ff5f5f").Bold(true),
		StaleState: fg("#8a8a8a", "#8a8a8a"),
		Error:      fg("#af00af", "#ff87ff").Bold(true),
		Unknown:    fg("#8a8a8a", "#6c6c6c"),

		Normal:      badge("#5f875f", "#87af87"),
		Approaching: badge("#af8700", "#ffd700"),
		Hot:         badge("#d70000", "#ff5f5f"),
		Cooling:     badge("#005f87", "#5fafd7"),
		Countdown:   lipgloss.NewStyle().Bold(true),
		Paused:      badge("#5f00af", "#af87ff"),
		Replay:      badge("#875f00", "#d7af5f"),
		Unacked:     fg("#d70000", "#ff5f5f").Bold(true),
		TableHeader: fg("#4e4e4e", "#bcbcbc").Underline(true),
		Hint:        fg("#8a8a8a", "#6c6c6c"),

		Chart: chart.DefaultStyles(isDark),
	})
}

// PlainStyles has no colour and no attributes at all: for NO_COLOR,
// --no-color and plain-text frames. Focus then shows as a heavy border,
// phases as [BRACKETED] badges, states as symbols.
func PlainStyles() *Styles {
	return withPalette(&Styles{Chart: chart.PlainStyles()})
}

// withPalette builds s's chart palette once, for every chart drawn with s.
func withPalette(s *Styles) *Styles {
	s.palette = chart.NewPalette(s.Chart)
	return s
}

// StateStyle returns the style for a state.
func (s *Styles) StateStyle(st sources.State) lipgloss.Style {
	switch st {
	case sources.StateOK:
		return s.OK
	case sources.StateWarn:
		return s.Warn
	case sources.StateCrit:
		return s.Crit
	case sources.StateStale:
		return s.StaleState
	case sources.StateError:
		return s.Error
	}
	return s.Unknown
}

// Symbol is the glyph that tells a state apart without colour:
// ✔ ok, ▲ warn, ✖ crit, ? stale, ! error, · unknown.
func Symbol(st sources.State, ascii bool) string {
	i := 0
	switch st {
	case sources.StateOK:
		i = 1
	case sources.StateWarn:
		i = 2
	case sources.StateCrit:
		i = 3
	case sources.StateStale:
		i = 4
	case sources.StateError:
		i = 5
	}
	if ascii {
		return []string{"-", "+", "^", "X", "?", "!"}[i]
	}
	return []string{"·", "✔", "▲", "✖", "?", "!"}[i]
}

// HealthSymbol is Symbol for a source's health.
func HealthSymbol(h sources.Health, ascii bool) string {
	switch h {
	case sources.HealthOK:
		return Symbol(sources.StateOK, ascii)
	case sources.HealthStale:
		return Symbol(sources.StateStale, ascii)
	case sources.HealthError:
		return Symbol(sources.StateError, ascii)
	case sources.HealthUnreachable:
		return Symbol(sources.StateCrit, ascii)
	}
	return Symbol(sources.StateUnknown, ascii)
}

// HealthStyle is StateStyle for a source's health.
func (s *Styles) HealthStyle(h sources.Health) lipgloss.Style {
	switch h {
	case sources.HealthOK:
		return s.OK
	case sources.HealthStale:
		return s.StaleState
	case sources.HealthError, sources.HealthUnreachable:
		return s.Error
	}
	return s.Unknown
}

// plain is what a pane built without styles draws with.
var plain = PlainStyles()

// st is the styles to draw with. Panes share one Styles by pointer: it is
// large (every lipgloss.Style of every pane), and each pane holding — and
// each View copying — its own copy cost a measurable part of every frame.
func (o Options) st() *Styles {
	if o.Styles == nil {
		return plain
	}
	return o.Styles
}
