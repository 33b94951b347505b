package pane

import "warroom/sources"

// Pane is what the root model knows of a pane: it places it (SetSize),
// gives it the keys (Focus, Blur), colours it (SetStyles) and feeds it
// snapshots; the pane draws itself. A pane keeps its last View and draws
// again only after one of these changed what it shows, so a screen whose
// logs and tables are quiet redraws only the panes that moved.
type Pane interface {
	// SetSize sets the outer size, border included.
	SetSize(w, h int)
	// SetStyles swaps the colours (the terminal reports its background
	// after the first frame).
	SetStyles(*Styles)
	// Focus and Blur mark the pane the keys act on.
	Focus()
	Blur()
	// SetSnapshot hands the pane the snapshot to show (immutable: the pane
	// keeps the pointer) and reports whether what it shows changed.
	SetSnapshot(*sources.Snapshot) bool
	// View is the pane's text, exactly its size.
	View() string
}

// base is what every pane keeps besides its own settings: options, size,
// focus, the snapshot it shows, and the view last drawn from them.
type base struct {
	opts    Options
	w, h    int
	focused bool
	snap    *sources.Snapshot

	drawn bool   // view is up to date
	view  string // the last drawing
}

// SetSize sets the outer size, border included.
func (b *base) SetSize(w, h int) {
	if w != b.w || h != b.h {
		b.w, b.h, b.drawn = w, h, false
	}
}

// SetStyles swaps the styles.
func (b *base) SetStyles(s *Styles) { b.opts.Styles, b.drawn = s, false }

// Focus and Blur mark the pane the keys act on.
func (b *base) Focus() { b.setFocus(true) }
func (b *base) Blur()  { b.setFocus(false) }

func (b *base) setFocus(f bool) {
	if f != b.focused {
		b.focused, b.drawn = f, false
	}
}

// Focused reports whether the pane has focus.
func (b *base) Focused() bool { return b.focused }

// show keeps s and reports whether the pane must draw again: same says
// whether two snapshots look alike in this pane, given everything else
// (size, focus) as it is. When in doubt a same says no, which only costs
// a drawing.
func (b *base) show(s *sources.Snapshot, same func(a, b *sources.Snapshot) bool) bool {
	old := b.snap
	b.snap = s
	if old == s || (old != nil && s != nil && old.Zone == s.Zone && same(old, s)) {
		return false
	}
	b.drawn = false
	return true
}

// cached returns the last drawing, drawing again first if something
// changed since.
func (b *base) cached(draw func() string) string {
	if !b.drawn {
		b.view, b.drawn = draw(), true
	}
	return b.view
}

// changed forgets the drawing: a setting of the pane's own moved.
func (b *base) changed() { b.drawn = false }

// neverSame is the same of panes that change with every snapshot (the
// clock in the header, warroom's own CPU in the status bar).
func neverSame(_, _ *sources.Snapshot) bool { return false }

// named returns the first of items whose name is name, or the first of
// all when name is "" (a pane configured without a table or source).
func named[T any](items []T, name string, nameOf func(T) string) (T, bool) {
	for _, it := range items {
		if name == "" || nameOf(it) == name {
			return it, true
		}
	}
	var zero T
	return zero, false
}
