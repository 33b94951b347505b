package collect

import (
	"math"
	"slices"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/prom"
	"warroom/sources/tail"
	"warroom/sources/watch"
)

// spec is one indicator a source provides: in the collector, where it
// is (plug, own); in a built-in source's catalog, what it reads.
type spec struct {
	name  string
	title string
	unit  sources.Unit
	show  bool // shown without a rule naming it
	key   bool // the source puts it among the key indicators (see keyIndicators)

	plug int // the collector's: index into Collector.srcs
	own  int // the collector's: index into that source's Indicators

	src   int          // the catalog's: which access log or app log
	m     nginx.Metric // an access log's metric
	group string       // an access log's path group; "" = all requests
	col   string       // an app log's: the watcher's name for it
	query string       // a Prometheus query's name
}

// nginxTitles are what a person reads for each access-log metric. Ratios
// are kept as 0..1 (the rules' scale, e.g. slow_ratio warn 0.0005) and
// shown in ‱ by the unit.
var nginxTitles = map[nginx.Metric]string{
	nginx.MetricQPS:        "QPS",
	nginx.MetricSlowRatio:  "slow ‱",
	nginx.Metric499Rate:    "499/s",
	nginx.Metric5xxRatio:   "5xx ‱",
	nginx.Metric5xxRate:    "5xx/s",
	nginx.Metric304Rate:    "304/s",
	nginx.Metric404Rate:    "404/s",
	nginx.MetricBytesRate:  "bytes/s",
	nginx.MetricAvgLatency: "avg latency",
	nginx.MetricUpstream:   "upstream avg",
}

// shownMetrics are the access-log metrics a snapshot shows unasked; the
// others exist for rules and show when a rule names them.
var shownMetrics = map[nginx.Metric]bool{
	nginx.MetricQPS: true, nginx.MetricSlowRatio: true, nginx.Metric499Rate: true,
	nginx.Metric5xxRatio: true, nginx.Metric304Rate: true,
}

// keyMetrics are the first access log's key indicators, in order.
var keyMetrics = []nginx.Metric{nginx.MetricQPS, nginx.MetricSlowRatio, nginx.Metric499Rate}

// Known returns whether an indicator name is provided by sources with
// these configs — for checking rules when a config file is loaded, before
// any source is built. Application-log configs must be valid. extra are
// the indicators of sources of other kinds (Options.Sources), from their
// configs.
func Known(access []nginx.SourceConfig, apps []applog.SourceConfig, queries []prom.QueryConfig, extra ...IndicatorSpec) func(string) bool {
	set := map[string]bool{}
	for _, n := range Names(access, apps, queries, extra...) {
		set[n] = true
	}
	return func(name string) bool { return set[name] }
}

// Units returns each indicator's unit, for writing thresholds as the
// screen writes values ("" for a name no source provides).
func Units(access []nginx.SourceConfig, apps []applog.SourceConfig, queries []prom.QueryConfig, extra ...IndicatorSpec) func(string) sources.Unit {
	m := map[string]sources.Unit{}
	for _, s := range catalogOf(access, apps, queries) {
		m[s.name] = s.unit
	}
	for _, q := range queries {
		m[q.IndicatorName()] = q.Unit
	}
	for _, s := range extra {
		m[s.Name] = s.Unit
	}
	return func(name string) sources.Unit { return m[name] }
}

// Names lists the indicators sources with these configs provide, for
// rules whose indicator is a pattern (watch.Rules.Expand).
func Names(access []nginx.SourceConfig, apps []applog.SourceConfig, queries []prom.QueryConfig, extra ...IndicatorSpec) []string {
	var out []string
	for _, s := range catalogOf(access, apps, queries) {
		out = append(out, s.name)
	}
	for _, s := range extra {
		out = append(out, s.Name)
	}
	return out
}

// catalogOf is catalog for configs, before any source is built.
func catalogOf(access []nginx.SourceConfig, apps []applog.SourceConfig, queries []prom.QueryConfig) []spec {
	names := make([]string, len(apps))
	inds := make([][]string, len(apps))
	for i := range apps {
		names[i] = apps[i].Name
		o := apps[i].Options(nil)
		o.Seconds = 1 // only the names are wanted
		if w, err := applog.New(o); err == nil {
			inds[i] = w.Indicators()
		}
	}
	return catalog(access, names, inds, queries)
}

// catalog lists every indicator of the sources: access logs (per source,
// then per path group), application logs (packs, then patterns), then
// Prometheus queries as prom.<name>.
func catalog(access []nginx.SourceConfig, appNames []string, appInds [][]string, queries []prom.QueryConfig) []spec {
	var out []spec
	if len(access) > 1 {
		out = append(out, allCatalog()...)
	}
	for i, cfg := range access {
		out = append(out, nginxCatalog(i, cfg, len(access) > 1)...)
	}
	for i, name := range appNames {
		out = append(out, appCatalog(i, name, appInds[i], len(appNames) > 1)...)
	}
	return append(out, promCatalog(queries)...)
}

// nginxCatalog is access log i's indicators: its metrics, then each path
// group's. The first log's QPS, slow ratio and 499s are key indicators.
func nginxCatalog(i int, cfg nginx.SourceConfig, many bool) []spec {
	var out []spec
	prefix := ""
	if i > 0 || many {
		prefix = cfg.Name + " "
	}
	for _, m := range nginx.Metrics {
		out = append(out, spec{name: cfg.Name + "." + string(m), title: prefix + nginxTitles[m], unit: m.Unit(),
			src: i, m: m, show: shownMetrics[m], key: i == 0 && !many && slices.Contains(keyMetrics, m)})
	}
	for _, g := range cfg.Groups {
		for _, m := range nginx.Metrics {
			out = append(out, spec{name: cfg.Name + "." + g.Name + "." + string(m), title: prefix + g.Name + " " + nginxTitles[m],
				unit: m.Unit(), src: i, m: m, group: g.Name,
				show: m == nginx.MetricQPS || m == nginx.MetricSlowRatio})
		}
	}
	return out
}

// appCatalog is application log i's indicators: its packs, then its
// patterns (many: there is more than one app log, so titles name it).
// The first log's db pack is a key indicator.
func appCatalog(i int, name string, inds []string, many bool) []spec {
	var out []spec
	packs := map[string]bool{}
	for pk := range applog.Packs {
		packs[name+"."+pk] = true
	}
	for _, ind := range inds {
		col := strings.TrimPrefix(ind, name+".")
		isPack := packs[ind]
		title := col + " /min"
		if isPack {
			title = strings.ToUpper(col) + " err/min"
		}
		if many {
			title = name + " " + title
		}
		// pack members are many (14 for db): they exist for rules, the
		// pack's own indicator is what shows
		member := !isPack && isPackMember(col)
		out = append(out, spec{name: ind, title: title, unit: sources.UnitCount, src: i, col: col,
			show: !member, key: i == 0 && col == "db" && isPack})
	}
	return out
}

// promCatalog is the Prometheus queries' indicators: prom.<name>, or a
// preset's own (nginx.qps, with its key indicators); a preset's hidden
// queries feed its hosts table, not an indicator.
func promCatalog(queries []prom.QueryConfig) []spec {
	var out []spec
	for _, q := range queries {
		if q.Hidden {
			continue
		}
		title := q.Name
		if q.Title != "" {
			title = q.Title
		}
		out = append(out, spec{name: q.IndicatorName(), title: title, unit: q.Unit, show: true, key: q.Key, query: q.Name})
	}
	return out
}

func isPackMember(pattern string) bool {
	for _, ps := range applog.Packs {
		for _, p := range ps {
			if p.Name == pattern {
				return true
			}
		}
	}
	return false
}

// keyIndicators is how many indicators a snapshot marks Key: the first
// ones in display order. The sources' own key indicators lead it (the
// first access log's qps, slow_ratio and 499_rate, the first app log's
// db); without one of those sources the next shown indicators take the
// free places, so a screen always has its key stats with their charts.
const keyIndicators = 4

// displayOrder puts the sources' key indicators first, in catalog order
// (access logs before app logs), then the other shown ones, then those
// only a rule names, in rule order.
func displayOrder(specs []spec, rules watch.Rules) []int {
	var out []int
	idx := func(name string) int { return slices.IndexFunc(specs, func(s spec) bool { return s.name == name }) }
	for i, s := range specs {
		if s.key {
			out = append(out, i)
		}
	}
	for i, s := range specs {
		if s.show && !s.key {
			out = append(out, i)
		}
	}
	for _, r := range rules {
		if i := idx(r.Indicator); i >= 0 && !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out
}

// currentEnd is where current values end at tick time at: the last whole
// second, less the lag for lines still in nginx's buffer.
func (c *Collector) currentEnd(at time.Time) time.Time {
	return at.Truncate(time.Second).Add(-c.o.Lag)
}

// tickInfo is what the sources are told at instant at; RunErr is filled
// per source.
func (c *Collector) tickInfo(at time.Time) TickInfo {
	return TickInfo{At: at, End: c.currentEnd(at), Span: c.o.Span, Lag: c.o.Lag, Zone: EventZone(c.schedule())}
}

// current computes every indicator's value at at, aligned with c.specs
// (whose indicators come source by source, in order).
func (c *Collector) current(at time.Time) []sources.Value {
	ti := c.tickInfo(at)
	c.mu.Lock()
	errs := make([]string, len(c.srcs))
	for p, s := range c.srcs {
		errs[p] = c.runErrs[s.Name()]
	}
	c.mu.Unlock()
	out := make([]sources.Value, 0, len(c.specs))
	for p, s := range c.srcs {
		ti.RunErr = errs[p]
		vs := s.Values(ti)
		for i := range c.nind[p] {
			v := sources.Value{Value: math.NaN(), Health: sources.HealthUnknown}
			if i < len(vs) {
				v = vs[i]
			}
			v.Name = c.specs[len(out)].name // a source's values are named as its indicators
			out = append(out, v)
		}
	}
	return out
}

// cannotMeasure says why format f cannot give metric m ("" when it can).
func cannotMeasure(m nginx.Metric, f *nginx.Format) string {
	switch {
	case f == nil:
	case (m == nginx.MetricSlowRatio || m == nginx.MetricAvgLatency) && !f.HasRequestTime():
		return "no $request_time in the log format"
	case m == nginx.MetricUpstream && !f.HasUpstreamTime():
		return "no $upstream_response_time in the log format"
	}
	return ""
}

// gapSpan is how far back an access log's usual pace is measured.
const gapSpan = 15 * time.Minute

// usualGap is an access log's usual time between lines over the gapSpan
// up to its newest line, for absent: auto; 0 when it has too few lines
// to tell.
func usualGap(agg *nginx.Aggregator) time.Duration {
	newest, first := agg.Newest(), agg.First()
	if newest.IsZero() {
		return 0
	}
	from := newest.Add(-gapSpan)
	if first.After(from) {
		from = first
	}
	b, _ := agg.Sum("", from, newest.Add(time.Second))
	if b.Requests < 3 {
		return 0
	}
	return (newest.Sub(from) + time.Second) / time.Duration(b.Requests)
}

// appHealthOf is an app log's health: its follower's, unless the times
// its lines carry are hours off the clock (applog.Watcher.Note), when
// every count is wrong however well the file is read.
func appHealthOf(s *applog.Source) healthOf {
	h := followHealth(s.Status())
	if note := s.Watcher().Note(); note != "" && h.health != sources.HealthError {
		h = healthOf{health: sources.HealthError, err: sources.Sanitize(note)}
	}
	return h
}

type healthOf struct {
	health  sources.Health
	err     string
	loading bool // the log's history is still being read (see sources.Value.Loading)
}

// followHealth judges a log source from its followed files: error only
// when no file is being read without trouble (one bad file of a glob
// leaves the others' numbers good), with the first problem as the reason.
func followHealth(st []tail.FileStatus) healthOf {
	bad := ""
	good := false
	for _, f := range st {
		if f.Err != "" {
			if bad == "" {
				bad = sources.Sanitize(f.Path + ": " + f.Err)
			}
			continue
		}
		good = true
	}
	if bad != "" && !good {
		return healthOf{health: sources.HealthError, err: bad}
	}
	for _, f := range st {
		if f.Err == "" && f.Loading {
			// the start position's lines are still being read: a count
			// over the last seconds would pass an empty one for quiet
			return healthOf{health: sources.HealthUnknown, err: "reading the log's history", loading: true}
		}
	}
	return healthOf{health: sources.HealthOK}
}

// noted gives an ok log source's status the NUL runs its follower skipped
// (the hole copytruncate leaves behind a writer without O_APPEND): no
// fault, since the lines after them are counted, but worth a look.
func noted(h healthOf, st []tail.FileStatus) healthOf {
	if h.health != sources.HealthOK || h.err != "" {
		return h
	}
	for _, f := range st {
		if s := f.Skipped(); s != "" {
			h.err = sources.Sanitize(f.Path + ": " + s)
			break
		}
	}
	return h
}
