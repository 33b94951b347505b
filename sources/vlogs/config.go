package vlogs

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	promcfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	yaml2 "go.yaml.in/yaml/v2"
	"go.yaml.in/yaml/v3"

	"warroom/sources/applog"
	"warroom/sources/config"
	"warroom/sources/nginx"
)

// Config is the `victorialogs:` section of warroom.yaml.
type Config struct {
	Servers []ServerConfig `yaml:"servers"`
	Streams []StreamConfig `yaml:"streams"`
}

// ServerConfig is one VictoriaLogs HTTP endpoint. Its HTTP settings are
// prometheus/common's HTTPClientConfig inlined, as for Prometheus servers:
// basic_auth, authorization, tls_config, proxy_url, http_headers (a
// multi-tenant VictoriaLogs reads AccountID and ProjectID headers) read as
// in prometheus.yml.
type ServerConfig struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// Timeout bounds each request (default DefaultTimeout): a server that
	// does not answer within it is unreachable.
	Timeout model.Duration           `yaml:"timeout"`
	HTTP    promcfg.HTTPClientConfig `yaml:",inline"`
}

// Kind is what a stream's lines are.
type Kind string

const (
	KindAccess Kind = "access" // one line per request: status, request time, path, client, host
	KindApp    Kind = "app"    // application or error log lines, matched by patterns
)

// StreamConfig is one set of lines in VictoriaLogs, selected by a LogsQL
// filter, read as an access log or an application log.
type StreamConfig struct {
	Name   string `yaml:"name"`   // indicator prefix
	Server string `yaml:"server"` // default: the first server
	Filter string `yaml:"filter"` // LogsQL filter, e.g. app:=nginx
	Kind   Kind   `yaml:"kind"`   // default access

	// access streams
	Fields Fields         `yaml:"fields"`
	Slow   model.Duration `yaml:"slow"` // a request is slow when request_time > slow (default 1s)
	// Format, when set, is the log_format (a statement or builtin name,
	// as an access log's) of raw nginx lines shipped whole in _msg: the
	// fields are read from them (see rawformat.go). Client then says
	// which variable is the client, as an access log's client does.
	Format string `yaml:"format"`
	Client string `yaml:"client"`
	raw    string // the pipes reading a raw line's fields (compileRaw); "" without a format
	// Groups are path groups as an access log's: each counted in its
	// own indicators (<name>.<group>.qps, ...), a request in the first
	// it matches.
	Groups []nginx.GroupConfig `yaml:"groups"`

	// app streams
	Packs    []string        `yaml:"packs"` // default [db]
	Patterns []PatternConfig `yaml:"patterns"`
	Keep     int             `yaml:"keep"` // latest matching lines shown (default 50)
}

// Fields names the log fields an access stream's lines carry.
type Fields struct {
	Status      string `yaml:"status"`       // HTTP status code
	RequestTime string `yaml:"request_time"` // seconds, as nginx's $request_time
	Path        string `yaml:"path"`         // request path (the query is dropped for the top tables)
	Client      string `yaml:"client"`       // client address
	Host        string `yaml:"host"`         // the machine the line came from (an app stream's only field)
}

// DefaultFields are the field names of a JSON nginx log_format shipped
// with the machine's name in `host` (the usual stream field).
var DefaultFields = Fields{Status: "status", RequestTime: "request_time", Path: "path", Client: "remote_addr", Host: "host"}

// PatternConfig is an app stream's own pattern: a substring or a regexp
// (RE2, as VictoriaLogs and Go read it) of the message.
type PatternConfig struct {
	Name      string `yaml:"name"`
	Substring string `yaml:"substring"`
	Regexp    string `yaml:"regexp"`
}

// Defaults.
const (
	DefaultTimeout = 5 * time.Second
	DefaultKeep    = 50
	MaxKeep        = 1000
)

// UnmarshalYAML decodes strictly, applies defaults and validates.
func (c *Config) UnmarshalYAML(n *yaml.Node) error {
	*c = Config{}
	type plain Config
	if err := config.Decode(n, (*plain)(c)); err != nil {
		return err
	}
	c.applyDefaults()
	return c.validate(n)
}

// UnmarshalYAML decodes one server entry (http_headers on its own, see
// config.DecodeHTTP).
func (s *ServerConfig) UnmarshalYAML(n *yaml.Node) error {
	*s = ServerConfig{HTTP: promcfg.DefaultHTTPClientConfig}
	type plain ServerConfig
	if err := config.DecodeHTTP(n, (*plain)(s), &s.HTTP); err != nil {
		return err
	}
	if err := s.validate(n); err != nil {
		return err
	}
	return config.ValidateHTTP(n, &s.HTTP, fmt.Sprintf("server %q", s.Name))
}

// UnmarshalYAML decodes one stream entry with its defaults; its server
// is checked by Config.
func (s *StreamConfig) UnmarshalYAML(n *yaml.Node) error {
	*s = StreamConfig{}
	type plain StreamConfig
	if err := config.Decode(n, (*plain)(s)); err != nil {
		return err
	}
	s.applyDefaults()
	if err := s.validate(n); err != nil {
		var ce *config.Error
		if errors.As(err, &ce) && s.Name != "" && ce.Field != "name" {
			// which stream, when the line alone does not say
			return &config.Error{Line: ce.Line, Field: ce.Field, Err: fmt.Errorf("stream %q: %w", s.Name, ce.Err)}
		}
		return err
	}
	return nil
}

func (c *Config) applyDefaults() {
	for i := range c.Servers {
		if c.Servers[i].Timeout == 0 {
			c.Servers[i].Timeout = model.Duration(DefaultTimeout)
		}
	}
	for i := range c.Streams {
		c.Streams[i].applyDefaults()
		if c.Streams[i].Server == "" && len(c.Servers) > 0 {
			c.Streams[i].Server = c.Servers[0].Name
		}
	}
}

// applyDefaults fills an access stream's fields and slow; an app
// stream's are filled by validate.
func (s *StreamConfig) applyDefaults() {
	if s.Kind == "" {
		s.Kind = KindAccess
	}
	if s.Kind != KindAccess {
		return
	}
	d := DefaultFields
	if strings.TrimSpace(s.Format) != "" {
		d = Fields{Host: d.Host} // the others are read from the raw line
	}
	for _, f := range []struct {
		got *string
		def string
	}{
		{&s.Fields.Status, d.Status}, {&s.Fields.RequestTime, d.RequestTime}, {&s.Fields.Path, d.Path},
		{&s.Fields.Client, d.Client}, {&s.Fields.Host, d.Host},
	} {
		if *f.got == "" {
			*f.got = f.def
		}
	}
	if s.Slow == 0 {
		s.Slow = model.Duration(time.Second)
	}
}

// appDefaults fills an app stream's packs (packs: [] is none) and keep;
// called by validate, once the kind is known.
func (s *StreamConfig) appDefaults() {
	if s.Packs == nil {
		s.Packs = []string{"db"}
	}
	if s.Keep == 0 {
		s.Keep = DefaultKeep
	}
	if s.Fields.Host == "" {
		s.Fields.Host = DefaultFields.Host
	}
}

// Validate checks the whole section; errors carry no line numbers (use it
// for configs built in code).
func (c *Config) Validate() error {
	c.applyDefaults()
	return c.validate(nil)
}

func (c *Config) validate(n *yaml.Node) error {
	names := map[string]bool{}
	for i := range c.Servers {
		s := &c.Servers[i]
		at := config.ItemNode(n, "servers", i)
		field := func(f string) string { return fmt.Sprintf("servers[%d].%s", i, f) }
		if err := s.validate(at); err != nil {
			var ce *config.Error
			if errors.As(err, &ce) {
				return &config.Error{Line: ce.Line, Field: "servers[" + fmt.Sprint(i) + "]." + ce.Field, Err: ce.Err}
			}
			return err
		}
		if names[s.Name] {
			return config.Errorf(config.FieldNode(at, "name"), field("name"), "duplicate server name %q", s.Name)
		}
		names[s.Name] = true
	}
	if len(c.Streams) > 0 && len(c.Servers) == 0 {
		return config.Errorf(config.FieldNode(n, "servers"), "servers", "streams need at least one server")
	}
	seen := map[string]bool{}
	for i := range c.Streams {
		s := &c.Streams[i]
		at := config.ItemNode(n, "streams", i)
		field := func(f string) string { return fmt.Sprintf("streams[%d].%s", i, f) }
		if err := s.validate(at); err != nil {
			var ce *config.Error
			if errors.As(err, &ce) {
				line := ce.Line
				if line == 0 && at != nil {
					line = at.Line
				}
				return &config.Error{Line: line, Field: field(ce.Field), Err: ce.Err}
			}
			return err
		}
		if seen[s.Name] {
			return config.Errorf(config.FieldNode(at, "name"), field("name"), "duplicate stream name %q", s.Name)
		}
		seen[s.Name] = true
		if !names[s.Server] {
			return config.Errorf(config.FieldNode(at, "server"), field("server"), "unknown server %q (known: %s)", s.Server, strings.Join(serverNames(c.Servers), ", "))
		}
	}
	return nil
}

func (s *ServerConfig) validate(n *yaml.Node) error {
	at := func(f string) *yaml.Node { return config.FieldNode(n, f) }
	if s.Name == "" {
		return config.Errorf(at("name"), "name", "must not be empty")
	}
	if err := validateURL(s.URL); err != nil {
		return config.Errorf(at("url"), "url", "%v", err)
	}
	if s.Timeout < 0 || time.Duration(s.Timeout) > time.Minute {
		return config.Errorf(at("timeout"), "timeout", "must be between 0 (the default, %s) and 1m, got %s", DefaultTimeout, s.Timeout)
	}
	return nil
}

// nameRE is what an indicator prefix may be: it is followed by .qps.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (s *StreamConfig) validate(n *yaml.Node) error {
	at := func(f string) *yaml.Node { return config.FieldNode(n, f) }
	switch {
	case !nameRE.MatchString(s.Name):
		return config.Errorf(at("name"), "name", "must be letters, digits, _ or - (it prefixes the indicators), got %q", s.Name)
	case s.Name == "prom":
		return config.Errorf(at("name"), "name", `"prom" is the Prometheus queries' prefix`)
	case strings.TrimSpace(s.Filter) == "":
		return config.Errorf(at("filter"), "filter", "must not be empty: a LogsQL filter selecting the stream's lines, e.g. app:=nginx (* for all)")
	}
	if err := checkFilter(s.Filter); err != nil {
		return config.Errorf(at("filter"), "filter", "%v", err)
	}
	switch s.Kind {
	case KindAccess:
		if len(s.Packs) > 0 || len(s.Patterns) > 0 || s.Keep != 0 {
			f := "packs"
			if len(s.Patterns) > 0 {
				f = "patterns"
			} else if s.Keep != 0 {
				f = "keep"
			}
			return config.Errorf(at(f), f, "only app streams have %s (this one is kind access)", f)
		}
		if s.Slow <= 0 {
			return config.Errorf(at("slow"), "slow", "must be positive")
		}
		if err := s.compileRaw(n); err != nil {
			return err
		}
		fn := at("fields")
		for _, f := range []struct{ name, v string }{
			{"status", s.Fields.Status}, {"request_time", s.Fields.RequestTime}, {"path", s.Fields.Path},
			{"client", s.Fields.Client}, {"host", s.Fields.Host},
		} {
			if strings.TrimSpace(f.v) == "" || strings.ContainsAny(f.v, "\x00\n\r") {
				return config.Errorf(config.FieldNode(fn, f.name), "fields."+f.name, "must be a field name, got %q", f.v)
			}
		}
		if err := nginx.ValidateGroups(n, s.Groups); err != nil {
			return err
		}
	case KindApp:
		if s.Slow != 0 {
			return config.Errorf(at("slow"), "slow", "only access streams have slow (this one is kind app)")
		}
		if s.Format != "" || s.Client != "" {
			f := "format"
			if s.Format == "" {
				f = "client"
			}
			return config.Errorf(at(f), f, "only access streams have %s (this one is kind app)", f)
		}
		if len(s.Groups) > 0 {
			return config.Errorf(at("groups"), "groups", "only access streams have groups (this one is kind app)")
		}
		if f := s.Fields; f.Status != "" || f.RequestTime != "" || f.Path != "" || f.Client != "" {
			return config.Errorf(at("fields"), "fields", "an app stream's lines have only a host field (status, request_time, path and client are an access stream's)")
		}
		s.appDefaults()
		if s.Keep < 1 || s.Keep > MaxKeep {
			return config.Errorf(at("keep"), "keep", "must be between 1 and %d, got %d", MaxKeep, s.Keep)
		}
		for i, pk := range s.Packs {
			if _, ok := applog.Packs[pk]; !ok {
				return config.Errorf(at("packs"), fmt.Sprintf("packs[%d]", i), "unknown pack %q (known: db, upstream)", pk)
			}
			if slices.Contains(s.Packs[:i], pk) {
				return config.Errorf(at("packs"), fmt.Sprintf("packs[%d]", i), "pack %q given twice", pk)
			}
		}
		if _, err := compilePatterns(s.Packs, s.Patterns); err != nil {
			var pe *patternError
			if errors.As(err, &pe) && pe.own >= 0 {
				return config.Errorf(config.ItemNode(n, "patterns", pe.own), fmt.Sprintf("patterns[%d]", pe.own), "%v", pe.err)
			}
			if len(s.Patterns) == 0 {
				return config.Errorf(at("packs"), "packs", "%v", err)
			}
			return config.Errorf(at("patterns"), "patterns", "%v", err)
		}
	default:
		return config.Errorf(at("kind"), "kind", "%q is not one of access, app", s.Kind)
	}
	return nil
}

// checkFilter refuses what would not stay a filter once pipes are added
// after it: a pipe or a comment outside quotes, an open quote or
// parenthesis. The server judges the rest (and says why at the first
// poll).
func checkFilter(f string) error {
	depth := 0
	var quote rune
	esc := false
	for _, r := range f {
		switch {
		case quote != 0:
			switch {
			case esc:
				esc = false
			case r == '\\' && quote != '`':
				esc = true
			case r == quote:
				quote = 0
			}
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return errors.New("a ) without its (")
			}
		case r == '|':
			return errors.New("a filter, not a query: no pipes (|) outside quotes")
		case r == '#':
			return errors.New("no comments (#) outside quotes: the pipes warroom adds would be commented out")
		}
	}
	switch {
	case quote != 0:
		return fmt.Errorf("unterminated %c quote", quote)
	case depth > 0:
		return errors.New("a ( without its )")
	}
	return nil
}

func validateURL(raw string) error { return config.ValidateURL(raw) }

// SetDirectory resolves relative file paths (password_file, ca_file, ...)
// against dir, normally the config file's directory.
func (c *Config) SetDirectory(dir string) {
	for i := range c.Servers {
		c.Servers[i].HTTP.SetDirectory(dir)
	}
}

// String shows the server without secrets: the URL's password is redacted
// and Secret fields marshal as <secret>.
func (s ServerConfig) String() string {
	b, err := yaml2.Marshal(s.HTTP)
	if err != nil {
		b = []byte("<unprintable>")
	}
	return fmt.Sprintf("server %q url=%s timeout=%s\n%s", s.Name, config.RedactURL(s.URL), s.Timeout, strings.TrimSpace(string(b)))
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
	for _, s := range c.Streams {
		fmt.Fprintf(&b, "stream %q server=%q kind=%s filter=%q\n", s.Name, s.Server, s.Kind, s.Filter)
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
