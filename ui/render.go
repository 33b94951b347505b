package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"warroom/sources"
	"warroom/ui/pane"
)

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
			s := &m.slots[it.slot]
			switch {
			case s.kind.bar == topBar && len(lines) == 0:
				bodyTop = b.h
			case s.kind.bar == bottomBar:
				bodyBottom = len(lines)
			}
			parts = append(parts, strings.Split(s.pane.View(), "\n"))
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
	text := strings.Split(m.help.FullHelpView(m.fullHelp()), "\n")
	legend := ""
	for _, s := range []sources.State{sources.StateOK, sources.StateWarn, sources.StateCrit, sources.StateStale, sources.StateError} {
		if legend != "" {
			legend += "  "
		}
		legend += st.StateStyle(s).Render(pane.Symbol(s, m.o.ASCII) + " " + s.String())
	}
	note := "window: 5m 15m 1h 6h 24h · PAUSED freezes the panes, not the header"
	if m.replayer != nil {
		note = "window: 5m 15m 1h 6h 24h · the clock is the logs' own: space stops it"
	}
	text = append(text, "", legend, st.Dim.Render(note))
	width := func() int {
		cw := 0
		for _, l := range text {
			cw = max(cw, lipgloss.Width(l))
		}
		return cw
	}
	if width()+4 > m.w {
		// too narrow for the help's own columns: every key in as many
		// columns as fit, and the legend
		text = append(compactHelp(m.fullHelp(), m.w-4), legend)
	}
	bw, bh := min(width()+4, m.w), min(len(text)+2, len(body))
	box := strings.Split(pane.Box(st, m.o.ASCII, true, "keys", bw, bh, padLeft(text)), "\n")
	// at the bottom of the body: the rows above it, the key indicators
	// first among them, stay on screen while the help is read
	x, y := (m.w-bw)/2, len(body)-bh
	left, right := strings.Repeat(" ", x), strings.Repeat(" ", m.w-bw-x)
	for i, l := range box {
		body[y+i] = left + l + right
	}
}

// compactHelp lays every binding out as "key desc" in as many columns as
// fit w cells.
func compactHelp(groups [][]key.Binding, w int) []string {
	var items []string
	iw := 0
	for _, g := range groups {
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			it := b.Help().Key + " " + b.Help().Desc
			items = append(items, it)
			iw = max(iw, lipgloss.Width(it))
		}
	}
	cols := max(1, (w+2)/(iw+2))
	rows := (len(items) + cols - 1) / cols
	out := make([]string, rows)
	for i, it := range items {
		r := i % rows
		if i >= rows {
			out[r] += "  "
		}
		out[r] += it + strings.Repeat(" ", iw-lipgloss.Width(it))
	}
	for i := range out {
		out[i] = strings.TrimRight(out[i], " ")
	}
	return out
}

func padLeft(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = " " + l
	}
	return out
}
