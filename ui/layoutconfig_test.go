package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"warroom/sources/config"
	"warroom/ui/internal/fixture"
)

func loadLayout(t *testing.T, path string) (LayoutConfig, error) {
	var c LayoutConfig
	err := config.LoadFile(path, &c)
	return c, err
}

func TestLayoutConfigGood(t *testing.T) {
	c, err := loadLayout(t, "testdata/layout/good/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rows) != 5 || len(c.Rows[2].Panes) != 3 || c.Rows[2].Height != 4 || c.Rows[2].Panes[0].Weight != 2 {
		t.Fatalf("decoded %+v", c)
	}
	if got := c.Rows[2].Panes[2].Indicator; got != "nginx.5xx_ratio" {
		t.Fatalf("chart indicator %q", got)
	}
	known := []string{"nginx.qps", "nginx.slow_ratio", "nginx.499_rate", "app.db"}
	err = c.CheckIndicators(known)
	if err == nil || !strings.Contains(err.Error(), "line 14: rows[2].panes[2].indicator: unknown indicator \"nginx.5xx_ratio\"") {
		t.Fatalf("CheckIndicators = %v", err)
	}
	if err := c.CheckIndicators(append(known, "nginx.5xx_ratio")); err != nil {
		t.Fatal(err)
	}
	// The layout as configured draws, at every size, without overflow.
	for _, sz := range [][2]int{{40, 12}, {80, 24}, {200, 60}} {
		checkFrame(t, Frame(fixture.Snapshot(), sz[0], sz[1], Options{Layout: c}), sz[0], sz[1])
	}
	if _, err := loadLayout(t, "testdata/layout/good/minimal.yaml"); err != nil {
		t.Fatal(err)
	}
}

func TestLayoutConfigBad(t *testing.T) {
	cases := map[string]string{
		"unknown_key":              "line 5: indicatr: unknown field (known: indicator, indicators, kind, source, table, weight)",
		"unknown_kind":             `line 3: rows[0].panes[0].kind: unknown kind "graph"`,
		"stat_without_indicator":   "line 3: rows[0].panes[0].indicator: a stat pane needs an indicator",
		"chart_without_indicators": "line 4: rows[0].panes[1].indicators: a chart needs indicators",
		"header_shares_row":        "line 3: rows[0].panes[0].kind: header must be alone in its row",
		"negative_weight":          "line 5: rows[0].panes[0].weight: must not be negative, got -2",
		"negative_height":          "line 2: rows[0].height: must not be negative",
		"empty_row":                "line 3: rows[1].panes: a row needs at least one pane",
		"indicators_on_top":        "line 4: rows[0].panes[0].indicators: only for chart panes, not top",
		"weight_not_a_number":      "line 4: cannot unmarshal !!str `wide` into int",
		"two_status":               "line 4: rows[2].panes[0].kind: only one status",
		"not_a_list":               "line 2:",
	}
	files, _ := filepath.Glob("testdata/layout/bad/*.yaml")
	if len(files) != len(cases) {
		t.Errorf("%d bad files, %d cases: keep them in step", len(files), len(cases))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			want, ok := cases[name]
			if !ok {
				t.Fatalf("no expected error for %s", f)
			}
			_, err := loadLayout(t, f)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, want)
			}
		})
	}
}

func TestLayoutValidateInCode(t *testing.T) {
	c := LayoutConfig{Rows: []RowConfig{{Panes: []PaneConfig{{Kind: KindChart}}}}}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "rows[0].panes[0].indicators") {
		t.Fatalf("Validate = %v", err)
	}
	d := DefaultLayout(fixture.Snapshot())
	if err := d.Validate(); err != nil {
		t.Fatalf("the default layout is invalid: %v", err)
	}
	w := LayoutConfig{Rows: []RowConfig{{Panes: []PaneConfig{{Kind: KindWhere, Indicator: "nginx.499_rate"}}}}}
	if err := w.Validate(); err == nil || !strings.Contains(err.Error(), "indicator: only for stat and chart panes, not where") {
		t.Fatalf("a where pane naming an indicator: Validate = %v", err)
	}
	w.Rows[0].Panes[0].Indicator = ""
	if err := w.Validate(); err != nil {
		t.Fatalf("a where pane: %v", err)
	}
}

// TestDefaultLayoutKeyIndicators: the first four indicators are the key
// ones, whatever they are called.
func TestDefaultLayoutKeyIndicators(t *testing.T) {
	s := fixture.Snapshot()
	for i := range s.Indicators {
		s.Indicators[i].Name = "custom." + s.Indicators[i].Name
	}
	f := Frame(s, 40, 12, Options{})
	for _, want := range []string{"1.23k/s", "62‱", "7.2/s", "DB err/min"} {
		if !strings.Contains(f, want) {
			t.Errorf("%q missing at 40x12 with renamed indicators:\n%s", want, f)
		}
	}
}

// TestDefaultLayoutWhereRow: a snapshot whose access log tells what drives
// its requests gets the where line right under the key stats; one without
// drivers does not, and a driver appearing is a new shape.
func TestDefaultLayoutWhereRow(t *testing.T) {
	s := fixture.Snapshot()
	rows := DefaultLayout(s).Rows
	if len(rows) < 3 || rows[1].Panes[0].Indicator != "nginx.qps" || len(rows[2].Panes) != 1 || rows[2].Panes[0].Kind != KindWhere {
		t.Fatalf("rows %+v: want header, key stats, where", rows)
	}
	with := shapeKey(s)
	for i := range s.Indicators {
		s.Indicators[i].Driver = nil
	}
	for _, r := range DefaultLayout(s).Rows {
		if r.Panes[0].Kind == KindWhere {
			t.Fatalf("a where row without a driver: %+v", r)
		}
	}
	if shapeKey(s) == with {
		t.Error("drivers coming or going do not change the layout's shape")
	}
}

// TestDefaultLayoutPromAt80: with the example config's three path groups
// the first Prometheus stat would sit past the fifth place of the second
// row of stats, where 80 columns end: it moves to the third, and shows at
// 80×24. With one group it already fits and stays.
func TestDefaultLayoutPromAt80(t *testing.T) {
	order := func(groups ...string) []string {
		var out []string
		for _, p := range DefaultLayout(fixture.Example(groups...)).Rows[3].Panes {
			out = append(out, p.Indicator)
		}
		return out
	}
	got := order("pay", "api", "static")
	want := []string{"nginx.5xx_ratio", "nginx.304_rate", "prom.db_connections", "nginx.pay.qps", "nginx.pay.slow_ratio",
		"nginx.api.qps", "nginx.api.slow_ratio", "nginx.static.qps", "nginx.static.slow_ratio", "prom.api_cpu"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("three groups: %v\nwant %v", got, want)
	}
	if got := order("pay"); got[4] != "prom.db_connections" {
		t.Errorf("one group: %v, want prom.db_connections fifth, where it is", got)
	}
	for _, groups := range [][]string{{"pay"}, {"pay", "api", "static"}} {
		f := Frame(fixture.Example(groups...), 80, 24, Options{})
		for _, want := range []string{"db_connect", "▲ 812", "▲ 62‱", "✖ 499 ← /api/v2/ranking/result 70%"} {
			if !strings.Contains(f, want) {
				t.Errorf("%v at 80x24: %q not on screen:\n%s", groups, want, f)
			}
		}
	}
}
