package applog

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
	"warroom/sources/tail"
)

// SourceConfig is one application/error-log source under `app_logs:`.
type SourceConfig struct {
	Name      string          `yaml:"name"`
	Paths     []string        `yaml:"paths"`
	Command   []string        `yaml:"command"`
	Start     string          `yaml:"start"`
	Packs     []string        `yaml:"packs"`
	Patterns  []PatternConfig `yaml:"patterns"`
	Keep      int             `yaml:"keep"`
	Retention model.Duration  `yaml:"retention"`
	// TimeZone (IANA) reads timestamps that carry no zone, as Node's and
	// Java's loggers often write them; default this machine's zone. Set it
	// when the log comes from a server in another zone (a command over
	// ssh), or its errors land hours away from now and are never counted
	// in the last minute.
	TimeZone string `yaml:"time_zone"`
}

// PatternConfig is a user-defined pattern.
type PatternConfig struct {
	Name      string `yaml:"name"`
	Substring string `yaml:"substring"`
	Regexp    string `yaml:"regexp"`
	Literal   string `yaml:"literal"` // prefilter for the regexp; derived when empty
}

// DefaultSourceConfig is applied before decoding.
var DefaultSourceConfig = SourceConfig{
	Name:      "app",
	Start:     "end",
	Packs:     []string{"db"},
	Keep:      200,
	Retention: model.Duration(24 * time.Hour),
}

// UnmarshalYAML applies defaults, decodes strictly and validates.
func (c *SourceConfig) UnmarshalYAML(n *yaml.Node) error {
	*c = DefaultSourceConfig
	c.Packs = append([]string(nil), DefaultSourceConfig.Packs...)
	type plain SourceConfig
	if err := config.Decode(n, (*plain)(c)); err != nil {
		return err
	}
	return c.validate(n)
}

// Validate checks a config built in code.
func (c *SourceConfig) Validate() error { return c.validate(nil) }

func (c *SourceConfig) validate(n *yaml.Node) error {
	at := func(f string) *yaml.Node { return config.FieldNode(n, f) }
	if err := tail.CheckInput(n, c.Name, c.Paths, c.Command, c.Start); err != nil {
		return err
	}
	if c.Keep < 1 || c.Keep > 10000 {
		return config.Errorf(at("keep"), "keep", "must be between 1 and 10000, got %d", c.Keep)
	}
	if time.Duration(c.Retention) < time.Minute || time.Duration(c.Retention) > 7*24*time.Hour {
		return config.Errorf(at("retention"), "retention", "must be between 1m and 7d")
	}
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			return config.Errorf(at("time_zone"), "time_zone", "unknown time zone %q (want an IANA name like Asia/Shanghai)", c.TimeZone)
		}
	}
	for i, pk := range c.Packs {
		if _, ok := Packs[pk]; !ok {
			return config.Errorf(at("packs"), fmt.Sprintf("packs[%d]", i), "unknown pack %q (known: db, upstream)", pk)
		}
	}
	if _, err := New(c.Options(nil)); err != nil {
		field := "patterns"
		pn := at("patterns")
		for i, p := range c.Patterns {
			if strings.Contains(err.Error(), fmt.Sprintf("%q", p.Name)) {
				field = fmt.Sprintf("patterns[%d]", i)
				if pn != nil && pn.Kind == yaml.SequenceNode && i < len(pn.Content) {
					pn = pn.Content[i]
				}
				break
			}
		}
		return config.Errorf(pn, field, "%s", strings.TrimPrefix(err.Error(), "applog: "+c.Name+": "))
	}
	return nil
}

// Options turns the config into watcher options.
func (c *SourceConfig) Options(now func() time.Time) Options {
	o := Options{Name: c.Name, Packs: c.Packs, Keep: c.Keep, Seconds: int(time.Duration(c.Retention) / time.Second), Now: now}
	if c.TimeZone != "" {
		o.Location, _ = time.LoadLocation(c.TimeZone) // validated
	}
	for _, p := range c.Patterns {
		o.Patterns = append(o.Patterns, Pattern{Name: p.Name, Substring: p.Substring, Regexp: p.Regexp, Literal: p.Literal})
	}
	return o
}
