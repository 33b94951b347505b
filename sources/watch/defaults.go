package watch

import (
	"time"

	"github.com/prometheus/common/model"
)

// DefaultRules judge the four indicators that go wrong first when users
// flood in after a stage end, so a warroom with no `rules:` already says
// something useful. Each is replaced by a user rule for the same indicator
// (see WithDefaults).
//
//   - nginx.qps: only absence. Traffic levels differ too much between sites
//     for a default threshold, but an access log that goes silent — nginx
//     down, log rotated away, disk full — is an alarm, and sooner around a
//     milestone (20 s in hot) than at 4 a.m. (60 s).
//   - nginx.slow_ratio (0..1 of requests slower than the source's `slow`):
//     warn above 0.0005 (5‱), crit above 0.002 (20‱), held 30 s so a
//     single slow request in a quiet minute does not fire; 10 s in hot,
//     where traffic is heavy enough for the ratio to mean something fast.
//     Recover at 0.8 of the threshold.
//   - nginx.499_rate (clients giving up, per second): warn 0.5/s, crit 1/s,
//     held 30 s; in hot, where some impatience is expected, warn 2/s, crit
//     5/s, held 10 s: a hang right after a stage end shows as a flood of
//     499s, and half a minute of it is too late. Recover at 0.8.
//   - app.db (database errors per minute, e.g. read ECONNRESET): warn on
//     any, crit above 5/min, at once — each is a user who saw an error, and
//     the per-minute window already smooths.
func DefaultRules() Rules {
	d := func(x time.Duration) model.Duration { return model.Duration(x) }
	dp := func(x time.Duration) *model.Duration { v := model.Duration(x); return &v }
	return Rules{
		{
			Indicator: "nginx.qps", Direction: Above, Recover: 1,
			Absent: d(60 * time.Second),
			Phases: PhaseOverrides{
				Approaching: &Override{Absent: dp(30 * time.Second)},
				Hot:         &Override{Absent: dp(20 * time.Second)},
				Cooling:     &Override{Absent: dp(30 * time.Second)},
			},
		},
		{
			Indicator: "nginx.slow_ratio", Direction: Above, Recover: 0.8,
			Warn: Float(0.0005), Crit: Float(0.002), For: d(30 * time.Second),
			Phases: PhaseOverrides{Hot: &Override{For: dp(10 * time.Second)}},
		},
		{
			Indicator: "nginx.499_rate", Direction: Above, Recover: 0.8,
			Warn: Float(0.5), Crit: Float(1), For: d(30 * time.Second),
			Phases: PhaseOverrides{Hot: &Override{Warn: Float(2), Crit: Float(5), For: dp(10 * time.Second)}},
		},
		{
			Indicator: "app.db", Direction: Above, Recover: 1,
			Warn: Float(0), Crit: Float(5),
		},
	}
}

// WithDefaults returns the default rules with each replaced by the user's
// rule for the same indicator, then the user's other rules, so the key
// indicators keep their order on screen. Defaults whose indicator does not
// exist (known) are left out, or an absent rule would fire for a source
// that was never configured.
func WithDefaults(user Rules, known func(string) bool) Rules {
	return WithDefaultsRenamed(user, known, nil)
}

// WithDefaultsRenamed is WithDefaults with the default rules' indicators
// passed through rename first, so the built-in judgement follows the key
// sources whatever they are called (an access log named "web" gets
// web.499_rate judged). rename may be nil.
func WithDefaultsRenamed(user Rules, known func(string) bool, rename func(string) string) Rules {
	byName := make(map[string]int, len(user))
	for i, r := range user {
		byName[r.Indicator] = i
	}
	used := make([]bool, len(user))
	out := make(Rules, 0, len(user)+4)
	for _, r := range DefaultRules() {
		if rename != nil {
			r.Indicator = rename(r.Indicator)
		}
		if i, ok := byName[r.Indicator]; ok {
			out, used[i] = append(out, user[i]), true
		} else if known(r.Indicator) {
			out = append(out, r)
		}
	}
	for i, r := range user {
		if !used[i] {
			out = append(out, r)
		}
	}
	return out
}
