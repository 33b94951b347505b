package prom

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
)

// A preset's numbers come from an exporter (ingress-nginx's controller,
// nginxlog-exporter, mtail, nginx's VTS module) that Prometheus scrapes.
// Prometheus answering says nothing of the exporter: when a scrape
// fails, Prometheus marks the target's series stale, rate() goes on
// from the samples before for as long as its range, then answers
// nothing — and a status no request has had reads 0 while any request is
// counted. So each preset also runs two checks, and a preset whose
// exporter is down says so instead of showing numbers.

// The checks a preset runs besides its indicators (QueryConfig.Check).
const (
	// CheckUp is 1 − up for the exporter's targets: 1 for a target
	// down.
	CheckUp = "up"
	// CheckSeries counts the request counter's series Prometheus holds
	// as current.
	CheckSeries = "series"
)

// maxTargets is how many targets the up check keeps (down ones first).
const maxTargets = 50

// checks are the preset's exporter checks. Without Job, the targets are
// those the request counter's series came from over the lookback (5
// minutes): an exporter down longer than that leaves only the series
// check to say so.
func (p PresetConfig) checks() []QueryConfig {
	m := p.metrics()
	up := fmt.Sprintf("1 - up{job=%s}", strconv.Quote(p.Job))
	if p.Job == "" {
		up = fmt.Sprintf("1 - (up and on (job, instance) group by (job, instance) (last_over_time(%s%s[%s])))",
			m.requests, p.sel(), model.Duration(Lookback))
	}
	c := func(check, expr, about string, max int) QueryConfig {
		return QueryConfig{Name: p.Name + ".exporter." + check, Expr: expr, Server: p.Server, Kind: KindInstant,
			Unit: sources.UnitCount, MaxSeries: max, Hidden: true, Check: check, Title: about, Preset: p.Name}
	}
	return []QueryConfig{
		c(CheckUp, up, p.Job, maxTargets),
		c(CheckSeries, fmt.Sprintf("count(%s%s)", m.requests, p.sel()), m.requests, 1),
	}
}

// Exporter is what a preset's checks say of the exporter behind it.
type Exporter struct {
	Preset string
	// Health is ok when every target is up and the request counter has
	// series; error when a target is down or there are no series (Msg
	// says which); else the checks' own (unknown before they answered,
	// stale, unreachable: then nothing is known of the exporter).
	Health sources.Health
	Msg    string
	// Down: Prometheus holds no current series of the preset's request
	// counter (every target down, or nothing exported): the preset's
	// values are no news, whatever rate() still extrapolates. A fleet
	// with some targets down is not Down: its values are the others'.
	Down bool
	// FetchedAt is when the older of the checks' answers arrived.
	FetchedAt time.Time
}

// Exporters judges each preset's exporter from its checks' answers in s,
// in the order of the presets' queries in cfgs.
func (s Snapshot) Exporters(cfgs []QueryConfig) []Exporter {
	type checks struct {
		up, series       Result
		about, job       string
		hasUp, hasSeries bool
	}
	var order []string
	byPreset := map[string]*checks{}
	for _, c := range cfgs {
		if c.Check == "" {
			continue
		}
		ch := byPreset[c.Preset]
		if ch == nil {
			ch = &checks{}
			byPreset[c.Preset] = ch
			order = append(order, c.Preset)
		}
		r, ok := s.Get(c.Name)
		switch c.Check {
		case CheckUp:
			ch.up, ch.hasUp, ch.job = r, ok, c.Title
		case CheckSeries:
			ch.series, ch.hasSeries, ch.about = r, ok, c.Title
		}
	}
	out := make([]Exporter, 0, len(order))
	for _, name := range order {
		ch := byPreset[name]
		e := Exporter{Preset: name, Health: sources.HealthUnknown}
		if ch.hasUp && ch.hasSeries {
			e.FetchedAt = ch.up.FetchedAt
			if ch.series.FetchedAt.Before(e.FetchedAt) {
				e.FetchedAt = ch.series.FetchedAt
			}
		}
		switch {
		case !ch.hasUp || !ch.hasSeries:
		case ch.series.Health != sources.HealthOK:
			e.Health, e.Msg = ch.series.Health, ch.series.Err
		case ch.up.Health != sources.HealthOK:
			e.Health, e.Msg = ch.up.Health, ch.up.Err
		default:
			e.Health, e.Msg, e.Down = judgeExporter(ch.up, ch.series, ch.about, ch.job)
		}
		out = append(out, e)
	}
	return out
}

// judgeExporter reads the checks' answers: the up check's series (1 for
// a target down) and the series check's count.
func judgeExporter(up, series Result, metric, job string) (sources.Health, string, bool) {
	var down []string
	jobs := map[string]bool{}
	var jobOrder []string
	for _, s := range up.Series {
		p, ok := s.Last()
		if !ok || p.V != 1 {
			continue
		}
		j := s.Labels["job"]
		if !jobs[j] {
			jobs[j] = true
			jobOrder = append(jobOrder, j)
		}
		down = append(down, cmp.Or(s.Labels["instance"], "?"))
	}
	targets := len(up.Series) + up.More
	none := series.Empty() || math.IsNaN(series.Value.Value) || series.Value.Value == 0
	switch {
	case len(down) > 0:
		msg := fmt.Sprintf("exporter down: up==0 for job %s: %s", strings.Join(jobOrder, ", job "), list(down, 3))
		if targets > 1 {
			of := ""
			if up.More > 0 {
				of = "at least "
			}
			msg += fmt.Sprintf(" (%s%d of %d targets)", of, len(down), targets)
		}
		if !none {
			msg += "; the values are the other targets'"
		}
		return sources.HealthError, msg, none
	case none && job != "" && targets == 0:
		return sources.HealthError, fmt.Sprintf("no %s series; Prometheus has no target of job %s", metric, job), true
	case none:
		return sources.HealthError, fmt.Sprintf("no %s series", metric), true
	}
	return sources.HealthOK, "", false
}

// list is up to n of ss, then how many more.
func list(ss []string, n int) string {
	if len(ss) <= n {
		return strings.Join(ss, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ss[:n], ", "), len(ss)-n)
}
