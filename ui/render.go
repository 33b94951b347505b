package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"warroom/sources"
	"warroom/ui/pane"
)

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
	headerH := 1
	if m.h >= 20 && m.w >= 60 {
		headerH = 3 // room for the big countdown
	}
	fixed := func(k string) int {
		if k == KindHeader {
			return headerH
		}
		return 1
	}
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
				it.fixedH = fixed(s.kind)
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
	for i := range m.slots {
		r := m.rects[i]
		switch m.slots[i].kind {
		case KindHeader:
			m.header.SetSize(r.w, r.h)
		case KindStatus:
			m.status.SetSize(r.w, r.h)
		default:
			m.slots[i].setSize(r.w, r.h)
		}
	}
	if m.focus >= 0 && m.rects[m.focus].w == 0 {
		m.slots[m.focus].setFocus(false)
		m.focus = -1
	}
	m.status.SetHints(m.help.ShortHelpView(m.keys.ShortHelp()), m.help.ShortHelpView([]key.Binding{m.keys.Help}))
}

// render composes the frame: every band's panes side by side, then the
// help overlay. Every line is exactly w cells and there are exactly h.
func (m Model) render() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	lines := make([]string, 0, m.h)
	bodyTop, bodyBottom := 0, m.h
	var parts [][]string
	for _, b := range m.bands {
		parts = parts[:0]
		for _, it := range b.items {
			var v string
			switch m.slots[it.slot].kind {
			case KindHeader:
				v = m.header.View()
				if len(lines) == 0 {
					bodyTop = b.h
				}
			case KindStatus:
				v = m.status.View()
				bodyBottom = len(lines)
			default:
				v = m.slots[it.slot].view()
			}
			parts = append(parts, strings.Split(v, "\n"))
		}
		for r := 0; r < b.h; r++ {
			var sb strings.Builder
			for k, p := range parts {
				if r < len(p) {
					sb.WriteString(p[r])
				} else {
					sb.WriteString(strings.Repeat(" ", m.rects[b.items[k].slot].w))
				}
			}
			lines = append(lines, sb.String())
		}
	}
	if m.showHelp && bodyBottom > bodyTop {
		m.overlayHelp(lines[bodyTop:min(bodyBottom, len(lines))])
	}
	var out strings.Builder
	out.Grow(m.w * m.h * 2)
	for i := 0; i < m.h; i++ {
		if i > 0 {
			out.WriteByte('\n')
		}
		if i < len(lines) {
			// Every pane returns exactly its rect (TestEverySizeFits holds
			// them to it), so the lines are not measured again here.
			out.WriteString(lines[i])
		} else {
			out.WriteString(strings.Repeat(" ", m.w))
		}
	}
	return out.String()
}

// overlayHelp draws the full key help, and what the state symbols mean,
// centred over the body.
func (m Model) overlayHelp(body []string) {
	if len(body) == 0 {
		return
	}
	st := m.styles
	text := strings.Split(m.help.FullHelpView(m.keys.FullHelp()), "\n")
	legend := ""
	for _, s := range []sources.State{sources.StateOK, sources.StateWarn, sources.StateCrit, sources.StateStale, sources.StateError} {
		if legend != "" {
			legend += "  "
		}
		legend += st.StateStyle(s).Render(pane.Symbol(s, m.o.ASCII) + " " + s.String())
	}
	text = append(text, "", legend, st.Dim.Render("window: 5m 15m 1h 6h 24h · PAUSED freezes the panes, not the header"))
	cw := 0
	for _, l := range text {
		cw = max(cw, lipgloss.Width(l))
	}
	bw, bh := min(cw+4, m.w), min(len(text)+2, len(body))
	box := strings.Split(pane.Box(st, m.o.ASCII, true, "keys", bw, bh, padLeft(text)), "\n")
	x, y := (m.w-bw)/2, (len(body)-bh)/2
	left, right := strings.Repeat(" ", x), strings.Repeat(" ", m.w-bw-x)
	for i := range body {
		body[i] = strings.Repeat(" ", m.w)
	}
	for i, l := range box {
		if y+i < len(body) {
			body[y+i] = left + l + right
		}
	}
}

func padLeft(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = " " + l
	}
	return out
}
