package ui

import "slices"

// Which pane has the keys: screen order, direction, a click.

// focusOrder lists the visible focusable slots in screen order.
func (m *Model) focusOrder() []int {
	var out []int
	for i := range m.slots {
		if m.slots[i].focusable() && i < len(m.rects) && m.rects[i].w > 0 {
			out = append(out, i)
		}
	}
	return out
}

func (m *Model) moveFocus(dir int) {
	if m.zoomed {
		return
	}
	order := m.focusOrder()
	if len(order) == 0 {
		return
	}
	k := slices.Index(order, m.focus)
	switch {
	case k < 0 && dir > 0:
		k = 0
	case k < 0:
		k = len(order) - 1
	default:
		k = (k + dir + len(order)) % len(order)
	}
	m.setFocus(order[k])
}

// moveFocusToward moves the focus to the nearest visible pane in the
// direction (dx, dy), as arrows do in k9s and htop: among the panes wholly
// past the focused one's edge that way, the nearest, straying sideways
// counting double. With nothing focused it starts at the first pane; with
// nothing that way it stays.
func (m *Model) moveFocusToward(dx, dy int) {
	if m.zoomed {
		return
	}
	if m.focus < 0 || m.focus >= len(m.rects) {
		m.moveFocus(1)
		return
	}
	r := m.rects[m.focus]
	best, bestScore := -1, 0
	for _, j := range m.focusOrder() {
		c := m.rects[j]
		var gap, side int // in doubled cells: centres have halves
		switch {
		case dx > 0 && c.x >= r.x+r.w:
			gap, side = 2*(c.x-(r.x+r.w)), (2*c.y+c.h)-(2*r.y+r.h)
		case dx < 0 && c.x+c.w <= r.x:
			gap, side = 2*(r.x-(c.x+c.w)), (2*c.y+c.h)-(2*r.y+r.h)
		case dy > 0 && c.y >= r.y+r.h:
			gap, side = 2*(c.y-(r.y+r.h)), (2*c.x+c.w)-(2*r.x+r.w)
		case dy < 0 && c.y+c.h <= r.y:
			gap, side = 2*(r.y-(c.y+c.h)), (2*c.x+c.w)-(2*r.x+r.w)
		default:
			continue
		}
		if side < 0 {
			side = -side
		}
		if score := gap + 2*side; best < 0 || score < bestScore {
			best, bestScore = j, score
		}
	}
	if best >= 0 {
		m.setFocus(best)
	}
}

func (m *Model) setFocus(i int) {
	if m.focus >= 0 && m.focus < len(m.slots) {
		m.slots[m.focus].setFocus(false)
	}
	m.focus = i
	if i >= 0 && i < len(m.slots) {
		m.slots[i].setFocus(true)
	}
	m.dirty = true
}

func (m *Model) click(x, y int) {
	for _, i := range m.focusOrder() {
		r := m.rects[i]
		if x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h {
			m.setFocus(i)
			return
		}
	}
}
