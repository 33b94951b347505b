package nginx

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
	"warroom/sources/tail"
)

// SourceConfig is one access-log source under `access_logs:`.
type SourceConfig struct {
	Name      string          `yaml:"name"`    // indicator prefix, default "nginx"
	Paths     []string        `yaml:"paths"`   // files or globs
	Command   []string        `yaml:"command"` // or: follow this command's stdout
	Start     string          `yaml:"start"`   // end | beginning | a duration like 30m
	Format    string          `yaml:"format"`  // auto (detect), builtin name, log_format statement or format string
	Client    string          `yaml:"client"`  // remote_addr | x_forwarded_for | x_real_ip
	Slow      model.Duration  `yaml:"slow"`
	Groups    []GroupConfig   `yaml:"groups"`
	Retention RetentionConfig `yaml:"retention"`

	format *Format
	client ClientField
}

// GroupConfig is a path group: requests whose path (without query) has the
// prefix, or matches the glob, count in the group's own series.
type GroupConfig struct {
	Name   string         `yaml:"name"`
	Prefix string         `yaml:"prefix"`
	Glob   string         `yaml:"glob"`
	Slow   model.Duration `yaml:"slow"`
}

// RetentionConfig bounds memory: how long each resolution is kept.
type RetentionConfig struct {
	Seconds model.Duration `yaml:"seconds"` // at 1 s (default 24h)
	Minutes model.Duration `yaml:"minutes"` // at 1 min (default 7d)
	Detail  model.Duration `yaml:"detail"`  // latency histograms, distinct IPs (default 6h); top talkers a day, or this when longer
}

// DefaultSourceConfig is applied before decoding.
var DefaultSourceConfig = SourceConfig{
	Name:   "nginx",
	Start:  "end",
	Format: "auto",
	Client: "remote_addr",
	Slow:   model.Duration(time.Second),
	Retention: RetentionConfig{
		Seconds: model.Duration(24 * time.Hour),
		Minutes: model.Duration(7 * 24 * time.Hour),
		Detail:  model.Duration(6 * time.Hour),
	},
}

// UnmarshalYAML applies defaults, decodes strictly and validates.
func (c *SourceConfig) UnmarshalYAML(n *yaml.Node) error {
	*c = DefaultSourceConfig
	type plain SourceConfig
	if err := config.Decode(n, (*plain)(c)); err != nil {
		return err
	}
	return c.validate(n)
}

// Validate checks a config built in code (flags) rather than decoded.
func (c *SourceConfig) Validate() error { return c.validate(nil) }

func (c *SourceConfig) validate(n *yaml.Node) error {
	at := func(field string) *yaml.Node { return config.FieldNode(n, field) }
	if err := tail.CheckInput(n, c.Name, c.Paths, c.Command, c.Start); err != nil {
		return err
	}
	c.format = nil
	if !c.AutoFormat() {
		f, err := CompileFormat(c.Format)
		if err != nil {
			return config.Errorf(statementLine(at("format"), err), "format", "%v", err)
		}
		c.format = f
	}
	switch c.Client {
	case "remote_addr", "":
		c.client = ClientRemoteAddr
	case "x_forwarded_for":
		c.client = ClientXFF
	case "x_real_ip":
		c.client = ClientXRealIP
	default:
		return config.Errorf(at("client"), "client", "want remote_addr, x_forwarded_for or x_real_ip, got %q", c.Client)
	}
	if c.Slow <= 0 {
		return config.Errorf(at("slow"), "slow", "must be positive")
	}
	if err := ValidateGroups(n, c.Groups); err != nil {
		return err
	}
	r := c.Retention
	if time.Duration(r.Seconds) < time.Minute || time.Duration(r.Minutes) < time.Hour || time.Duration(r.Detail) < time.Minute {
		return config.Errorf(at("retention"), "retention", "seconds ≥ 1m, minutes ≥ 1h, detail ≥ 1m")
	}
	if time.Duration(r.Seconds) > 7*24*time.Hour || time.Duration(r.Minutes) > 90*24*time.Hour || time.Duration(r.Detail) > 7*24*time.Hour {
		return config.Errorf(at("retention"), "retention", "too long (seconds ≤ 7d, minutes ≤ 90d, detail ≤ 7d): memory is bounded by these")
	}
	return nil
}

// ValidateGroups checks path groups as an access log's: each named (no
// spaces or dots: the name is part of indicator names), once, with one
// of prefix or glob, a prefix without '?'. n is the node holding the `groups:` key, for line
// numbers (nil: none). It serves whatever else counts requests by path
// group (a VictoriaLogs access stream), so both read the same groups.
func ValidateGroups(n *yaml.Node, groups []GroupConfig) error {
	seen := map[string]bool{}
	for i, g := range groups {
		gn := n
		if gs := config.FieldNode(n, "groups"); gs != nil && gs.Kind == yaml.SequenceNode && i < len(gs.Content) {
			gn = gs.Content[i]
		}
		field := fmt.Sprintf("groups[%d]", i)
		switch {
		case g.Name == "" || strings.ContainsAny(g.Name, " .\t"):
			return config.Errorf(gn, field+".name", "must be non-empty without spaces or dots, got %q", g.Name)
		case seen[g.Name]:
			return config.Errorf(gn, field+".name", "duplicate group %q", g.Name)
		case (g.Prefix == "") == (g.Glob == ""):
			return config.Errorf(gn, field, "group %q: give exactly one of prefix or glob", g.Name)
		case strings.Contains(g.Prefix, "?"):
			// the path is matched without its query: such a group
			// would count nothing, silently
			return config.Errorf(config.FieldNode(gn, "prefix"), field+".prefix", "group %q: prefix %q has a '?', but paths are matched without their query", g.Name, g.Prefix)
		case g.Slow < 0:
			return config.Errorf(config.FieldNode(gn, "slow"), field+".slow", "group %q: must not be negative", g.Name)
		}
		seen[g.Name] = true
	}
	return nil
}

// statementLine points an error inside a pasted statement at the file's
// line that holds it: a statement's line 3 in a `format: |` block is three
// lines below the key.
func statementLine(n *yaml.Node, err error) *yaml.Node {
	var se *specError
	if n == nil || !errors.As(err, &se) || se.line == 0 {
		return n
	}
	line := n.Line + se.line - 1
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		line++ // the block's text starts below its | or >
	}
	return &yaml.Node{Line: line}
}

// Warnings are what a valid config cannot measure with its format, for
// `warroom check`: no time, no $request_time, or no variable for the
// client it names (the parser then falls back to $remote_addr, so top
// talkers would silently be the proxy's address).
func (c *SourceConfig) Warnings() []string {
	return FormatWarnings(c.format, c.Client, c.Start)
}

// AutoFormat reports whether the format is to be detected from the log.
func (c *SourceConfig) AutoFormat() bool {
	s := strings.TrimSpace(c.Format)
	return s == "" || s == "auto"
}

// FormatWarnings are what format f cannot measure for a source whose
// client is the named variable (remote_addr, x_forwarded_for, x_real_ip)
// and that starts at start.
func FormatWarnings(f *Format, client, start string) []string {
	if f == nil {
		return nil
	}
	var out []string
	if !f.HasTime() {
		msg := "no $time_local, $time_iso8601 or $msec: lines are counted when they are read"
		if st, err := tail.ParseStart(start); err == nil && st.Kind != tail.StartEnd {
			// history read back would all land in the second it is read
			msg += fmt.Sprintf(", so the log is followed from its end (start %s cannot look back)", st)
		}
		out = append(out, msg+"; it cannot be replayed")
	}
	if !f.HasRequestTime() {
		out = append(out, "no $request_time: slow ratio and latency cannot be measured")
	}
	has := map[string]bool{}
	for _, v := range f.Variables() {
		has[v] = true
	}
	want := map[string]string{"x_forwarded_for": "http_x_forwarded_for", "x_real_ip": "http_x_real_ip"}[client]
	switch {
	case want != "" && !has[want] && has["remote_addr"]:
		out = append(out, fmt.Sprintf("client %s but no $%s: clients are counted by $remote_addr (add $%s to the log_format, or set client: remote_addr)", client, want, want))
	case want != "" && !has[want]:
		out = append(out, fmt.Sprintf("client %s but no $%s (nor $remote_addr): top talkers and distinct IPs cannot be counted", client, want))
	case want == "" && !has["remote_addr"]:
		out = append(out, "client remote_addr but no $remote_addr: top talkers and distinct IPs cannot be counted (set client to the variable the format has)")
	}
	return out
}

// CompiledFormat is the format compiled by Validate; nil when it is to be
// detected (AutoFormat).
func (c *SourceConfig) CompiledFormat() *Format { return c.format }

// AggregatorOptions turns the config into aggregator options.
func (c *SourceConfig) AggregatorOptions() Options {
	o := Options{
		Format:        c.format,
		Client:        c.client,
		Slow:          time.Duration(c.Slow),
		Seconds:       int(time.Duration(c.Retention.Seconds) / time.Second),
		Minutes:       int(time.Duration(c.Retention.Minutes) / time.Minute),
		DetailMinutes: int(time.Duration(c.Retention.Detail) / time.Minute),
	}
	for _, g := range c.Groups {
		o.Groups = append(o.Groups, Group{Name: g.Name, Prefix: g.Prefix, Glob: g.Glob, Slow: time.Duration(g.Slow)})
	}
	return o
}
