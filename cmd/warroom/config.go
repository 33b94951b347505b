package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
	"warroom/sources/nginx"
)

// Config is the whole warroom.yaml. Each section's type lives in the package
// that uses it and validates itself; this type only assembles them.
type Config struct {
	Refresh    model.Duration       `yaml:"refresh"`
	AccessLogs []nginx.SourceConfig `yaml:"access_logs"`
}

// DefaultConfig is applied before decoding.
var DefaultConfig = Config{Refresh: model.Duration(time.Second)}

// UnmarshalYAML applies defaults, decodes strictly and validates.
func (c *Config) UnmarshalYAML(n *yaml.Node) error {
	*c = DefaultConfig
	type plain Config
	if err := config.Decode(n, (*plain)(c)); err != nil {
		return err
	}
	if c.Refresh < model.Duration(100*time.Millisecond) || c.Refresh > model.Duration(time.Minute) {
		return config.Errorf(config.FieldNode(n, "refresh"), "refresh", "must be between 100ms and 1m, got %s", c.Refresh)
	}
	names := map[string]bool{}
	for i, s := range c.AccessLogs {
		if names[s.Name] {
			return config.Errorf(config.FieldNode(n, "access_logs"), fmt.Sprintf("access_logs[%d].name", i), "duplicate source name %q", s.Name)
		}
		names[s.Name] = true
	}
	return nil
}

// loadConfig reads and validates a config file; errors name the file.
func loadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := parseConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func parseConfig(r io.Reader) (*Config, error) {
	c := DefaultConfig
	if err := config.Load(r, &c); err != nil {
		return nil, err
	}
	return &c, nil
}
