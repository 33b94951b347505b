package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"warroom/sources/applog"
	"warroom/sources/collect"
	"warroom/sources/config"
	"warroom/sources/nginx"
	"warroom/sources/notify"
	"warroom/sources/prom"
	"warroom/sources/schedule"
	"warroom/sources/watch"
	"warroom/ui"
	"warroom/ui/units"
)

// Config is the whole warroom.yaml. Each section's type lives in the package
// that uses it and validates itself; this type only assembles them and
// checks what crosses sections (source names, rule indicators). A new
// section is one field here.
type Config struct {
	Refresh    model.Duration        `yaml:"refresh"`
	AccessLogs []nginx.SourceConfig  `yaml:"access_logs"`
	AppLogs    []applog.SourceConfig `yaml:"app_logs"`
	Prometheus prom.Config           `yaml:"prometheus"`
	// The schedule is inline or in a file of the same shape that is
	// reloaded when it changes; not both.
	Schedule     *schedule.Config `yaml:"schedule"`
	ScheduleFile string           `yaml:"schedule_file"`
	Rules        watch.Rules      `yaml:"rules"`
	TimelineFile string           `yaml:"timeline_file"` // JSON lines of transitions, appended
	ReportsDir   string           `yaml:"reports_dir"`
	Notify       notify.Config    `yaml:"notify"`
	Layout       ui.LayoutConfig  `yaml:"layout"`
}

// DefaultConfig is applied before decoding.
var DefaultConfig = Config{Refresh: model.Duration(time.Second), Notify: notify.DefaultConfig}

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
	// a source's name prefixes its indicators, so names are unique across
	// kinds, and "prom" is the Prometheus queries' prefix
	names := map[string]bool{"prom": true}
	for i, s := range c.AccessLogs {
		if names[s.Name] {
			return config.Errorf(config.FieldNode(n, "access_logs"), fmt.Sprintf("access_logs[%d].name", i), "duplicate source name %q", s.Name)
		}
		names[s.Name] = true
	}
	for i, s := range c.AppLogs {
		if names[s.Name] {
			return config.Errorf(config.FieldNode(n, "app_logs"), fmt.Sprintf("app_logs[%d].name", i), "duplicate source name %q", s.Name)
		}
		names[s.Name] = true
	}
	if c.Schedule != nil && c.ScheduleFile != "" {
		return config.Errorf(config.FieldNode(n, "schedule_file"), "schedule_file", "give schedule or schedule_file, not both")
	}
	return c.Rules.CheckIndicators(c.known())
}

// known says which indicators the configured sources provide.
func (c *Config) known() func(string) bool {
	return collect.Known(c.AccessLogs, c.AppLogs, c.Prometheus.Queries)
}

// rules are the user's rules with the built-in ones for key indicators
// that exist.
func (c *Config) rules() watch.Rules {
	return watch.WithDefaultsRenamed(c.Rules, c.known(), c.renameDefault)
}

// renameDefault points the built-in rules (written for sources named
// nginx and app) at the first access log and the first app log, whatever
// their names: those are the key indicators on screen.
func (c *Config) renameDefault(name string) string {
	for _, k := range []struct {
		prefix string
		first  func() (string, bool)
	}{
		{"nginx.", func() (string, bool) {
			if len(c.AccessLogs) == 0 {
				return "", false
			}
			return c.AccessLogs[0].Name, true
		}},
		{"app.", func() (string, bool) {
			if len(c.AppLogs) == 0 {
				return "", false
			}
			return c.AppLogs[0].Name, true
		}},
	} {
		if strings.HasPrefix(name, k.prefix) {
			if src, ok := k.first(); ok {
				return src + "." + strings.TrimPrefix(name, k.prefix)
			}
		}
	}
	return name
}

// setDirectory resolves relative file names against the config file's
// directory, as Prometheus does, so warroom can be started from anywhere.
func (c *Config) setDirectory(dir string) {
	c.Prometheus.SetDirectory(dir)
	c.Notify.SetDirectory(dir)
	files := []*string{&c.ScheduleFile, &c.TimelineFile, &c.ReportsDir}
	for i := range c.AccessLogs {
		for j := range c.AccessLogs[i].Paths {
			files = append(files, &c.AccessLogs[i].Paths[j])
		}
	}
	for i := range c.AppLogs {
		for j := range c.AppLogs[i].Paths {
			files = append(files, &c.AppLogs[i].Paths[j])
		}
	}
	for _, p := range files {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
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
	c.setDirectory(filepath.Dir(path))
	return c, nil
}

func parseConfig(r io.Reader) (*Config, error) {
	c := DefaultConfig
	if err := config.Load(r, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// collectOptions builds every source of the config (no IO yet) into
// collector options: sources, querier, schedule and rules, with the
// refresh and clock. start, when not empty, overrides every log source's
// start position (snapshot, replay). The caller adds its outputs
// (OnTransition, Self) and, when the schedule is in a file, polls the
// returned loader (nil for an inline schedule) on its own ticker.
func (c *Config) collectOptions(now func() time.Time, start string) (collect.Options, *schedule.Loader, error) {
	o := collect.Options{Refresh: time.Duration(c.Refresh), Now: now, Rules: c.rules(), ReportsDir: c.ReportsDir, Format: units.Format}
	for _, sc := range c.AccessLogs {
		if start != "" {
			sc.Start = start
		}
		s, err := nginx.NewSource(sc, now)
		if err != nil {
			return o, nil, err
		}
		o.Nginx = append(o.Nginx, s)
	}
	for _, sc := range c.AppLogs {
		if start != "" {
			sc.Start = start
		}
		s, err := applog.NewSource(sc, now)
		if err != nil {
			return o, nil, err
		}
		o.Apps = append(o.Apps, s)
	}
	if len(c.Prometheus.Queries) > 0 {
		q, err := prom.New(c.Prometheus, prom.Options{Now: now, Refresh: time.Duration(c.Refresh)})
		if err != nil {
			return o, nil, err
		}
		o.Prom = q
	}
	var loader *schedule.Loader
	switch {
	case c.Schedule != nil:
		s, err := schedule.New(*c.Schedule)
		if err != nil {
			return o, nil, fmt.Errorf("schedule: %w", err)
		}
		o.Schedule = func() *schedule.Schedule { return s }
	case c.ScheduleFile != "":
		loader = schedule.NewLoader(schedule.LoaderOptions{Path: c.ScheduleFile})
		o.Schedule, o.ScheduleErr = loader.Schedule, loader.Err
	}
	return o, loader, nil
}
