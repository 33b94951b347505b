package prom

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/units"
)

// Result is one query's latest answer, in sources types only. It is a
// copy: holding it does not pin or race with the querier's state.
type Result struct {
	Name   string
	Server string
	Kind   Kind
	Unit   sources.Unit
	Expr   string

	// Value is the headline number: the first (highest) series' newest
	// value, NaN when the answer was empty.
	Value sources.Value
	// Series holds at most the query's max_series series, most significant
	// first; More counts the ones left out.
	Series []sources.Series
	More   int

	Warnings []string // from the server, kept with the answer they came with
	Infos    []string

	Health sources.Health
	Err    string // sanitized reason when Health is error or unreachable

	At        time.Time // when the values are true: evaluation time, or the last step
	FetchedAt time.Time // when that answer arrived
	TriedAt   time.Time // when the last attempt (good or bad) finished

	// Range queries: the window and step the series were computed with.
	Window time.Duration
	Step   time.Duration
	// Offset is set by QueryShifted: the values are from Offset ago; add it
	// to point times to overlay them on the current window.
	Offset time.Duration
}

// Empty says the server answered with no series at all.
func (r Result) Empty() bool { return len(r.Series) == 0 }

func (r Result) String() string {
	s := fmt.Sprintf("%s=%g %s %s at %s", r.Name, r.Value.Value, r.Unit, r.Health, r.At.Format(time.RFC3339))
	if r.Err != "" {
		s += ": " + r.Err
	}
	return s
}

// Snapshot is an immutable copy of every query's result, in config order.
type Snapshot struct {
	At      time.Time
	Results []Result
}

// Get returns the named query's result.
func (s Snapshot) Get(name string) (Result, bool) {
	for _, r := range s.Results {
		if r.Name == name {
			return r, true
		}
	}
	return Result{}, false
}

// Values returns each query's headline value, for stat panes and
// `warroom snapshot`.
func (s Snapshot) Values() []sources.Value {
	out := make([]sources.Value, len(s.Results))
	for i, r := range s.Results {
		out[i] = r.Value
	}
	return out
}

// AllAnswered reports whether every query has a fresh, successful answer.
func (s Snapshot) AllAnswered() bool {
	for _, r := range s.Results {
		if r.Health != sources.HealthOK {
			return false
		}
	}
	return true
}

// Lookback is how far before its evaluation time Prometheus looks for a
// series' sample in an instant query (its --query.lookback-delta default):
// an older sample is not a current value, whatever a server sends.
const Lookback = 5 * time.Minute

// MaxAhead is how far after the evaluation time a sample may lie (a
// server's clock a little ahead); later than that it is a bad answer.
const MaxAhead = time.Minute

// currentSince is the oldest sample time that is still a current value of
// an answer evaluated at `at`: Prometheus' lookback for an instant query;
// for a range query (step > 0), whose last point sits on the range's end
// while the series exists, one step (a missing last evaluation) plus two
// intervals, the slack an answer itself gets before it is stale.
func currentSince(at time.Time, step, interval time.Duration) time.Time {
	if step > 0 {
		return at.Add(-step - 2*interval)
	}
	return at.Add(-Lookback)
}

// StampTolerance is how far an instant answer's evaluation time may lie
// before the time asked for. Prometheus evaluates an instant query at the
// asked time and stamps every sample of a vector or scalar with it, to
// the millisecond; other servers speaking the API do the same, some to the
// second. An answer stamped earlier than that was computed for an earlier
// query — a caching proxy replaying it — and its value is as old as its
// stamp, whatever the lookback would allow. The query interval would be
// too loose: a cache holding each answer for one interval would show a
// value one interval old as current, every time.
const StampTolerance = time.Second

// health judges an answer against the clock: a failed last attempt is
// reported as such; otherwise an answer older than two intervals is stale,
// and then the answer and its headline sample are judged by their own
// times (judgeValue). Times in reasons are written in loc.
func health(now time.Time, st *queryState, interval time.Duration, loc *time.Location) (sources.Health, string) {
	switch {
	case st.failHealth != sources.HealthUnknown:
		return st.failHealth, st.failMsg
	case st.fetchedAt.IsZero():
		return sources.HealthUnknown, ""
	case now.Sub(st.fetchedAt) > 2*interval:
		return sources.HealthStale, fmt.Sprintf("no fresh answer since %s (%s ago)", when(st.fetchedAt, now, loc), age(now.Sub(st.fetchedAt)))
	}
	// st.step is set by range queries only
	v := headline("", "", st.series, st.at)
	return judgeValue(v, st.at, currentSince(st.at, st.step, interval), st.evalAt, loc)
}

// judgeValue says whether an answer asked for `at` — evaluated for evalAt
// (zero when the answer does not say, see converted.evalAt) — and its
// headline v are current. An answer evaluated for an earlier time is a
// cached one: stale, however recent. No value (an empty answer, NaN) is a
// true answer: there is nothing to judge. A sample older than since is
// history (stale, with its own time in Value.At); one after `at` (beyond
// MaxAhead) or ±Inf, which no pane or JSON can show, is an error naming
// it, never a number a rule could judge.
func judgeValue(v sources.Value, at, since, evalAt time.Time, loc *time.Location) (sources.Health, string) {
	switch {
	case !evalAt.IsZero() && at.Sub(evalAt) > StampTolerance:
		return sources.HealthStale, fmt.Sprintf("cached answer from %s, %s before the time asked (%s)",
			when(evalAt, at, loc), age(at.Sub(evalAt)), when(at, at, loc))
	case math.IsNaN(v.Value):
		return sources.HealthOK, ""
	case v.At.After(at.Add(MaxAhead)):
		return sources.HealthError, fmt.Sprintf("sample at %s is %s after the query time %s",
			when(v.At, at, loc), age(v.At.Sub(at)), when(at, at, loc))
	case v.At.Before(since):
		return sources.HealthStale, fmt.Sprintf("newest sample at %s, %s before the query time %s",
			when(v.At, at, loc), age(at.Sub(v.At)), when(at, at, loc))
	case math.IsInf(v.Value, 0):
		return sources.HealthError, fmt.Sprintf("value is %v", v.Value)
	}
	return sources.HealthOK, ""
}

// when is t as a person reads it on the screen, in loc and labelled, with
// its date when that is not ref's (a sample a year old, a clock off).
func when(t, ref time.Time, loc *time.Location) string {
	t, ref = t.In(loc), ref.In(loc)
	if y, m, d := t.Date(); ref.Day() != d || ref.Month() != m || ref.Year() != y {
		return units.DateClock(t)
	}
	return units.Clock(t)
}

// judged sets a headline's health; ±Inf becomes no value, so nothing
// downstream takes it for a number.
func judged(v sources.Value, h sources.Health, msg string) sources.Value {
	v.Health, v.Err = h, msg
	if math.IsInf(v.Value, 0) {
		v.Value = math.NaN()
	}
	return v
}

func age(d time.Duration) string { return model.Duration(d.Truncate(time.Second)).String() }

// headline picks the value a stat shows from capped, ranked series.
func headline(name string, unit sources.Unit, series []keyedSeries, at time.Time) sources.Value {
	v := sources.Value{Name: name, Unit: unit, Value: math.NaN(), At: at}
	if len(series) > 0 {
		if p, ok := series[0].Last(); ok {
			v.Value, v.At = p.V, p.At
		}
	}
	return v
}

func copySeries(ss []keyedSeries) []sources.Series {
	if len(ss) == 0 {
		return nil
	}
	out := make([]sources.Series, len(ss))
	for i, s := range ss {
		out[i] = sources.Series{
			Name:   s.Name,
			Labels: maps.Clone(s.Labels),
			Unit:   s.Unit,
			Points: slices.Clone(s.Points),
		}
	}
	return out
}
