package pane

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
	"warroom/ui/internal/fixture"
)

// viewWhere draws the where pane of s at w×h, without colour.
func viewWhere(s *sources.Snapshot, o Options, w, h int) string {
	m := NewWhere(o)
	m.SetSize(w, h)
	m.SetSnapshot(s)
	return m.View()
}

// whereLine is the one-line where pane of s at w, trailing blanks cut.
func whereLine(s *sources.Snapshot, w int) string {
	return strings.TrimRight(ansi.Strip(viewWhere(s, Options{}, w, 1)), " ")
}

// withStates sets the state and pending state of indicators by name.
func withStates(s *sources.Snapshot, states map[string][2]sources.State) *sources.Snapshot {
	for i := range s.Indicators {
		in := &s.Indicators[i]
		st, ok := states[in.Name]
		if !ok {
			st = [2]sources.State{sources.StateOK, sources.StateUnknown}
		}
		in.State, in.Pending = st[0], st[1]
		if st[1] != sources.StateUnknown {
			in.PendingAt = s.At.Add(6 * time.Second)
		}
	}
	return s
}

// The line shows the worst indicator's driver: crit, then warn, then on
// its way to crit, then to warn; among equals the first in display order;
// while nothing with a driver is wrong, where the requests come from.
func TestWherePicksTheWorst(t *testing.T) {
	const (
		ok, warn, crit, none = sources.StateOK, sources.StateWarn, sources.StateCrit, sources.StateUnknown
	)
	for _, c := range []struct {
		name   string
		states map[string][2]sources.State
		want   string
	}{
		{"crit beats warn", map[string][2]sources.State{"nginx.slow_ratio": {warn, none}, "nginx.499_rate": {crit, none}}, "✖ 499 ←"},
		{"warn beats pending crit", map[string][2]sources.State{"nginx.499_rate": {ok, crit}, "nginx.5xx_ratio": {warn, none}}, "▲ 5xx ←"},
		{"pending crit beats pending warn", map[string][2]sources.State{"nginx.slow_ratio": {ok, warn}, "nginx.5xx_ratio": {ok, crit}}, "✖… 5xx ←"},
		{"warn on its way to crit beats warn", map[string][2]sources.State{"nginx.slow_ratio": {warn, none}, "nginx.499_rate": {warn, crit}}, "✖… 499 ←"},
		{"ties go by display order", map[string][2]sources.State{"nginx.5xx_ratio": {crit, none}, "nginx.slow_ratio": {crit, none}}, "✖ slow ←"},
		{"crit without a driver does not count", map[string][2]sources.State{"app.db": {crit, none}, "nginx.slow_ratio": {ok, warn}}, "▲… slow ←"},
		{"stale and error are not trouble here", map[string][2]sources.State{"nginx.499_rate": {sources.StateStale, none}}, "req ←"},
		{"nothing wrong: the requests", nil, "req ← /api/v2/ranking/result 45% · ≥21406 IPs · host m.gala.example 88%"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := whereLine(withStates(fixture.Snapshot(), c.states), 80)
			if !strings.HasPrefix(got, c.want) {
				t.Errorf("got %q, want it to start with %q", got, c.want)
			}
		})
	}
}

// A worst driver with nothing in its span gives way to the next one that
// has something to say.
func TestWhereSkipsAnEmptyDriver(t *testing.T) {
	s := withStates(fixture.Snapshot(), map[string][2]sources.State{
		"nginx.5xx_ratio": {sources.StateCrit, sources.StateUnknown}, "nginx.slow_ratio": {sources.StateWarn, sources.StateUnknown}})
	s.Indicators[4].Driver.Events = 0
	if got := whereLine(s, 80); !strings.HasPrefix(got, "▲ slow ←") {
		t.Errorf("got %q, want the slow driver", got)
	}
}

// The state's glyph is the stat's, in the state's style, and ASCII's in
// ASCII mode, arrow included; a good line is dim and has none.
func TestWhereGlyphAndStyle(t *testing.T) {
	s := fixture.Snapshot() // 499 crit
	st := DefaultStyles(true)
	v := viewWhere(s, Options{Styles: st}, 80, 1)
	if want := st.Crit.Render("✖") + " " + st.Crit.Render("499"); !strings.HasPrefix(v, want) {
		t.Errorf("colour: %q, want it to start with %q", v, want)
	}
	if got := strings.TrimRight(ansi.Strip(viewWhere(s, Options{ASCII: true}, 80, 1)), " "); !strings.HasPrefix(got, "X 499 <- /api/v2/ranking/result 70%") {
		t.Errorf("ascii: %q", got)
	}
	quiet := withStates(fixture.Snapshot(), nil)
	v = viewWhere(quiet, Options{Styles: st}, 80, 1)
	if want := st.Dim.Render("req"); !strings.HasPrefix(v, want) {
		t.Errorf("nothing wrong: %q, want it dim from the start (%q)", v, want)
	}
	// focused, the line says so in colour
	m := NewWhere(Options{Styles: st})
	m.SetSize(80, 1)
	m.SetSnapshot(s)
	m.Focus()
	if want := st.TitleFocused.Render("499"); !strings.Contains(m.View(), want) {
		t.Errorf("focused: %q, want %q in it", m.View(), want)
	}
}

// Without a driver there is nothing to say; with drivers that counted
// nothing, the line says so.
func TestWhereEmpty(t *testing.T) {
	none := fixture.Snapshot()
	for i := range none.Indicators {
		none.Indicators[i].Driver = nil
	}
	for _, h := range []int{1, 4} {
		if got := ansi.Strip(viewWhere(none, Options{}, 40, h)); strings.TrimSpace(got) != "" {
			t.Errorf("no driver at all, %d rows: %q", h, got)
		}
	}
	if got := ansi.Strip(viewWhere(nil, Options{}, 40, 1)); strings.TrimSpace(got) != "" {
		t.Errorf("no snapshot: %q", got)
	}
	quiet := withStates(fixture.Snapshot(), map[string][2]sources.State{"nginx.499_rate": {sources.StateCrit, sources.StateUnknown}})
	for _, in := range quiet.Indicators {
		if in.Driver != nil {
			in.Driver.Events = 0
		}
	}
	if got := whereLine(quiet, 80); got != "where: no requests this minute" {
		t.Errorf("no requests: %q", got)
	}
}

// Cut to its width the line keeps the path whole as long as it can: the
// top client goes first, then the client count, then the host (the
// upstream would go last); then the path is cut in its middle, keeping
// its end; every width gives exactly that many cells, down to none.
func TestWhereCutsToWidth(t *testing.T) {
	s := fixture.Snapshot() // 499 crit
	// the parts go top client first, then the client count, the host
	// and the upstream; what was dropped comes back where it still fits
	for _, c := range []struct {
		w    int
		want string
	}{
		{125, "✖ 499 ← /api/v2/ranking/result 70% · 268 IPs · top 203.0.113.7 (288) · upstream 10.0.3.7:8080 91% · host m.gala.example 89%"},
		{100, "✖ 499 ← /api/v2/ranking/result 70% · 268 IPs · upstream 10.0.3.7:8080 91% · host m.gala.example 89%"},
		{95, "✖ 499 ← /api/v2/ranking/result 70% · upstream 10.0.3.7:8080 91% · host m.gala.example 89%"},
		{80, "✖ 499 ← /api/v2/ranking/result 70% · 268 IPs · upstream 10.0.3.7:8080 91%"},
		{70, "✖ 499 ← /api/v2/ranking/result 70% · upstream 10.0.3.7:8080 91%"},
		{62, "✖ 499 ← /api/v2/ranking/result 70% · host m.gala.example 89%"},
		{50, "✖ 499 ← /api/v2/ranking/result 70% · 268 IPs"},
		{36, "✖ 499 ← /api/v2/ranking/result 70%"},
	} {
		if got := whereLine(s, c.w); got != c.want {
			t.Errorf("%d wide: %q\n want %q", c.w, got, c.want)
		}
	}
	for _, c := range []struct {
		w    int
		want string
	}{
		// the path cut in its middle, a third of it kept from its start
		{33, "✖ 499 ← /api/v…ranking/result 70%"},
		{24, "✖ 499 ← /ap…g/result 70%"},
		{19, "✖ 499 ← /a…sult 70%"},
		// then the share goes
		{14, "✖ 499 ← /…sult"},
		// then the line is cut at its end, the symbol last
		{13, "✖ 499 ← /api…"},
		{2, "✖…"},
		{1, "✖"},
	} {
		if got := whereLine(s, c.w); got != c.want {
			t.Errorf("%d wide: %q\n want %q", c.w, got, c.want)
		}
	}
	for _, o := range []Options{{Styles: DefaultStyles(true)}, {ASCII: true}} {
		for _, h := range []int{0, 1, 2, 3, 8} {
			for w := 0; w <= 130; w++ {
				v := viewWhere(s, o, w, h)
				if h == 0 || w == 0 {
					if strings.TrimSpace(strings.ReplaceAll(v, "\n", "")) != "" {
						t.Fatalf("%dx%d: %q", w, h, v)
					}
					continue
				}
				check(t, v, w, h)
			}
		}
	}
}

// Keys in other scripts and wide runes are measured in cells, and text
// that reached the pane unsanitized is cleaned on its way out.
func TestWhereWideAndDirtyKeys(t *testing.T) {
	s := fixture.Snapshot()
	d := s.Indicators[2].Driver
	d.Path.Key = "/活动/年终/结果?\x1b[31mred"
	d.Client.Key = "ｆｕｌｌ\x07"
	for w := 1; w <= 90; w++ {
		for _, h := range []int{1, 5} {
			v := viewWhere(s, Options{}, w, h)
			check(t, v, w, h)
			if strings.ContainsAny(v, "\x1b\x07") {
				t.Fatalf("%d wide: a control character got through: %q", w, v)
			}
		}
	}
	if got := whereLine(s, 30); !strings.HasSuffix(got, "red 70%") || !strings.Contains(got, "…") {
		t.Errorf("a wide path cut in its middle keeps its end: %q", got)
	}
}

// Given rows (zoomed), every driver that has something to say, worst
// first, then the minutes they count in the event's zone, and what "≥"
// means when a count is a lower bound.
func TestWhereZoomed(t *testing.T) {
	v := ansi.Strip(viewWhere(fixture.Hot(), Options{}, 100, 8))
	var lines []string
	for _, l := range strings.Split(v, "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	want := []string{
		"✖ slow ← /api/v2/ranking/result 80% · 1204 IPs · top 203.0.113.7 (57) · host m.gala.example 100%",
		"✖ 499 ← /api/v2/ranking/result 71% · 268 IPs · upstream 10.0.3.7:8080 67% · host m.gala.example 100%",
		"req ← /api/v2/ranking/result 67% · ≥35912 IPs · top 203.0.113.7 (≥8820) · host m.gala.example 90%",
		"5xx ← /api/v2/user/profile 51% · 97 IPs · top 198.51.100.23 (9) · host m.gala.example 100%",
		"counted 23:59–00:01 CST · ≥ at least: too many clients to count each exactly",
		"", "", "",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("zoomed:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// fewer rows than drivers: the worst ones, and the span
	v = ansi.Strip(viewWhere(fixture.Hot(), Options{}, 100, 3))
	if ls := strings.Split(v, "\n"); !strings.HasPrefix(ls[0], "✖ slow") || !strings.HasPrefix(ls[1], "✖ 499") || !strings.HasPrefix(ls[2], "counted") {
		t.Errorf("three rows:\n%s", v)
	}
}

// A view moved into the past says when its drivers were counted, so they
// are never taken for the window's end.
func TestWhereMovedSaysWhen(t *testing.T) {
	s := fixture.Snapshot()
	s.WindowEnd = fixture.PrevEnd
	if got := whereLine(s, 80); !strings.HasPrefix(got, "23:57–23:59 ✖ 499 ←") {
		t.Errorf("moved: %q", got)
	}
}

// With drivers from several logs (a log per host), the line says whose
// requests drive it.
func TestWhereNamesTheLog(t *testing.T) {
	s := fixture.Snapshot() // 499 crit on nginx
	for i := range s.Indicators {
		if d := s.Indicators[i].Driver; d != nil && d.Mark == "req" {
			c := *d
			c.Source = "comb"
			s.Indicators[i].Driver = &c
		}
	}
	if got := whereLine(s, 80); !strings.HasPrefix(got, "✖ nginx: 499 ← /api/v2/ranking/result 70%") {
		t.Errorf("got %q", got)
	}
}

// A source that cannot be read has no current driver: the line does not
// keep its last one as if current, and says there is no current data.
func TestWhereSkipsSourcesNotRead(t *testing.T) {
	s := fixture.Snapshot()
	for i := range s.Indicators {
		if s.Indicators[i].Driver != nil {
			s.Indicators[i].Value.Health = sources.HealthUnreachable
		}
	}
	if got := whereLine(s, 80); got != "where: no current data" {
		t.Errorf("got %q", got)
	}
}
