package prom

import (
	"fmt"
	"slices"
	"strings"
	"time"

	promcfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	yaml2 "go.yaml.in/yaml/v2"
	"go.yaml.in/yaml/v3"

	"warroom/sources"
	"warroom/sources/config"
)

// Kind says how a query is evaluated and shown.
type Kind string

const (
	KindInstant Kind = "instant" // one number per series, evaluated at "now"
	KindRange   Kind = "range"   // a chart over the window
)

// DefaultMaxSeries is how many series a query keeps when max_series is unset.
const DefaultMaxSeries = 10

// Config is the `prometheus:` section of warroom.yaml.
type Config struct {
	Servers []ServerConfig `yaml:"servers"`
	Queries []QueryConfig  `yaml:"queries"`
	// Presets read a fleet's nginx metrics as an access log's indicators
	// (see PresetConfig); their queries join Queries once the section is
	// read (or New is called).
	Presets []PresetConfig `yaml:"presets"`
}

// ServerConfig is one Prometheus-compatible HTTP API endpoint. Its HTTP
// settings are prometheus/common's HTTPClientConfig inlined, so blocks such
// as basic_auth, authorization, oauth2, tls_config, proxy_url, http_headers
// and follow_redirects read exactly as in prometheus.yml.
type ServerConfig struct {
	Name string                   `yaml:"name"`
	URL  string                   `yaml:"url"`
	HTTP promcfg.HTTPClientConfig `yaml:",inline"`
}

// QueryConfig is one PromQL expression the dashboard shows.
type QueryConfig struct {
	Name   string `yaml:"name"`
	Expr   string `yaml:"expr"`
	Server string `yaml:"server"` // default: the first server
	Kind   Kind   `yaml:"kind"`   // default: instant
	// Interval between evaluations; zero means the global refresh, which
	// the caller passes in Options.Refresh.
	Interval  model.Duration `yaml:"interval"`
	Legend    string         `yaml:"legend"` // Grafana-style "{{instance}} {{code}}"
	Unit      sources.Unit   `yaml:"unit"`
	MaxSeries int            `yaml:"max_series"`

	// Set by presets, never read from YAML: the indicator's name and
	// title (instead of prom.<name> and the name), whether it is a key
	// indicator, and the preset it came from. A Hidden query is no
	// indicator: it fills Column of the table titled Table, a row per
	// series (its legend is the row's key), or it is one of the preset's
	// exporter checks (Check: CheckUp or CheckSeries; see Exporters).
	Indicator, Title string `yaml:"-"`
	Key              bool   `yaml:"-"`
	Preset           string `yaml:"-"`
	Hidden           bool   `yaml:"-"`
	Table, Column    string `yaml:"-"`
	Check            string `yaml:"-"`
}

// IndicatorName is the indicator the query gives: prom.<name>, or a
// preset's own (nginx.qps).
func (q QueryConfig) IndicatorName() string {
	if q.Indicator != "" {
		return q.Indicator
	}
	return "prom." + q.Name
}

// UnmarshalYAML decodes strictly, applies defaults and validates.
func (c *Config) UnmarshalYAML(n *yaml.Node) error {
	*c = Config{}
	type plain Config
	if err := config.Decode(n, (*plain)(c)); err != nil {
		return err
	}
	c.applyDefaults()
	if err := c.validate(n); err != nil {
		return err
	}
	return c.expand(n)
}

// expand checks the presets and adds their queries, once.
func (c *Config) expand(n *yaml.Node) error {
	servers := map[string]bool{}
	for _, s := range c.Servers {
		servers[s.Name] = true
	}
	names := map[string]bool{}
	for _, q := range c.Queries {
		names[q.Name] = true
	}
	for i := range c.Presets {
		p := &c.Presets[i]
		p.applyDefaults(c.Servers)
		at := config.ItemNode(n, "presets", i)
		if err := p.validate(at, servers); err != nil {
			if node := orNode(at, n); node != nil {
				return config.At(node, err)
			}
			return err
		}
		qs := p.queries()
		if names[qs[0].Name] && slicesContainsPreset(c.Queries, p.Name) {
			continue // added already
		}
		for _, q := range qs {
			if names[q.Name] {
				return config.Errorf(config.FieldNode(at, "name"), fmt.Sprintf("presets[%d].name", i), "query %q exists already: give the preset another name", q.Name)
			}
			names[q.Name] = true
		}
		c.Queries = append(c.Queries, qs...)
	}
	return nil
}

func slicesContainsPreset(qs []QueryConfig, preset string) bool {
	for _, q := range qs {
		if q.Preset == preset {
			return true
		}
	}
	return false
}

// UnmarshalYAML decodes one server entry. http_headers is decoded on its
// own: prometheus/common keeps it as an inline map, which the strict key
// check in sources/config cannot see through.
func (s *ServerConfig) UnmarshalYAML(n *yaml.Node) error {
	*s = ServerConfig{HTTP: promcfg.DefaultHTTPClientConfig}
	type plain ServerConfig
	if err := config.DecodeHTTP(n, (*plain)(s), &s.HTTP); err != nil {
		return err
	}
	if err := s.validateURL(); err != nil {
		return config.Errorf(config.FieldNode(n, "url"), "url", "%v", err)
	}
	return config.ValidateHTTP(n, &s.HTTP, fmt.Sprintf("server %q", s.Name))
}

// UnmarshalYAML decodes one query entry; cross-references (server names,
// duplicates) are checked by Config.
func (q *QueryConfig) UnmarshalYAML(n *yaml.Node) error {
	*q = QueryConfig{}
	type plain QueryConfig
	if err := config.Decode(n, (*plain)(q)); err != nil {
		if strings.Contains(err.Error(), "duration") {
			return config.At(config.FieldNode(n, "interval"), &config.Error{Field: "interval", Err: err})
		}
		return config.At(n, err)
	}
	q.applyDefaults()
	return config.At(n, q.validate(n))
}

func (c *Config) applyDefaults() {
	for i := range c.Queries {
		c.Queries[i].applyDefaults()
		if c.Queries[i].Server == "" && len(c.Servers) > 0 {
			c.Queries[i].Server = c.Servers[0].Name
		}
	}
}

func (q *QueryConfig) applyDefaults() {
	if q.Kind == "" {
		q.Kind = KindInstant
	}
	if q.Unit == "" {
		q.Unit = sources.UnitCount
	}
	if q.MaxSeries == 0 {
		q.MaxSeries = DefaultMaxSeries
	}
}

// Validate checks the whole section; errors carry no line numbers (use it
// for configs built in code).
func (c *Config) Validate() error { return c.validate(nil) }

func (c *Config) validate(n *yaml.Node) error {
	names := map[string]bool{}
	for i := range c.Servers {
		s := &c.Servers[i]
		at := config.ItemNode(n, "servers", i)
		if s.Name == "" {
			return config.Errorf(config.FieldNode(at, "name"), fmt.Sprintf("servers[%d].name", i), "must not be empty")
		}
		if names[s.Name] {
			return config.Errorf(config.FieldNode(at, "name"), fmt.Sprintf("servers[%d].name", i), "duplicate server name %q", s.Name)
		}
		names[s.Name] = true
		if err := s.validateURL(); err != nil {
			return config.Errorf(config.FieldNode(at, "url"), fmt.Sprintf("servers[%d].url", i), "%v", err)
		}
	}
	if len(c.Queries)+len(c.Presets) > 0 && len(c.Servers) == 0 {
		return config.Errorf(n, "servers", "queries need at least one server")
	}
	seen := map[string]bool{}
	for i := range c.Queries {
		q := &c.Queries[i]
		at := config.ItemNode(n, "queries", i)
		if err := q.validate(at); err != nil {
			if node := orNode(at, n); node != nil {
				return config.At(node, err)
			}
			return err
		}
		field := func(f string) string { return fmt.Sprintf("queries[%d].%s", i, f) }
		if seen[q.Name] {
			return config.Errorf(config.FieldNode(at, "name"), field("name"), "duplicate query name %q", q.Name)
		}
		seen[q.Name] = true
		if !names[q.Server] {
			return config.Errorf(config.FieldNode(at, "server"), field("server"), "unknown server %q (known: %s)", q.Server, strings.Join(serverNames(c.Servers), ", "))
		}
	}
	return nil
}

func (q *QueryConfig) validate(n *yaml.Node) error {
	switch {
	case q.Name == "":
		return config.Errorf(config.FieldNode(n, "name"), "name", "must not be empty")
	case strings.TrimSpace(q.Expr) == "":
		return config.Errorf(config.FieldNode(n, "expr"), "expr", "query %q: must not be empty", q.Name)
	case q.Kind != KindInstant && q.Kind != KindRange:
		return config.Errorf(config.FieldNode(n, "kind"), "kind", "query %q: %q is not one of instant, range", q.Name, q.Kind)
	case !slices.Contains(sources.Units, q.Unit):
		return config.Errorf(config.FieldNode(n, "unit"), "unit", "query %q: %q is not one of %s", q.Name, q.Unit, unitList())
	case q.Interval < 0:
		return config.Errorf(config.FieldNode(n, "interval"), "interval", "query %q: must not be negative", q.Name)
	case q.MaxSeries < 0:
		return config.Errorf(config.FieldNode(n, "max_series"), "max_series", "query %q: must be positive, got %d", q.Name, q.MaxSeries)
	}
	if _, err := parseLegend(q.Legend); err != nil {
		return config.Errorf(config.FieldNode(n, "legend"), "legend", "query %q: %v", q.Name, err)
	}
	return nil
}

func (s *ServerConfig) validateURL() error { return config.ValidateURL(s.URL) }

// SetDirectory resolves relative file paths (password_file, ca_file, ...)
// against dir, normally the config file's directory.
func (c *Config) SetDirectory(dir string) {
	for i := range c.Servers {
		c.Servers[i].HTTP.SetDirectory(dir)
	}
}

// IntervalOr is the query's interval, or refresh when none is configured.
func (q QueryConfig) IntervalOr(refresh time.Duration) time.Duration {
	if q.Interval > 0 {
		return time.Duration(q.Interval)
	}
	return refresh
}

// String shows the server without secrets: the URL's password is redacted
// and Secret fields marshal as <secret>.
func (s ServerConfig) String() string {
	b, err := yaml2.Marshal(s.HTTP)
	if err != nil {
		b = []byte("<unprintable>")
	}
	return fmt.Sprintf("server %q url=%s\n%s", s.Name, config.RedactURL(s.URL), strings.TrimSpace(string(b)))
}

// GoString keeps %#v from printing secrets field by field.
func (s ServerConfig) GoString() string { return s.String() }

// String shows the section without secrets.
func (c Config) String() string {
	var b strings.Builder
	for _, s := range c.Servers {
		b.WriteString(s.String())
		b.WriteByte('\n')
	}
	for _, q := range c.Queries {
		fmt.Fprintf(&b, "query %q server=%q kind=%s unit=%s expr=%q\n", q.Name, q.Server, q.Kind, q.Unit, q.Expr)
	}
	return b.String()
}

// GoString keeps %#v from printing secrets field by field.
func (c Config) GoString() string { return c.String() }

func serverNames(ss []ServerConfig) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name
	}
	return out
}

func unitList() string {
	s := make([]string, len(sources.Units))
	for i, u := range sources.Units {
		s[i] = string(u)
	}
	return strings.Join(s, ", ")
}

func orNode(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}
