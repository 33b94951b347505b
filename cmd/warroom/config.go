package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/collect"
	"warroom/sources/config"
	"warroom/sources/nginx"
	"warroom/sources/notify"
	"warroom/sources/prom"
	"warroom/sources/schedule"
	"warroom/sources/tail"
	"warroom/sources/units"
	"warroom/sources/vlogs"
	"warroom/sources/watch"
	"warroom/ui"
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
	// VictoriaLogs reads the same indicators as access and app logs from
	// logs shipped from many machines.
	VictoriaLogs vlogs.Config `yaml:"victorialogs"`
	// The schedule is inline or in a file of the same shape that is
	// reloaded when it changes; not both.
	Schedule     *schedule.Config `yaml:"schedule"`
	ScheduleFile string           `yaml:"schedule_file"`
	Rules        watch.Rules      `yaml:"rules"`
	TimelineFile string           `yaml:"timeline_file"` // JSON lines of transitions, appended
	ReportsDir   string           `yaml:"reports_dir"`
	Notify       notify.Config    `yaml:"notify"`
	Layout       ui.LayoutConfig  `yaml:"layout"`

	scheduleFileLine int // where schedule_file is, for check's error about its content
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
	for i, s := range c.VictoriaLogs.Streams {
		if names[s.Name] {
			at := config.FieldNode(config.ItemNode(config.FieldNode(n, "victorialogs"), "streams", i), "name")
			return config.Errorf(at, fmt.Sprintf("victorialogs.streams[%d].name", i), "duplicate source name %q", s.Name)
		}
		names[s.Name] = true
	}
	if c.Schedule != nil && c.ScheduleFile != "" {
		return config.Errorf(config.FieldNode(n, "schedule_file"), "schedule_file", "give schedule or schedule_file, not both")
	}
	if c.ScheduleFile != "" {
		c.scheduleFileLine = config.FieldNode(n, "schedule_file").Line
	}
	// after the names, so a duplicated source is reported as that; a source
	// built in code (scan) may lack files, one in the file may not
	for i, s := range c.AccessLogs {
		if err := followed(n, "access_logs", i, s.Paths, s.Command); err != nil {
			return err
		}
	}
	for i, s := range c.AppLogs {
		if err := followed(n, "app_logs", i, s.Paths, s.Command); err != nil {
			return err
		}
	}
	if !c.watches() {
		// every rule would name an unknown indicator: the cause is that
		// nothing is watched, which loadConfig reports (the zero-config
		// flags are checked by their command)
		return nil
	}
	return c.Rules.CheckIndicators(c.known(), c.names())
}

// watches says whether the config has anything to watch.
func (c *Config) watches() bool {
	return len(c.AccessLogs) > 0 || len(c.AppLogs) > 0 || len(c.Prometheus.Queries) > 0 || len(c.VictoriaLogs.Streams) > 0
}

// errNothingToWatch is the one sentence for a config without indicators.
const errNothingToWatch = "nothing to watch: give access_logs, app_logs, prometheus queries or victorialogs streams"

// checkWatched refuses a config file that watches nothing: an empty
// screen and a snapshot of [] that exits 0 would look like a quiet night.
// A schedule alone is not watched: it only says when to worry. doc is the
// file's text, parsed again only to point at the line.
func (c *Config) checkWatched(doc []byte) error {
	if c.watches() {
		return nil
	}
	var root yaml.Node
	var n *yaml.Node // stays nil for an empty or comment-only file
	if yaml.Unmarshal(doc, &root) == nil && len(root.Content) > 0 {
		n = root.Content[0]
	}
	// point at the section that was meant to hold something, if any
	for _, key := range []string{"access_logs", "app_logs"} {
		if f := config.FieldNode(n, key); f != n {
			return config.Errorf(f, key, errNothingToWatch)
		}
	}
	if f := config.FieldNode(n, "prometheus"); f != n {
		return config.Errorf(config.FieldNode(f, "queries"), "prometheus.queries", errNothingToWatch)
	}
	if f := config.FieldNode(n, "victorialogs"); f != n {
		return config.Errorf(config.FieldNode(f, "streams"), "victorialogs.streams", errNothingToWatch)
	}
	return config.Errorf(n, "", errNothingToWatch)
}

// followed checks that source i of section key has something to follow,
// naming it as key[i] at its own line.
func followed(n *yaml.Node, key string, i int, paths, command []string) error {
	sn := config.FieldNode(n, key)
	if sn != nil && sn.Kind == yaml.SequenceNode && i < len(sn.Content) {
		sn = sn.Content[i]
	}
	err := tail.CheckFollows(sn, paths, command)
	var ce *config.Error
	if errors.As(err, &ce) {
		field := fmt.Sprintf("%s[%d]", key, i)
		if ce.Field != "" {
			field += "." + ce.Field
		}
		return &config.Error{Line: ce.Line, Field: field, Err: ce.Err}
	}
	return err
}

// known says which indicators the configured sources provide.
func (c *Config) known() func(string) bool {
	return collect.Known(c.AccessLogs, c.AppLogs, c.Prometheus.Queries, c.vlogsIndicators()...)
}

// units gives each indicator's unit.
func (c *Config) units() func(string) sources.Unit {
	return collect.Units(c.AccessLogs, c.AppLogs, c.Prometheus.Queries, c.vlogsIndicators()...)
}

// names lists the indicators the configured sources provide.
func (c *Config) names() []string {
	return collect.Names(c.AccessLogs, c.AppLogs, c.Prometheus.Queries, c.vlogsIndicators()...)
}

// vlogsKeys says whether the first VictoriaLogs access stream and app
// stream take the key indicators (and the built-in rules): when no
// access log, no app log is configured.
func (c *Config) vlogsKeys() (access, app bool) {
	return len(c.AccessLogs) == 0, len(c.AppLogs) == 0
}

// vlogsIndicators are the VictoriaLogs streams' indicators.
func (c *Config) vlogsIndicators() []collect.IndicatorSpec {
	access, app := c.vlogsKeys()
	return vlogs.Indicators(c.VictoriaLogs, access, app)
}

// rules are the user's rules with the built-in ones for indicators that
// exist, patterns expanded.
func (c *Config) rules() watch.Rules {
	return watch.WithDefaultsFor(c.Rules, c.names(), c.renameDefault)
}

// renameDefault points the built-in rules (written for sources named
// nginx and app) at every access log and every app log, whatever their
// names, at every VictoriaLogs stream of the kind and every Prometheus
// preset (an access log's indicators), so each is judged without a rule
// of the user's.
func (c *Config) renameDefault(name string) []string {
	var out []string
	for _, k := range []struct {
		prefix string
		logs   []string
		kind   vlogs.Kind
	}{
		{"nginx.", accessNames(c.AccessLogs), vlogs.KindAccess},
		{"app.", appNames(c.AppLogs), vlogs.KindApp},
	} {
		rest, ok := strings.CutPrefix(name, k.prefix)
		if !ok {
			continue
		}
		if k.prefix == "nginx." && len(k.logs) > 1 {
			out = append(out, collect.AllName+"."+rest) // the logs' sum, judged first
		}
		for _, l := range k.logs {
			out = append(out, l+"."+rest)
		}
		for _, s := range c.VictoriaLogs.Streams {
			if s.Kind == k.kind {
				out = append(out, s.Name+"."+rest)
			}
		}
		if k.prefix == "nginx." {
			for _, p := range c.Prometheus.Presets {
				out = append(out, p.Name+"."+rest)
			}
		}
	}
	if !slices.Contains(out, name) {
		out = append(out, name)
	}
	return out
}

func accessNames(ls []nginx.SourceConfig) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name
	}
	return out
}

func appNames(ls []applog.SourceConfig) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name
	}
	return out
}

// setDirectory resolves relative file names against the config file's
// directory, as Prometheus does, so warroom can be started from anywhere.
func (c *Config) setDirectory(dir string) {
	c.Prometheus.SetDirectory(dir)
	c.VictoriaLogs.SetDirectory(dir)
	c.Notify.SetDirectory(dir)
	for _, p := range []*string{&c.ScheduleFile, &c.TimelineFile, &c.ReportsDir} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	// log paths are globs: the directory's own [ * ? \ are escaped, or
	// a config in /srv/logs[prod] would match nothing
	globDir := globEscaper.Replace(dir)
	var globs []*string
	for i := range c.AccessLogs {
		for j := range c.AccessLogs[i].Paths {
			globs = append(globs, &c.AccessLogs[i].Paths[j])
		}
	}
	for i := range c.AppLogs {
		for j := range c.AppLogs[i].Paths {
			globs = append(globs, &c.AppLogs[i].Paths[j])
		}
	}
	for _, p := range globs {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(globDir, *p)
		}
	}
}

// globEscaper escapes what filepath.Match would read as a pattern.
var globEscaper = strings.NewReplacer(`\`, `\\`, "[", `\[`, "*", `\*`, "?", `\?`)

// loadConfig reads and validates a config file; errors name the file.
// A file must watch something; the zero-config flags, which also go
// through parseConfig, are checked by their command.
func loadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := parseConfig(bytes.NewReader(b))
	if err == nil {
		err = c.checkWatched(b)
	}
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
// (Sinks, Self) and, when the schedule is in a file, polls the
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
	// reasons name times in the event's zone, as the screen does: the
	// schedule's (set below, and reloaded), else this machine's
	zone := func() *time.Location {
		if o.Schedule != nil {
			if s := o.Schedule(); s != nil {
				return s.Location()
			}
		}
		return time.Local
	}
	if len(c.Prometheus.Queries) > 0 {
		q, err := prom.New(c.Prometheus, prom.Options{Now: now, Refresh: time.Duration(c.Refresh), Zone: zone})
		if err != nil {
			return o, nil, err
		}
		o.Prom = q
	}
	if len(c.VictoriaLogs.Streams) > 0 {
		access, app := c.vlogsKeys()
		srcs, err := vlogs.New(c.VictoriaLogs, vlogs.Options{Now: now, Wall: time.Now, Refresh: time.Duration(c.Refresh), Zone: zone,
			KeyAccess: access, KeyApp: app})
		if err != nil {
			return o, nil, err
		}
		o.Sources = append(o.Sources, srcs...)
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
