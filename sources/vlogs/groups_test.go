package vlogs

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"warroom/sources/nginx"
	"warroom/sources/vlogs/vltest"
)

// hostileGroups have quotes (both kinds and backticks), backslashes and
// every regexp metacharacter in their prefix and globs, wildcards among
// them or none; the last is a catch-all behind them all.
var hostileGroups = []nginx.GroupConfig{
	{Name: "hostile", Prefix: `/a"b\c.*(x)[y]{2}+^$|'` + "`"},
	{Name: "meta", Glob: `/q"\.*(?)[*]{2}+^$|\*`},
	{Name: "ticks", Glob: "/t'`?"},
	{Name: "exact", Glob: `/e"x\act.`},
	{Name: "quoted", Glob: `*"*\*`},
	{Name: "rest", Glob: "*"},
}

// hostilePaths are paths and the group an access log counts each in.
var hostilePaths = []struct{ path, group string }{
	{`/a"b\c.*(x)[y]{2}+^$|'` + "`", "hostile"},
	{`/a"b\c.*(x)[y]{2}+^$|'` + "`" + `/more?x="y"\`, "hostile"},
	{`/a"b\c.*(x)[y]{2}+^$|'`, "quoted"}, // short of the prefix by its last byte
	{`/a"b\cX*(x)[y]{2}+^$|'` + "`", "quoted"},
	{`/q"\.(!)[]{2}+^$|\`, "meta"},
	{`/q"\.xx(!)[yy]{2}+^$|\zz?a=(b)&c="d"`, "meta"},
	{`/q"\.xx(!!)[yy]{2}+^$|\zz`, "quoted"}, // '?' is one byte
	{`/q"\X(!)[]{2}+^$|\`, "quoted"},        // '.' is a dot
	{`/q"x.(!)[]{2}+^$|\`, "quoted"},        // '\' is a backslash
	{`/zz/q"\.(!)[]{2}+^$|\`, "quoted"},     // the glob is anchored
	{"/t'`1", "ticks"},
	{"/x/t'`1", "rest"},
	{"/t'`1?x", "ticks"},
	{"/t'`12", "rest"},
	{`/e"x\act.`, "exact"},
	{`/e"x\act.?q=1`, "exact"},
	{`/e"x\actX`, "quoted"},
	{`/e"x\act./`, "quoted"},
	{`/plain?"\`, "rest"}, // the query is not read
	{`/plain#"\x`, "quoted"},
	{`/x?y"z\`, "rest"},
	{"/plain", "rest"},
}

// hostileRef counts hostilePaths as an access log does, one a second
// from base, and returns each path's group ("" for none).
func hostileRef(t *testing.T, base int64) []string {
	t.Helper()
	f, err := nginx.CompileFormat(`$msec $status $request_time $request_uri`)
	if err != nil {
		t.Fatal(err)
	}
	var gs []nginx.Group
	for _, g := range hostileGroups {
		gs = append(gs, nginx.Group{Name: g.Name, Prefix: g.Prefix, Glob: g.Glob})
	}
	agg := nginx.NewAggregator(nginx.Options{Format: f, Groups: gs, Seconds: 600, Minutes: 60, NoDetail: true, TopTotal: 64})
	var lines strings.Builder
	for i, p := range hostilePaths {
		fmt.Fprintf(&lines, "%d.000 200 0.100 %s\n", base+int64(i), p.path)
	}
	agg.Ingest([]byte(lines.String()))
	if b, _, _ := agg.Counts(); int(b.Requests) != len(hostilePaths) {
		t.Fatalf("the access log read %d of %d lines", b.Requests, len(hostilePaths))
	}
	out := make([]string, len(hostilePaths))
	for _, g := range hostileGroups {
		s, _ := agg.Series(nginx.MetricQPS, g.Name, time.Unix(base, 0), time.Unix(base+int64(len(hostilePaths)), 0), time.Second)
		for _, p := range s.Points {
			if p.V > 0 {
				out[p.At.Unix()-base] = g.Name
			}
		}
	}
	return out
}

// A hostile group's LogsQL is its text, quoted whole: the prefix an
// exact-prefix filter of it, a glob's regexp its characters escaped.
func TestGroupFiltersQuoted(t *testing.T) {
	c := StreamConfig{Name: "h", Filter: "*", Groups: hostileGroups}
	c.applyDefaults()
	if err := c.validate(nil); err != nil {
		t.Fatal(err)
	}
	q := countersQuery(c)
	if want := `"path":=` + strconv.Quote(hostileGroups[0].Prefix) + "*"; !strings.Contains(q, want) {
		t.Errorf("query lacks %s:\n%s", want, q)
	}
	// every quoted string in the query reads back (a Go string literal is
	// a LogsQL one), and the path's regexps are RE2
	quoted := regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	for _, s := range quoted.FindAllString(q, -1) {
		v, err := strconv.Unquote(s)
		if err != nil {
			t.Fatalf("%s does not read back: %v", s, err)
		}
		if strings.HasPrefix(v, "(?s)") {
			if _, err := regexp.Compile(v); err != nil {
				t.Errorf("regexp %q: %v", v, err)
			}
		}
	}
	// and they select what an access log counts, path by path
	ref := hostileRef(t, 1_000_000)
	for i, p := range hostilePaths {
		if ref[i] != p.group {
			t.Errorf("the access log counts %q in %q, the test says %q", p.path, ref[i], p.group)
		}
		got := ""
		for _, g := range hostileGroups {
			if goMatch(g, p.path) {
				got = g.Name
				break
			}
		}
		if got != p.group {
			t.Errorf("%q: the filters match %q first, want %q", p.path, got, p.group)
		}
	}
}

// goMatch is what countersQuery selects for a group, read in Go: the path
// cut at its first '?', then an exact prefix, an exact value or the
// regexp.
func goMatch(g nginx.GroupConfig, path string) bool {
	path = regexp.MustCompile(`(?s)\?.*`).ReplaceAllString(path, "")
	m := pathMatch(g)
	switch {
	case m.re != "":
		return regexp.MustCompile(m.re).MatchString(path)
	case m.whole:
		return path == m.lit
	}
	return strings.HasPrefix(path, m.lit)
}

// A real VictoriaLogs counts each hostile path in the group an access log
// counts it in, in the one counts request: quoting holds end to end. So
// do paths whose query holds a newline (no access-log line can).
func TestGroupFiltersInVictoriaLogs(t *testing.T) {
	vl := vltest.Start(t)
	base := time.Now().Truncate(time.Second).Add(-5 * time.Minute)
	paths := append(slices.Clip(hostilePaths), []struct{ path, group string }{
		{"/t'`1?a\nb", "ticks"}, {"/e\"x\\act.?\n", "exact"}, {"/q\"\\.(!)[]{2}+^$|\\?\n\\", "meta"}}...)
	var lines []vltest.Line
	for i, p := range paths {
		lines = append(lines, vltest.Line{Time: base.Add(time.Duration(i) * time.Second), Msg: "GET " + p.path,
			Fields: map[string]string{"app": "hostile", "path": p.path, "status": "200", "request_time": "0.100"}})
	}
	vl.Insert(t, "app:=hostile", lines)
	ref := hostileRef(t, base.Unix())
	cfg := Config{Servers: []ServerConfig{{Name: "vl", URL: vl.URL}},
		Streams: []StreamConfig{{Name: "h", Filter: "app:=hostile", Groups: hostileGroups}}}
	srcs, err := New(cfg, Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	a := srcs[0].(*Access)
	c, err := a.fetch(context.Background(), base.Unix(), base.Unix()+int64(len(paths)))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		row := c.row(i)
		got := ""
		for g := range hostileGroups {
			switch n := row[(g+1)*accessWidth+colTotal]; {
			case n == 1 && got == "":
				got = hostileGroups[g].Name
			case n != 0:
				t.Errorf("%q counted %d times in %q", p.path, n, hostileGroups[g].Name)
			}
		}
		want := p.group
		if i < len(ref) {
			want = ref[i] // what the test says, TestGroupFiltersQuoted checks
		}
		if row[colTotal] != 1 || got != want {
			t.Errorf("%q: VictoriaLogs counts it in %q (of %d), the access log in %q", p.path, got, row[colTotal], want)
		}
	}
}

// FuzzGroupFilter: a group's filter, read as VictoriaLogs reads it (an
// exact prefix, or RE2), matches the paths an access log counts in the
// group (ASCII paths: '?' is one character in one and one byte in the
// other).
func FuzzGroupFilter(f *testing.F) {
	for _, g := range hostileGroups {
		for _, p := range hostilePaths {
			f.Add(g.Prefix == "", g.Prefix+g.Glob, p.path)
		}
	}
	f.Add(true, "/api/*", "/api/x?y")
	f.Add(true, "/v?/*/x", "/v1/a#b/x?c")
	f.Add(false, "/api/x", "/api/x?y")
	f.Fuzz(func(t *testing.T, isGlob bool, pattern, path string) {
		if pattern == "" || !printable(pattern, ' ') || path == "" || !printable(path, '!') {
			return // not a pattern or path a config or a line holds
		}
		g := nginx.GroupConfig{Name: "g", Prefix: pattern}
		if isGlob {
			g = nginx.GroupConfig{Name: "g", Glob: pattern}
		}
		if err := nginx.ValidateGroups(nil, []nginx.GroupConfig{g}); err != nil {
			return // a prefix with a '?': refused when the config loads
		}
		f, err := nginx.CompileFormat(`$msec $request_uri`)
		if err != nil {
			t.Fatal(err)
		}
		agg := nginx.NewAggregator(nginx.Options{Format: f, Groups: []nginx.Group{{Name: "g", Prefix: g.Prefix, Glob: g.Glob}},
			Seconds: 60, Minutes: 60, DetailMinutes: 1, NoDetail: true, TopTotal: 4})
		agg.Ingest([]byte("1000000.000 " + path + "\n"))
		if b, _, _ := agg.Counts(); b.Requests != 1 {
			return // not a line the access log reads
		}
		gb, _ := agg.Sum("g", time.Unix(1_000_000, 0), time.Unix(1_000_001, 0))
		if want := gb.Requests == 1; goMatch(g, path) != want {
			t.Fatalf("group %+v, path %q: the access log %v, the filter (%+v) %v", g, path, want, pathMatch(g), !want)
		}
	})
}

// printable says s is ASCII from lo to '~'.
func printable(s string, lo byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < lo || s[i] > '~' {
			return false
		}
	}
	return true
}
