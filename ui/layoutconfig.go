package ui

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"warroom/sources"
	"warroom/sources/config"
)

// LayoutConfig is the `layout:` section: rows of panes, top to bottom. An
// empty layout means the default, derived from the snapshot (see
// DefaultLayout). The header and status bar are always shown;
// naming them places them (each alone in its row), leaving them out puts
// them at the top and bottom.
//
// Heights and weights are shares of the space left after every row got its
// minimum; when the terminal is too small, whole rows give way in order of
// importance (key stats last) and rows too narrow for their panes stack.
type LayoutConfig struct {
	Rows []RowConfig `yaml:"rows"`
}

// RowConfig is one row of panes.
type RowConfig struct {
	Height int          `yaml:"height"` // share of the spare height; 0 means 1
	Panes  []PaneConfig `yaml:"panes"`

	line int
}

// PaneConfig is one pane in a row.
type PaneConfig struct {
	Kind       string   `yaml:"kind"`
	Indicator  string   `yaml:"indicator"`  // stat (or a chart of one indicator)
	Indicators []string `yaml:"indicators"` // chart
	Table      string   `yaml:"table"`      // top: table title ("IPs", "paths"); empty: the first
	Source     string   `yaml:"source"`     // log: log source name; empty: the first
	Weight     int      `yaml:"weight"`     // share of the row's width; 0 means 1

	line int
}

// UnmarshalYAML decodes strictly and validates, with errors that name the
// line and the field.
func (c *LayoutConfig) UnmarshalYAML(n *yaml.Node) error {
	*c = LayoutConfig{}
	type plain LayoutConfig
	if err := config.Decode(n, (*plain)(c)); err != nil {
		return err
	}
	rows := config.FieldNode(n, "rows")
	for i := range c.Rows {
		if rows == nil || rows.Kind != yaml.SequenceNode || i >= len(rows.Content) {
			break
		}
		rn := rows.Content[i]
		c.Rows[i].line = rn.Line
		panes := config.FieldNode(rn, "panes")
		for j := range c.Rows[i].Panes {
			if panes != nil && panes.Kind == yaml.SequenceNode && j < len(panes.Content) && panes != rn {
				c.Rows[i].Panes[j].line = panes.Content[j].Line
			}
		}
	}
	return c.validate(n)
}

// Validate checks a layout built in code rather than decoded.
func (c *LayoutConfig) Validate() error { return c.validate(nil) }

func (c *LayoutConfig) validate(n *yaml.Node) error {
	rowsNode := config.FieldNode(n, "rows")
	rowNode := func(i int) *yaml.Node {
		if rowsNode != nil && rowsNode.Kind == yaml.SequenceNode && i < len(rowsNode.Content) {
			return rowsNode.Content[i]
		}
		return n
	}
	paneNode := func(i, j int) *yaml.Node {
		rn := rowNode(i)
		ps := config.FieldNode(rn, "panes")
		if ps != nil && ps != rn && ps.Kind == yaml.SequenceNode && j < len(ps.Content) {
			return ps.Content[j]
		}
		return rn
	}
	seen := map[string]int{}
	for i, r := range c.Rows {
		rf := fmt.Sprintf("rows[%d]", i)
		if r.Height < 0 {
			return config.Errorf(config.FieldNode(rowNode(i), "height"), rf+".height", "must not be negative, got %d", r.Height)
		}
		if len(r.Panes) == 0 {
			return config.Errorf(rowNode(i), rf+".panes", "a row needs at least one pane")
		}
		for j, p := range r.Panes {
			pn := paneNode(i, j)
			pf := fmt.Sprintf("%s.panes[%d]", rf, j)
			at := func(field string) *yaml.Node { return config.FieldNode(pn, field) }
			if p.Weight < 0 {
				return config.Errorf(at("weight"), pf+".weight", "must not be negative, got %d", p.Weight)
			}
			k, known := registry[p.Kind]
			switch {
			case p.Kind == "":
				return config.Errorf(pn, pf+".kind", "missing (one of %s)", strings.Join(Kinds, ", "))
			case !known:
				return config.Errorf(at("kind"), pf+".kind", "unknown kind %q (want one of %s)", p.Kind, strings.Join(Kinds, ", "))
			case k.bar != noBar && len(r.Panes) > 1:
				return config.Errorf(at("kind"), pf+".kind", "%s must be alone in its row", p.Kind)
			case k.bar != noBar && seen[p.Kind] > 0:
				return config.Errorf(at("kind"), pf+".kind", "only one %s", p.Kind)
			}
			seen[p.Kind]++
			for _, f := range paneFields {
				if f.set(p) && !slices.Contains(k.takes, f.name) {
					return config.Errorf(at(f.name), pf+"."+f.name, "only for %s panes, not %s", kindsTaking(f.name), p.Kind)
				}
			}
			if k.check == nil {
				continue
			}
			if e := k.check(p); e != nil {
				node := pn
				if e.at != "" {
					node = at(e.at)
				}
				return config.Errorf(node, pf+"."+e.field, "%s", e.problem)
			}
		}
	}
	return nil
}

// paneFields are the config fields only some kinds take, in the order
// they are checked.
var paneFields = []struct {
	name string
	set  func(PaneConfig) bool
}{
	{"indicator", func(p PaneConfig) bool { return p.Indicator != "" }},
	{"indicators", func(p PaneConfig) bool { return len(p.Indicators) > 0 }},
	{"table", func(p PaneConfig) bool { return p.Table != "" }},
	{"source", func(p PaneConfig) bool { return p.Source != "" }},
}

// kindsTaking names the kinds that take a field: "stat and chart".
func kindsTaking(field string) string {
	var out []string
	for _, k := range Kinds {
		if slices.Contains(registry[k].takes, field) {
			out = append(out, k)
		}
	}
	return strings.Join(out, " and ")
}

// configProblem is what a kind finds wrong in a pane's config: the field
// named in the error, the field whose line it points at ("": the pane's
// own), and what is wrong.
type configProblem struct{ field, at, problem string }

func checkStat(p PaneConfig) *configProblem {
	if p.Indicator == "" {
		return &configProblem{"indicator", "", "a stat pane needs an indicator (e.g. nginx.qps)"}
	}
	return nil
}

func checkChart(p PaneConfig) *configProblem {
	if p.Indicator == "" && len(p.Indicators) == 0 {
		return &configProblem{"indicators", "", "a chart needs indicators (e.g. [nginx.qps])"}
	}
	if p.Indicator != "" && len(p.Indicators) > 0 {
		return &configProblem{"indicator", "indicator", "give indicator or indicators, not both"}
	}
	for k, name := range p.Indicators {
		if strings.TrimSpace(name) == "" {
			return &configProblem{fmt.Sprintf("indicators[%d]", k), "indicators", "empty indicator name"}
		}
	}
	return nil
}

// names are the indicators a pane config names, one or several.
func (p PaneConfig) names() []string {
	if p.Indicator != "" {
		return []string{p.Indicator}
	}
	return p.Indicators
}

// CheckIndicators reports the first pane that names an indicator not in
// known (the data layer's indicator names), with the line it was set on.
// It is separate from Validate because the names are only known once the
// sources are configured.
func (c LayoutConfig) CheckIndicators(known []string) error {
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[k] = true
	}
	for i, r := range c.Rows {
		for j, p := range r.Panes {
			for _, name := range p.names() {
				if !set[name] {
					return &config.Error{Line: p.line, Field: fmt.Sprintf("rows[%d].panes[%d].indicator", i, j),
						Err: fmt.Errorf("unknown indicator %q (known: %s)", name, strings.Join(known, ", "))}
				}
			}
		}
	}
	return nil
}

// DefaultLayout is the screen when the config has no layout: the key
// indicators (sources.Indicator.Key) as stats with a chart each, the
// where line when an access log tells what drives its requests, further
// indicators as smaller stats (the first Prometheus one among those an
// 80-column screen shows), then log and timeline, then the top talkers.
func DefaultLayout(s *sources.Snapshot) LayoutConfig {
	var c LayoutConfig
	c.Rows = append(c.Rows, RowConfig{Panes: []PaneConfig{{Kind: KindHeader}}})
	if s == nil {
		return c
	}
	var key, rest []PaneConfig
	var charts []PaneConfig
	driven := false
	for _, in := range s.Indicators {
		p := PaneConfig{Kind: KindStat, Indicator: in.Name}
		if in.Key {
			key = append(key, p)
			charts = append(charts, PaneConfig{Kind: KindChart, Indicators: []string{in.Name}})
		} else {
			rest = append(rest, p)
		}
		driven = driven || in.Driver != nil
	}
	if len(key) > 0 {
		c.Rows = append(c.Rows, RowConfig{Height: 1, Panes: key})
	}
	if driven {
		c.Rows = append(c.Rows, RowConfig{Height: 1, Panes: []PaneConfig{{Kind: KindWhere}}})
	}
	promEarly(rest)
	if len(rest) > 0 {
		c.Rows = append(c.Rows, RowConfig{Height: 1, Panes: rest})
	}
	if len(charts) > 0 {
		c.Rows = append(c.Rows, RowConfig{Height: 4, Panes: charts})
	}
	var mid []PaneConfig
	for _, l := range s.Logs {
		mid = append(mid, PaneConfig{Kind: KindLog, Source: l.Source, Weight: 3})
	}
	mid = append(mid, PaneConfig{Kind: KindTimeline, Weight: 2})
	c.Rows = append(c.Rows, RowConfig{Height: 2, Panes: mid})
	var tops []PaneConfig
	for _, t := range s.Tops {
		tops = append(tops, PaneConfig{Kind: KindTop, Table: t.Title})
	}
	if len(tops) > 0 {
		c.Rows = append(c.Rows, RowConfig{Height: 2, Panes: tops})
	}
	c.Rows = append(c.Rows, RowConfig{Panes: []PaneConfig{{Kind: KindStatus}}})
	return c
}

// narrowW is the width the default layout is made to read at: half a
// screen, a tmux split, 80 columns.
const narrowW = 80

// promEarly moves the first Prometheus stat (prom.*) of a row to its third
// place when it would otherwise sit past what a row of narrowW columns
// shows, after a run of access-log group stats: with Prometheus queries
// configured, one of them is on an 80-column screen.
func promEarly(row []PaneConfig) {
	fit := narrowW / registry[KindStat].minW
	i := slices.IndexFunc(row, func(p PaneConfig) bool { return strings.HasPrefix(p.Indicator, "prom.") })
	if to := min(2, fit-1); i >= fit && to >= 0 {
		p := row[i]
		copy(row[to+1:i+1], row[to:i])
		row[to] = p
	}
}

// shapeKey identifies what a default layout was derived from, so the panes
// are rebuilt only when the snapshot's shape changes (an indicator or log
// source appears, an indicator becomes key or gets a driver), not on
// every tick.
func shapeKey(s *sources.Snapshot) string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	for _, in := range s.Indicators {
		b.WriteString(in.Name)
		if in.Key {
			b.WriteByte(2)
		}
		if in.Driver != nil {
			b.WriteByte(3)
		}
		b.WriteByte(0)
	}
	b.WriteByte(1)
	for _, l := range s.Logs {
		b.WriteString(l.Source)
		b.WriteByte(0)
	}
	b.WriteByte(1)
	for _, t := range s.Tops {
		b.WriteString(t.Title)
		b.WriteByte(0)
	}
	return b.String()
}
