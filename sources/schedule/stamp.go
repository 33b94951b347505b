package schedule

import (
	"errors"
	"fmt"
	"time"
)

// Timestamps in the config come in two shapes. An offset makes the instant
// absolute (RFC 3339, with `T` or a space). Without an offset the wall-clock
// time is read in the event's time_zone, which is what an organiser writes
// ("the stage ends 2026-12-31 00:00 Beijing time"); with no time_zone such a
// value is an error rather than a silent guess at UTC or the host's zone.
// A bare date is rejected too: "ends 2026-12-31" is read by some as the start
// and by others as the end of that day.
var (
	zonedLayouts = []string{
		"2006-01-02T15:04:05Z07:00", // also takes fractional seconds
		"2006-01-02T15:04Z07:00",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04Z07:00",
	}
	localLayouts = []string{
		"2006-01-02 15:04",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04",
		"2006-01-02T15:04:05",
	}
)

var errNoZone = errors.New("has no zone offset and time_zone is not set (write e.g. 2026-12-31T00:00:00+08:00, or set time_zone)")

// parseStamp parses s; loc is the event zone, nil when time_zone is unset.
func parseStamp(s string, loc *time.Location) (time.Time, error) {
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	for _, l := range localLayouts {
		naive, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		if loc == nil {
			return time.Time{}, fmt.Errorf("%q %w", s, errNoZone)
		}
		return inZone(naive, loc), nil
	}
	if _, err := time.Parse("2006-01-02", s); err == nil {
		return time.Time{}, fmt.Errorf("%q is a date without a time: write the end instant, e.g. %q", s, s+" 00:00")
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp (want 2006-01-02 15:04 in the event's time_zone, or RFC 3339 like 2006-01-02T15:04:05+08:00)", s)
}

// inZone reads the wall-clock fields of naive (a UTC time) in loc. Unlike
// time.Date, whose choice is unspecified around DST changes, it decides:
// a repeated wall time (fall back) is its first occurrence, and a skipped
// one (spring forward) is read with the offset in force before the gap, so
// the instant moves later by the gap and never earlier — java.time's rule.
func inZone(naive time.Time, loc *time.Location) time.Time {
	t := time.Date(naive.Year(), naive.Month(), naive.Day(), naive.Hour(), naive.Minute(), naive.Second(), naive.Nanosecond(), loc)
	_, offBefore := t.Add(-24 * time.Hour).Zone()
	_, offAfter := t.Add(24 * time.Hour).Zone()
	if offBefore == offAfter {
		return t
	}
	a := naive.Add(-time.Duration(offBefore) * time.Second).In(loc)
	b := naive.Add(-time.Duration(offAfter) * time.Second).In(loc)
	shows := func(x time.Time) bool {
		y, mo, d := x.Date()
		ny, nmo, nd := naive.Date()
		h, m, s := x.Clock()
		nh, nm, ns := naive.Clock()
		return y == ny && mo == nmo && d == nd && h == nh && m == nm && s == ns
	}
	switch {
	case shows(a) && shows(b):
		if b.Before(a) {
			return b
		}
		return a
	case shows(b):
		return b
	}
	return a
}
