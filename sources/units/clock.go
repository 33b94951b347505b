package units

import "time"

// Times are written for a person the same way everywhere: in the zone
// the caller puts them in (the event's), each labelled, so a reader in
// another zone, or a log from a server in one, is never an hour off.

// Clock is t's time of day with its zone's label: "00:00:07 CST", or
// "00:00:07 +05:30" for a zone without an abbreviation.
func Clock(t time.Time) string { return t.Format("15:04:05 ") + ZoneLabel(t) }

// DateClock is t's date and time of day with its zone's label:
// "2026-12-31 23:59:07 CST".
func DateClock(t time.Time) string { return t.Format("2006-01-02 15:04:05 ") + ZoneLabel(t) }

// Minute is t's date and minute with its zone's label: "2026-12-31 23:59 CST".
func Minute(t time.Time) string { return t.Format("2006-01-02 15:04 ") + ZoneLabel(t) }

// Stamp is t's date and time with its zone's abbreviation and offset:
// "2027-01-02 00:00:00 CST +08:00" (the offset alone when the zone has no
// abbreviation).
func Stamp(t time.Time) string {
	if l := ZoneLabel(t); l[0] != '+' && l[0] != '-' {
		return t.Format("2006-01-02 15:04:05 ") + l + t.Format(" -07:00")
	}
	return t.Format("2006-01-02 15:04:05 -07:00")
}

// ZoneLabel is t's zone abbreviation ("CST", "EDT", "UTC"), or its offset
// as "+05:30" where the zone has none (tzdata writes "+04" for those, an
// unnamed fixed zone "+0530": neither reads as an offset at a glance).
func ZoneLabel(t time.Time) string {
	if abbr := t.Format("MST"); abbr[0] != '+' && abbr[0] != '-' {
		return abbr
	}
	return t.Format("-07:00")
}
