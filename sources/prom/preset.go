package prom

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"warroom/sources"
	"warroom/sources/config"
)

// MtailProgram is warroom's mtail program for nginx access logs (the
// combined format with $request_time after it): the counters the mtail
// preset reads. `warroom generate --mtail` prints it.
//
//go:embed mtail/nginx.mtail
var MtailProgram string

// PresetConfig is one entry of `prometheus: presets:`: the nginx metrics a
// fleet already exports to Prometheus, read as the standard indicators of
// an access log — <name>.qps, .slow_ratio, .499_rate, .5xx_ratio — so the
// built-in rules, panes, overlays and reports work on it unchanged; with
// `by`, a table ranks the hosts (pods) by 499s, slow requests and 5xx.
type PresetConfig struct {
	Kind string `yaml:"kind"` // ingress-nginx, nginxlog-exporter, mtail, vts
	Name string `yaml:"name"` // indicator prefix; default nginx
	// Server is the Prometheus the metrics are in; default the first.
	Server string `yaml:"server"`
	// Selector is label matchers every series must have, as inside
	// braces: `namespace="yearend", ingress="api"`.
	Selector string `yaml:"selector"`
	// By is the label naming the host or pod (controller_pod, instance):
	// the hosts table ranks its values. Empty: no table.
	By string `yaml:"by"`
	// Slow is the slow-request threshold: one of the histogram's bucket
	// boundaries (le). Default 1s.
	Slow model.Duration `yaml:"slow"`
	// Rate is the range of rate() and of the hosts table's increase();
	// default 1m for rates, the table over 5m.
	Rate model.Duration `yaml:"rate"`
	// Namespace is nginxlog-exporter's metric namespace (its `namespace`
	// setting), the prefix of <ns>_http_response_count_total.
	Namespace string `yaml:"namespace"`
	// Job is the scrape job of the exporter (Prometheus's job label): its
	// targets' up is checked. Empty: the jobs and instances the preset's
	// series came from over the last 5 minutes (see checks).
	Job string `yaml:"job"`
}

// PresetKinds are the preset kinds, in the order messages list them.
var PresetKinds = []string{"ingress-nginx", "nginxlog-exporter", "mtail", "vts"}

// presetMetrics are a kind's series: the request counter (with a status
// label) and the duration histogram's buckets and count; codes, when
// set, is the counter of exact status codes when requests counts classes
// (VTS: 1xx..5xx), with the same status label.
type presetMetrics struct {
	requests, status, bucket, count string
	codes                           string
}

func (p PresetConfig) metrics() presetMetrics {
	switch p.Kind {
	case "ingress-nginx":
		return presetMetrics{"nginx_ingress_controller_requests", "status",
			"nginx_ingress_controller_request_duration_seconds_bucket", "nginx_ingress_controller_request_duration_seconds_count", ""}
	case "nginxlog-exporter":
		ns := p.Namespace
		return presetMetrics{ns + "_http_response_count_total", "status",
			ns + "_http_response_time_seconds_hist_bucket", ns + "_http_response_time_seconds_hist_count", ""}
	case "vts":
		// nginx-module-vts's /format/prometheus: requests per server zone
		// (host) by class; exact codes only with
		// vhost_traffic_status_measure_status_codes, the histogram only
		// with vhost_traffic_status_histogram_buckets
		return presetMetrics{"nginx_vts_server_requests_total", "code",
			"nginx_vts_server_request_duration_seconds_bucket", "nginx_vts_server_request_duration_seconds_count",
			"nginx_vts_status_code_requests_total"}
	}
	return presetMetrics{"nginx_http_requests_total", "status",
		"nginx_http_request_duration_seconds_bucket", "nginx_http_request_duration_seconds_count", ""}
}

// PresetTableWindow is the span the hosts table counts.
const PresetTableWindow = 5 * time.Minute

func (p *PresetConfig) applyDefaults(servers []ServerConfig) {
	if p.Name == "" {
		p.Name = "nginx"
	}
	if p.Server == "" && len(servers) > 0 {
		p.Server = servers[0].Name
	}
	if p.Slow == 0 {
		p.Slow = model.Duration(time.Second)
	}
	if p.Rate == 0 {
		p.Rate = model.Duration(time.Minute)
	}
}

func (p *PresetConfig) validate(n *yaml.Node, servers map[string]bool) error {
	f := func(field, format string, a ...any) error {
		return config.Errorf(config.FieldNode(n, field), field, format, a...)
	}
	switch {
	case !contains(PresetKinds, p.Kind):
		return f("kind", "%q is not one of %s", p.Kind, strings.Join(PresetKinds, ", "))
	case p.Kind == "nginxlog-exporter" && !isMetricName(p.Namespace):
		return f("namespace", "nginxlog-exporter needs its metric namespace (the prefix of <namespace>_http_response_count_total)")
	case p.Kind != "nginxlog-exporter" && p.Namespace != "":
		return f("namespace", "only nginxlog-exporter has a namespace")
	case !isMetricName(p.Name):
		return f("name", "%q: letters, digits and _ only", p.Name)
	case !servers[p.Server]:
		return f("server", "unknown server %q", p.Server)
	case p.By != "" && !isMetricName(p.By):
		return f("by", "%q is not a label name", p.By)
	case strings.ContainsAny(p.Selector, "{}"):
		return f("selector", "give the matchers without braces: namespace=\"yearend\"")
	case p.Slow < 0 || p.Rate < 0:
		return f("slow", "must not be negative")
	case strings.ContainsFunc(p.Job, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return f("job", "%q: no control characters", p.Job)
	}
	return nil
}

// VTSSumKey is the server zone VTS sums every other into (its
// vhost_traffic_status_display_sum_key, "*" unless set): the vts preset
// leaves it out, or every request would count twice.
const VTSSumKey = "*"

// sel is the matchers, with extra ones, inside braces.
func (p PresetConfig) sel(extra ...string) string {
	var ms []string
	if s := strings.TrimSpace(p.Selector); s != "" {
		ms = append(ms, s)
	}
	if p.Kind == "vts" {
		ms = append(ms, fmt.Sprintf("host!=%q", VTSSumKey))
	}
	ms = append(ms, extra...)
	return "{" + strings.Join(ms, ",") + "}"
}

// le matches the slow threshold's bucket as exporters write it: 1, 1.0
// (Prometheus 3 writes le="1.0"), 0.5; VTS writes three decimals
// (le="1.000", which Prometheus 3 makes "1.0").
func (p PresetConfig) le() string {
	s := time.Duration(p.Slow).Seconds()
	v := strconv.FormatFloat(s, 'f', -1, 64)
	alts := []string{v}
	if s == math.Trunc(s) {
		alts = append(alts, v+".0")
	}
	if v3 := strconv.FormatFloat(s, 'f', 3, 64); p.Kind == "vts" && !slices.Contains(alts, v3) {
		alts = append(alts, v3)
	}
	return fmt.Sprintf(`le=~"%s"`, strings.Join(alts, "|"))
}

// queries are the preset's queries: its four indicators, and the hosts
// table's when By is set.
func (p PresetConfig) queries() []QueryConfig {
	m := p.metrics()
	rate := model.Duration(p.Rate).String()
	sum := func(metric string, extra ...string) string {
		return fmt.Sprintf("sum(rate(%s%s[%s]))", metric, p.sel(extra...), rate)
	}
	st := func(re string) string { return fmt.Sprintf(`%s=~"%s"`, m.status, re) }
	// a status no request has had yet has no series: its rate is 0 while
	// requests are counted at all, and unknown (empty) when none are
	some := func(metric string, extra ...string) string {
		return fmt.Sprintf("(%s or 0 * %s)", sum(metric, extra...), sum(metric))
	}
	s499 := some(m.requests, st("499"))
	if m.codes != "" {
		// VTS counts exact codes only where told to, and a status it was
		// not told of goes to code="other": no 499 series is 0 only
		// while "other" has counted nothing (measure_status_codes all,
		// or no status outside the list yet); else 499s may be in it
		other := `code="other"`
		s499 = fmt.Sprintf("(%s or (0 * %s unless max(%s%s) > 0))", sum(m.codes, st("499")), sum(m.codes, other), m.codes, p.sel(other))
	}
	q := func(metric, title string, unit sources.Unit, key bool, expr string) QueryConfig {
		return QueryConfig{Name: p.Name + "." + metric, Expr: expr, Server: p.Server, Kind: KindInstant, Unit: unit,
			MaxSeries: 1, Indicator: p.Name + "." + metric, Title: title, Key: key, Preset: p.Name}
	}
	out := []QueryConfig{
		q("qps", "QPS", sources.UnitPerSecond, true, sum(m.requests)),
		// 1 − the share of requests in the slow threshold's bucket: every
		// request slower than it
		q("slow_ratio", "slow ‱", sources.UnitRatio, true,
			fmt.Sprintf("1 - %s / %s", sum(m.bucket, p.le()), sum(m.count))),
		q("499_rate", "499/s", sources.UnitPerSecond, true, s499),
		q("5xx_ratio", "5xx ‱", sources.UnitRatio, false,
			fmt.Sprintf("%s / %s", some(m.requests, st("5..")), sum(m.requests))),
	}
	out = append(out, p.checks()...)
	if p.By == "" {
		return out
	}
	for _, c := range p.hostColumns(PresetTableWindow) {
		out = append(out, QueryConfig{Name: p.Name + ".hosts." + c.col, Expr: c.expr, Server: p.Server, Kind: KindInstant, Unit: sources.UnitCount,
			MaxSeries: maxTableSeries, Legend: p.hostLegend(), Hidden: true, Table: p.Name + " hosts", Column: c.col, Preset: p.Name})
	}
	return out
}

// hostColumn is one column of the hosts table: req, 499, slow or 5xx.
type hostColumn struct{ col, expr string }

// hostColumns are the hosts table's columns over win: each host's (By's
// values') increase() of requests, 499s, slow requests and 5xx.
func (p PresetConfig) hostColumns(win time.Duration) []hostColumn {
	m := p.metrics()
	st := func(re string) string { return fmt.Sprintf(`%s=~"%s"`, m.status, re) }
	c499 := m.requests
	if m.codes != "" {
		c499 = m.codes
	}
	w := model.Duration(win).String()
	inc := func(metric string, extra ...string) string {
		return fmt.Sprintf("sum by (%s) (increase(%s%s[%s]))", p.By, metric, p.sel(extra...), w)
	}
	return []hostColumn{
		{"req", inc(m.requests)},
		{"499", inc(c499, st("499"))},
		{"slow", fmt.Sprintf("%s - %s", inc(m.count), inc(m.bucket, p.le()))},
		{"5xx", inc(m.requests, st("5.."))},
	}
}

// hostLegend names a hosts table's row by the By label.
func (p PresetConfig) hostLegend() string { return "{{" + p.By + "}}" }

// maxTableSeries is how many hosts a hosts table keeps.
const maxTableSeries = 50

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// isMetricName: [a-zA-Z_][a-zA-Z0-9_]*.
func isMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r != '_' && !(r >= 'a' && r <= 'z') && !(r >= 'A' && r <= 'Z') && !(i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Notes say what the preset cannot read unless the exporter is set up
// for it (for `warroom check`).
func (p PresetConfig) Notes() []string {
	if p.Kind != "vts" {
		return nil
	}
	return []string{
		"499_rate needs nginx's vhost_traffic_status_measure_status_codes (all, or a list with 499): " +
			"without it there is no value, nor with a list lacking 499 once a status outside the list was counted (as code=\"other\")",
		fmt.Sprintf("slow_ratio needs vhost_traffic_status_histogram_buckets with a %s bucket (slow): without it there is no value",
			model.Duration(p.Slow)),
		fmt.Sprintf("the %q zone (vhost_traffic_status_display_sum_key) sums the others and is left out: give a selector excluding your own sum key if you changed it",
			VTSSumKey),
	}
}
