package ui

import (
	"sort"

	"charm.land/bubbles/v2/key"
)

// Where every pane goes: the rows of the layout, stacked, dropped and
// shared out to fit the terminal.

// relayout recomputes every pane's place after a size, layout or zoom
// change and hands each pane its size (panes never see WindowSizeMsg).
func (m *Model) relayout() {
	m.dirty = true
	if m.focus >= len(m.slots) {
		m.focus = -1
	}
	if m.zoomed && m.focus < 0 {
		m.zoomed = false
	}
	big := m.h >= 20 && m.w >= 60 && m.bigClock // room for the big countdown
	var rows []row
	i := 0
	for _, rc := range m.rows {
		var r row
		r.weight = max(rc.Height, 1)
		for _, pc := range rc.Panes {
			s := &m.slots[i]
			it := s.item(i, pc.Weight)
			switch {
			case !s.focusable():
				it.fixedH = s.kind.rows
				if big {
					it.fixedH = s.kind.bigRows
				}
			case m.zoomed && i == m.focus:
				it.minW, it.minH, it.maxH, it.prio = 1, 1, 0, prioKey
			case m.zoomed:
				i++
				continue
			}
			r.items = append(r.items, it)
			i++
		}
		if len(r.items) > 0 {
			rows = append(rows, r)
		}
	}
	m.rects, m.bands = arrange(rows, len(m.slots), m.w, m.h)
	for i, s := range m.slots {
		s.pane.SetSize(m.rects[i].w, m.rects[i].h)
	}
	if m.focus >= 0 && m.rects[m.focus].w == 0 {
		m.slots[m.focus].setFocus(false)
		m.focus = -1
	}
	m.status.SetHints(m.help.ShortHelpView(m.shortHelp()), m.help.ShortHelpView([]key.Binding{m.keys.Help}))
}

// rect is a pane's place on the screen; a zero rect means hidden.
type rect struct{ x, y, w, h int }

// item is one pane as the arranger sees it: how small it may get, how
// important it is, and its share of the row.
type item struct {
	slot       int // index into Model.slots
	minW, minH int
	maxH       int // 0: no maximum
	prio       int
	weight     int
	fixedH     int // header and status: exactly this tall, never dropped
}

// row is a config row: items side by side sharing a height.
type row struct {
	items  []item
	weight int
}

// band is one screen row after stacking: a row too narrow for its items
// is split into several bands.
type band struct {
	items  []item
	weight int
	prio   int
	minH   int
	maxH   int
	fixedH int
	order  int
	h      int
}

// prioKey is the priority of the key stats: they are never dropped, only
// shrunk (down to one line per stat).
const prioKey = 100

// arrange places rows into w×h. It returns one rect per slot (index =
// item.slot; slots not placed stay zero) and the bands, top to bottom, for
// composing the frame.
func arrange(rows []row, nslots, w, h int) ([]rect, []band) {
	rects := make([]rect, nslots)
	if w <= 0 || h <= 0 {
		return rects, nil
	}
	// Stack: split rows whose items do not fit side by side at their
	// minimum width. Later bands of a split row matter a bit less, so a
	// second row of charts gives way before the log and timeline.
	var bands []band
	for _, r := range rows {
		var cur []item
		used := 0
		n := 0
		flush := func() {
			if len(cur) == 0 {
				return
			}
			b := band{items: cur, weight: max(r.weight, 1), order: len(bands)}
			for _, it := range cur {
				b.prio = max(b.prio, it.prio)
				b.minH = max(b.minH, it.minH)
				b.fixedH = max(b.fixedH, it.fixedH)
				if it.maxH > 0 && (b.maxH == 0 || it.maxH < b.maxH) {
					b.maxH = it.maxH
				}
			}
			if n > 0 && b.prio < prioKey {
				b.prio -= 15
			}
			if b.fixedH > 0 {
				b.minH, b.maxH = b.fixedH, b.fixedH
			}
			bands = append(bands, b)
			n++
			cur, used = nil, 0
		}
		for _, it := range r.items {
			if len(cur) > 0 && used+it.minW > w {
				flush()
			}
			cur = append(cur, it)
			used += it.minW
		}
		flush()
	}

	// Drop the least important bands until the minimums fit.
	need := func() int {
		s := 0
		for _, b := range bands {
			s += b.minH
		}
		return s
	}
	for need() > h {
		worst := -1
		for i, b := range bands {
			if b.fixedH > 0 || b.prio >= prioKey {
				continue
			}
			if worst < 0 || b.prio <= bands[worst].prio {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		bands = append(bands[:worst], bands[worst+1:]...)
	}

	// Still too tall: only fixed rows and key stats are left. Share what
	// remains evenly (stats render one line each below three rows).
	fixed := 0
	var flex []int
	for i := range bands {
		if bands[i].fixedH > 0 {
			fixed += bands[i].fixedH
			bands[i].h = bands[i].fixedH
		} else {
			flex = append(flex, i)
		}
	}
	avail := h - fixed
	if need() > h {
		if avail < len(flex) { // fewer rows than bands: keep the first ones
			drop := map[int]bool{}
			for _, i := range flex[max(avail, 0):] {
				drop[i] = true
			}
			kept := bands[:0]
			for i, b := range bands {
				if !drop[i] {
					kept = append(kept, b)
				}
			}
			bands = kept
			flex = flex[:0]
			for i := range bands {
				if bands[i].fixedH == 0 {
					flex = append(flex, i)
				}
			}
		}
		squeeze(bands, flex, avail)
	} else {
		extra := avail
		for _, i := range flex {
			bands[i].h = bands[i].minH
			extra -= bands[i].minH
		}
		share(bands, flex, extra)
	}
	// Fixed rows can still overflow a tiny terminal: cut from the bottom.
	y := 0
	out := bands[:0]
	for _, b := range bands {
		if y >= h || b.h <= 0 {
			continue
		}
		b.h = min(b.h, h-y)
		out = append(out, b)
		y += b.h
	}
	bands = out

	y = 0
	for _, b := range bands {
		ws := widths(b.items, w)
		x := 0
		for k, it := range b.items {
			rects[it.slot] = rect{x, y, ws[k], b.h}
			x += ws[k]
		}
		y += b.h
	}
	return rects, bands
}

// squeeze shares avail rows evenly among bands that cannot all have
// their minimum, the first ones taking the rounding remainder, but never
// past a band's maximum: what a capped band (the where line) cannot take
// goes to the others.
func squeeze(bands []band, flex []int, avail int) {
	for _, i := range flex {
		bands[i].h = 0
	}
	for avail > 0 {
		given := 0
		for _, i := range flex {
			if avail == given {
				break
			}
			if bands[i].maxH == 0 || bands[i].h < bands[i].maxH {
				bands[i].h++
				given++
			}
		}
		if given == 0 {
			return
		}
		avail -= given
	}
}

// share gives extra rows to bands by weight, respecting maximum heights;
// what no band can take goes to the heaviest band anyway (a blank gap
// would look like a rendering fault).
func share(bands []band, flex []int, extra int) {
	for extra > 0 {
		var open []int
		total := 0
		for _, i := range flex {
			if bands[i].maxH == 0 || bands[i].h < bands[i].maxH {
				open = append(open, i)
				total += bands[i].weight
			}
		}
		if len(open) == 0 {
			if len(flex) == 0 {
				return
			}
			best := flex[0]
			for _, i := range flex {
				if bands[i].weight > bands[best].weight {
					best = i
				}
			}
			bands[best].h += extra
			return
		}
		given := 0
		for _, i := range open {
			g := extra * bands[i].weight / total
			if bands[i].maxH > 0 {
				g = min(g, bands[i].maxH-bands[i].h)
			}
			bands[i].h += g
			given += g
		}
		if given == 0 { // rounding left a few rows: one each, heaviest first
			sort.SliceStable(open, func(a, b int) bool { return bands[open[a]].weight > bands[open[b]].weight })
			for _, i := range open {
				if extra-given == 0 {
					break
				}
				bands[i].h++
				given++
			}
		}
		extra -= given
	}
}

// widths splits w cells among items by weight, the rounding remainder to
// the first items, so the widths always add up to w exactly.
func widths(items []item, w int) []int {
	out := make([]int, len(items))
	total := 0
	for _, it := range items {
		total += max(it.weight, 1)
	}
	used := 0
	for k, it := range items {
		out[k] = w * max(it.weight, 1) / total
		used += out[k]
	}
	for k := 0; used < w; k = (k + 1) % len(items) {
		out[k]++
		used++
	}
	return out
}
