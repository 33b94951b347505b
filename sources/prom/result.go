package prom

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"warroom/sources"
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

// health judges an answer against the clock: a failed last attempt is
// reported as such; otherwise an answer older than two intervals is stale.
func health(now time.Time, st *queryState, interval time.Duration) (sources.Health, string) {
	switch {
	case st.failHealth != sources.HealthUnknown:
		return st.failHealth, st.failMsg
	case st.fetchedAt.IsZero():
		return sources.HealthUnknown, ""
	case now.Sub(st.fetchedAt) > 2*interval:
		return sources.HealthStale, fmt.Sprintf("no fresh answer since %s", st.fetchedAt.UTC().Format(time.RFC3339))
	}
	return sources.HealthOK, ""
}

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
