package chart

import (
	"math"
	"strings"
	"time"

	"warroom/sources"
)

// cellClass says what a cell shows, in the order a shared cell is won:
// series beat thresholds, thresholds beat markers.
type cellClass uint8

const (
	classEmpty cellClass = iota
	classMarker
	classWarn
	classCrit
	classSecondary
	classSeries // classSeries+i for series i
)

const maxSeriesClasses = 8

// grid is the plot area: pw×ph cells of cx×cy dots each.
type grid struct {
	pw, ph  int
	cx, cy  int // dots per cell
	dw, dh  int // dots overall
	ascii   bool
	dots    []uint8     // per cell: braille bit pattern, or 3 ASCII sub-rows
	owner   []cellClass // who drew the dots
	overlay []cellClass // threshold or marker under the dots
}

func newGrid(pw, ph int, ascii bool) *grid {
	g := &grid{pw: pw, ph: ph, cx: 2, cy: 4, ascii: ascii}
	if ascii {
		g.cx, g.cy = 1, 3
	}
	g.dw, g.dh = max(pw*g.cx, 1), max(ph*g.cy, 1)
	g.dots = make([]uint8, pw*ph)
	g.owner = make([]cellClass, pw*ph)
	g.overlay = make([]cellClass, pw*ph)
	return g
}

// brailleBit maps a dot (column 0..1, row 0..3) within a cell to its bit in
// the Unicode braille block (U+2800 + bits).
var brailleBit = [2][4]uint8{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}

func (g *grid) set(x, y int, c cellClass) {
	if x < 0 || y < 0 || x >= g.dw || y >= g.dh {
		return
	}
	// The overlay is dotted: only every other dot column, so it differs
	// from the series without colour (⠁⠁ against ⠉⠉, "- -" against "--")
	// while steep runs still show on the columns kept.
	if c == classSecondary && x%2 == 1 {
		return
	}
	cell := (y/g.cy)*g.pw + x/g.cx
	if cell >= len(g.dots) {
		return
	}
	if g.ascii {
		g.dots[cell] |= 1 << (y % g.cy)
	} else {
		g.dots[cell] |= brailleBit[x%g.cx][y%g.cy]
	}
	// Lower class numbers are drawn later (series 0 last), so they win.
	g.owner[cell] = c
}

func (g *grid) markRow(row int, crit bool) {
	if row < 0 || row >= g.ph {
		return
	}
	c := classWarn
	if crit {
		c = classCrit
	}
	for x := 0; x < g.pw; x++ {
		if i := row*g.pw + x; g.overlay[i] != classCrit {
			g.overlay[i] = c
		}
	}
}

func (g *grid) markColumn(col int) {
	if col < 0 || col >= g.pw {
		return
	}
	for r := 0; r < g.ph; r++ {
		if i := r*g.pw + col; g.overlay[i] == classEmpty {
			g.overlay[i] = classMarker
		}
	}
}

// line draws a straight segment between two dots.
func (g *grid) line(x0, y0, x1, y1 int, c cellClass) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		g.set(x0, y0, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

// plot draws one series. Points that fall into the same dot column are
// merged into one vertical span first, so a 24 h window of 1 s points costs
// about one segment per column rather than one per point. A NaN point
// breaks the line: the gap stays visible.
func (g *grid) plot(pts []sources.Point, start, end time.Time, c cellClass, xf func(time.Time) int, yf func(float64) int) {
	var (
		have, broken     bool
		colX, loY, hiY   int
		lastY            int
		prevX, prevLastY int
		havePrev         bool
	)
	flush := func() {
		if have {
			g.line(colX, loY, colX, hiY, c)
			prevX, prevLastY, havePrev = colX, lastY, true
			have = false
		}
	}
	for _, pt := range pts {
		if pt.At.Before(start) || pt.At.After(end) {
			continue
		}
		if math.IsNaN(pt.V) || math.IsInf(pt.V, 0) {
			flush()
			broken = true
			continue
		}
		x, y := xf(pt.At), yf(pt.V)
		if have && x == colX {
			loY, hiY, lastY = min(loY, y), max(hiY, y), y
			continue
		}
		flush()
		if havePrev && !broken {
			g.line(prevX, prevLastY, x, y, c)
		}
		have, broken = true, false
		colX, loY, hiY, lastY = x, y, y, y
	}
	flush()
}

// asciiDot renders up to three stacked sub-row dots with ASCII punctuation.
var asciiDot = [8]byte{' ', '\'', '-', ':', '.', ':', ':', '|'}

// writeRow appends one plot row, grouping equal-styled cells into runs so a
// wide chart costs a handful of escape sequences per line, not one per cell.
func (g *grid) writeRow(b *strings.Builder, r int, hot []bool, p palette) {
	var run strings.Builder
	curKey := -1
	flushRun := func() {
		if run.Len() > 0 {
			b.WriteString(p.cell(curKey).paint(run.String()))
			run.Reset()
		}
	}
	for x := 0; x < g.pw; x++ {
		i := r*g.pw + x
		cls := g.overlay[i]
		var ch string
		switch {
		case g.dots[i] != 0:
			cls = g.owner[i]
			if g.ascii {
				ch = string(asciiDot[g.dots[i]&7])
			} else {
				ch = string(rune(0x2800 + int(g.dots[i])))
			}
		case cls == classWarn:
			ch = pick(g.ascii, "┄", "-")
		case cls == classCrit:
			ch = pick(g.ascii, "━", "=")
		case cls == classMarker:
			ch = pick(g.ascii, "│", "|")
		default:
			ch = " "
		}
		key := int(cls) << 1
		if hot[x] {
			key |= 1
		}
		if key != curKey {
			flushRun()
			curKey = key
		}
		run.WriteString(ch)
	}
	flushRun()
}

func pick(ascii bool, unicode, plain string) string {
	if ascii {
		return plain
	}
	return unicode
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
