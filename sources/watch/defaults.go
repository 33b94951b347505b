package watch

import (
	"slices"
	"time"

	"github.com/prometheus/common/model"
)

// DefaultRules judge the indicators that go wrong first when users flood
// in after a stage end, so a warroom with no `rules:` already says
// something useful. Each is replaced by a user rule for the same indicator
// (see WithDefaults). In HOT every rule holds at most HotHold (3 s), so a
// storm right after a stage end is raised within seconds of its start.
//
//   - nginx.qps: only absence, judged by the log's own pace (auto): a busy
//     log is silent after 10 s without a line, one that writes a line a
//     minute only after several of its usual gaps. Traffic levels differ
//     too much between sites for a default threshold.
//   - nginx.slow_ratio (0..1 of requests slower than the source's `slow`):
//     warn above 0.0005 (5‱), crit above 0.002 (20‱), held 30 s (3 s in
//     HOT), on at least 5 slow requests of at least 20 in the span, so one
//     slow request at 60 req/s (17‱ of a 10 s span) does not fire. Recover
//     at 0.8 of the threshold.
//   - nginx.499_rate (clients giving up, per second): warn 0.5/s, crit
//     1/s, held 30 s; in HOT, where some impatience is expected, warn 2/s,
//     crit 5/s, held 3 s: a hang right after a stage end shows as a flood
//     of 499s, and half a minute of it is too late. Recover at 0.8.
//   - nginx.5xx_ratio: warn above 1%, crit above 5%, held 30 s (3 s in
//     HOT), on at least 5 errors of at least 20 requests; the same for
//     every path group (nginx.*.5xx_ratio), where one failing API shows
//     before it moves the whole site's ratio; and each group's slow ratio
//     (nginx.*.slow_ratio, against the group's own slow threshold) as
//     the log's: a group given its own threshold is one to be judged.
//   - app.db (database errors in the last minute, e.g. read ECONNRESET):
//     warn at a burst of 5 within a minute, crit above 10, at once; one
//     error every minute or two is a log line, not an alarm, while a lost
//     connection fails a query every few seconds. Recover at half the
//     threshold, so a burst's warning lasts while most of it is in the
//     minute, not until its first error leaves it.
func DefaultRules() Rules {
	d := func(x time.Duration) model.Duration { return model.Duration(x) }
	return Rules{
		{
			Indicator: "nginx.qps", Direction: Above, Recover: 1,
			Absent: AbsentAuto,
		},
		{
			Indicator: "nginx.slow_ratio", Direction: Above, Recover: 0.8,
			Warn: Float(0.0005), Crit: Float(0.002), For: d(30 * time.Second),
			MinCount: 5, MinTotal: 20,
		},
		{
			Indicator: "nginx.499_rate", Direction: Above, Recover: 0.8,
			Warn: Float(0.5), Crit: Float(1), For: d(30 * time.Second),
			Phases: PhaseOverrides{Hot: &Override{Warn: Float(2), Crit: Float(5)}},
		},
		{
			Indicator: "nginx.5xx_ratio", Direction: Above, Recover: 0.8,
			Warn: Float(0.01), Crit: Float(0.05), For: d(30 * time.Second),
			MinCount: 5, MinTotal: 20,
		},
		{
			Indicator: "app.db", Direction: Above, Recover: 0.5,
			Warn: Float(4), Crit: Float(10),
		},
		{
			Indicator: "nginx.*.5xx_ratio", Direction: Above, Recover: 0.8,
			Warn: Float(0.01), Crit: Float(0.05), For: d(30 * time.Second),
			MinCount: 5, MinTotal: 20,
		},
		{
			Indicator: "nginx.*.slow_ratio", Direction: Above, Recover: 0.8,
			Warn: Float(0.0005), Crit: Float(0.002), For: d(30 * time.Second),
			MinCount: 5, MinTotal: 20,
		},
	}
}

// WithDefaults returns the rules in force over the indicators names: the
// default rules, each replaced by the user's rule for the same indicator
// (or pattern), then the user's other rules, so the key indicators keep
// their order on screen; then every pattern expanded (Expand), where a
// rule naming an indicator exactly wins over a pattern. Defaults whose
// indicator does not exist are left out, or an absent rule would fire for
// a source that was never configured.
func WithDefaults(user Rules, names []string) Rules {
	return WithDefaultsRenamed(user, names, nil)
}

// WithDefaultsRenamed is WithDefaults with the default rules' indicators
// passed through rename first, so the built-in judgement follows the key
// sources whatever they are called (an access log named "web" gets
// web.499_rate judged). rename may be nil.
func WithDefaultsRenamed(user Rules, names []string, rename func(string) string) Rules {
	var many func(string) []string
	if rename != nil {
		many = func(s string) []string { return []string{rename(s)} }
	}
	return WithDefaultsFor(user, names, many)
}

// WithDefaultsFor is WithDefaults with each default rule's indicator
// turned into several by rename (nil: kept): the built-in judgement of
// an access log for every access log (web.499_rate, comb.499_rate), not
// only the first — a second log's storm of 499s must not sit under a
// green mark because no rule names it.
func WithDefaultsFor(user Rules, names []string, rename func(string) []string) Rules {
	known := func(ind string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return Match(ind, n) })
	}
	byName := make(map[string]int, len(user))
	for i, r := range user {
		byName[r.Indicator] = i
	}
	used := make([]bool, len(user))
	out := make(Rules, 0, len(user)+6)
	for _, d := range DefaultRules() {
		inds := []string{d.Indicator}
		if rename != nil {
			inds = rename(d.Indicator)
		}
		for _, ind := range inds {
			r := d
			r.Indicator = ind
			if i, ok := byName[r.Indicator]; ok {
				if !used[i] {
					out, used[i] = append(out, user[i]), true
				}
			} else if known(r.Indicator) {
				out = append(out, r)
			}
		}
	}
	for i, r := range user {
		if !used[i] {
			out = append(out, r)
		}
	}
	return out.Expand(names)
}
