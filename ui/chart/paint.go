package chart

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// paint is a style reduced to the escape sequences around its text. Going
// through lipgloss once per style and then concatenating keeps a 200-column
// chart in the tens of microseconds; a plain style paints nothing.
type paint struct{ pre, post string }

const sentinel = "\uE000" // private use: never produced by a style itself

func newPaint(s lipgloss.Style) paint {
	out := s.Render(sentinel)
	i := strings.Index(out, sentinel)
	if i < 0 {
		return paint{}
	}
	return paint{pre: out[:i], post: out[i+len(sentinel):]}
}

func (p paint) paint(s string) string {
	if p.pre == "" && p.post == "" {
		return s
	}
	return p.pre + s + p.post
}

// palette holds the paints for every cell class, plain and over HOT.
type palette struct {
	series                             []paint
	secondary, warn, crit, marker, hot paint
	axis, legend                       paint
	cells                              map[int]paint
	styles                             Styles
}

func newPalette(s Styles) palette {
	p := palette{
		secondary: newPaint(s.Secondary),
		warn:      newPaint(s.Warn),
		crit:      newPaint(s.Crit),
		marker:    newPaint(s.Marker),
		hot:       newPaint(s.Hot),
		axis:      newPaint(s.Axis),
		legend:    newPaint(s.Legend),
		cells:     map[int]paint{},
		styles:    s,
	}
	for _, st := range s.Series {
		p.series = append(p.series, newPaint(st))
	}
	if len(p.series) == 0 {
		p.series = []paint{{}}
	}
	return p
}

// Palette is a chart's Styles turned into escape sequences. Turning a
// style into its sequences renders it through lipgloss; a screen redrawing
// its charts every few seconds builds the palette once and passes it in
// Options.Palette. It is complete when built, so renders only read it:
// one Palette may serve charts drawn concurrently.
type Palette struct{ p palette }

// NewPalette builds the palette of s.
func NewPalette(s Styles) *Palette {
	p := newPalette(s)
	for key := 0; key < int(classSeries+maxSeriesClasses)<<1; key++ {
		p.cell(key)
	}
	return &Palette{p}
}

// cell returns the paint for a run key (class<<1 | hot).
func (p palette) cell(key int) paint {
	if pt, ok := p.cells[key]; ok {
		return pt
	}
	cls, hot := cellClass(key>>1), key&1 == 1
	var st lipgloss.Style
	switch {
	case cls >= classSeries:
		if n := len(p.styles.Series); n > 0 {
			st = p.styles.Series[int(cls-classSeries)%n]
		}
	case cls == classSecondary:
		st = p.styles.Secondary
	case cls == classWarn:
		st = p.styles.Warn
	case cls == classCrit:
		st = p.styles.Crit
	case cls == classMarker:
		st = p.styles.Marker
	}
	if hot {
		st = st.Inherit(p.styles.Hot)
	}
	pt := newPaint(st)
	p.cells[key] = pt
	return pt
}
