package pane

import (
	"fmt"
	"slices"
	"strings"

	"warroom/sources"
	"warroom/sources/units"
)

// Status is the bottom line: each source's health with a short reason
// when it is not ok, warroom's own RSS and CPU (so the engineer can trust
// it is not the problem), and key hints supplied by the parent.
// One line is what it is meant for; it is never focused.
type Status struct {
	base
	hints  string
	short  string
	notice string
	// a one-line prompt (the go-to time in a replay) takes the whole bar
	label, input string
	promptHints  []string
}

// NewStatus returns an empty status bar.
func NewStatus(o Options) *Status { return &Status{base: base{opts: o}} }

// SetNotice shows a short message in place of the key hints (why a key
// did nothing, say); "" brings the hints back.
func (m *Status) SetNotice(s string) {
	if s != m.notice {
		m.notice = s
		m.changed()
	}
}

// SetPrompt shows a prompt in place of the whole bar: label, what has
// been typed after it with a cursor, and at the right the first of hints
// (what it takes, the longest first) that fits. An empty label closes it.
func (m *Status) SetPrompt(label, input string, hints ...string) {
	if label != m.label || input != m.input || !slices.Equal(hints, m.promptHints) {
		m.label, m.input, m.promptHints = label, input, slices.Clone(hints)
		m.changed()
	}
}

// SetHints sets the key hints shown at the right (already rendered): the
// full list, and a short one for when the full one does not fit.
func (m *Status) SetHints(full, short string) {
	if full != m.hints || short != m.short {
		m.hints, m.short = full, short
		m.changed()
	}
}

// SetSnapshot takes the snapshot to show; every new one changes the bar
// (warroom's own CPU and memory).
func (m *Status) SetSnapshot(s *sources.Snapshot) bool { return m.show(s, neverSame) }

// View renders the bar, or returns its last drawing when nothing changed.
func (m *Status) View() string { return m.cached(m.draw) }

// draw renders the bar; when space is short, the ok sources' notes go
// first, then warroom's own figures and the hints, then the reasons of the
// sources that are fine; what is failing keeps its reason the longest, and
// the per-source symbols stay to the last.
func (m *Status) draw() string {
	if m.w <= 0 || m.h <= 0 {
		return blank(m.w, m.h)
	}
	st := m.opts.st()
	if m.label != "" {
		return block([]string{m.promptLine()}, m.w, m.h)
	}
	var srcShort, srcLong, srcNoted, srcMixed, srcFailing []string
	okCount := 0
	self := ""
	if m.snap != nil {
		for _, s := range m.snap.Sources {
			sym := st.HealthStyle(s.Health).Render(HealthSymbol(s.Health, m.opts.ASCII))
			name := clean(s.Name)
			srcShort = append(srcShort, sym+" "+name)
			long := sym + " " + name
			noted := long
			if s.Note != "" && s.Health == sources.HealthOK {
				noted += st.Dim.Render(" (" + clean(s.Note) + ")")
			}
			why := ""
			if s.Health != sources.HealthOK {
				why = s.Health.String()
				if s.Detail != "" {
					why = clean(s.Detail)
				}
				if s.Health == sources.HealthStale && !s.LastData.IsZero() {
					why += " " + Age(m.snap.At.Sub(s.LastData))
				}
			} else if s.Detail != "" {
				why = clean(s.Detail)
			}
			if why != "" {
				long += st.Dim.Render(": " + why)
				noted += st.Dim.Render(": " + why)
			}
			srcLong = append(srcLong, long)
			srcNoted = append(srcNoted, noted)
			// what is failing keeps its reason when the others are cut to
			// their names: "✖ oncall: HTTP 400" says what to fix
			if s.Health != sources.HealthOK {
				srcMixed = append(srcMixed, long)
				srcFailing = append(srcFailing, long)
			} else {
				srcMixed = append(srcMixed, sym+" "+name)
				okCount++
			}
		}
		if m.snap.Self.RSSBytes > 0 { // unknown (a frame printed by snapshot): not "rss 0B"
			self = st.Dim.Render(fmt.Sprintf("rss %s cpu %.1f%%",
				units.Format(float64(m.snap.Self.RSSBytes), sources.UnitBytes), m.snap.Self.CPU*100))
		}
	}
	hints, short := m.hints, m.short
	var candidates [][]seg
	if m.notice != "" {
		// a notice answers a key just pressed: it goes before the
		// sources' reasons and warroom's own figures, which come back
		// when it is gone
		n := st.Warn.Render(clean(m.notice))
		candidates = [][]seg{
			{{strings.Join(srcShort, "  "), 0, false}, {self, 1, true}, {n, 2, true}},
			{{strings.Join(srcShort, "  "), 0, false}, {n, 2, true}},
			{{n, 2, true}},
		}
	}
	candidates = append(candidates, [][]seg{
		{{strings.Join(srcNoted, "  "), 0, false}, {self, 1, true}, {hints, 2, true}},
		{{strings.Join(srcNoted, "  "), 0, false}, {self, 1, true}, {short, 2, true}},
		{{strings.Join(srcLong, "  "), 0, false}, {self, 1, true}, {hints, 2, true}},
		{{strings.Join(srcLong, "  "), 0, false}, {self, 1, true}, {short, 2, true}},
		// a reason matters more than warroom's own figures and the hints
		{{strings.Join(srcLong, "  "), 0, false}, {short, 2, true}},
		{{strings.Join(srcLong, "  "), 0, false}},
		{{strings.Join(srcMixed, "  "), 0, false}, {short, 2, true}},
		{{strings.Join(srcMixed, "  "), 0, false}},
	}...)
	if len(srcFailing) > 0 {
		// the sources that are fine as a count, what fails by name and why
		failing := strings.Join(srcFailing, "  ")
		if okCount > 0 {
			failing = st.HealthStyle(sources.HealthOK).Render(HealthSymbol(sources.HealthOK, m.opts.ASCII)) +
				fmt.Sprintf(" %d ok  ", okCount) + failing
		}
		candidates = append(candidates, []seg{{failing, 0, false}, {short, 2, true}}, []seg{{failing, 0, false}})
	}
	candidates = append(candidates, [][]seg{
		{{strings.Join(srcShort, "  "), 0, false}, {self, 1, true}, {short, 2, true}},
		{{strings.Join(srcShort, "  "), 0, false}, {self, 1, true}},
		{{strings.Join(srcShort, "  "), 0, false}, {short, 2, true}},
	}...)
	line := ""
	for _, c := range candidates {
		if segsWidth(c) <= m.w {
			line = arrange(c, m.w)
			break
		}
	}
	if line == "" {
		line = arrange(candidates[len(candidates)-1], m.w)
	}
	return block([]string{line}, m.w, m.h)
}

func segsWidth(segs []seg) int {
	w, n := 0, 0
	for _, s := range segs {
		if s.text == "" {
			continue
		}
		w += Width(s.text)
		n++
	}
	if n > 1 {
		w += 2 * (n - 1)
	}
	return w
}

// promptLine is the open prompt: its label and input at the left, the
// cursor after them, the hint at the right while it fits. An input too
// long for the bar shows its end, where the typing is.
func (m *Status) promptLine() string {
	st := m.opts.st()
	cursor := "█"
	if m.opts.ASCII {
		cursor = "_"
	}
	label := st.Text.Render(clean(m.label))
	in := []rune(clean(m.input))
	room := m.w - Width(label) - Width(cursor)
	for len(in) > 0 && Width(string(in)) > room {
		in = in[1:]
	}
	left := label + st.Value.Render(string(in)) + st.Dim.Render(cursor)
	for _, h := range m.promptHints {
		if h == "" {
			continue
		}
		c := []seg{{left, 0, false}, {st.Dim.Render(clean(h)), 1, true}}
		if segsWidth(c) <= m.w {
			return arrange(c, m.w)
		}
	}
	return arrange([]seg{{left, 0, false}}, m.w)
}
