package sources

import (
	"testing"
	"time"
)

func TestParseInstant(t *testing.T) {
	zone := time.FixedZone("CST", 8*3600)
	ref := time.Date(2026, 12, 31, 23, 50, 0, 0, zone)
	cases := []struct{ in, want string }{
		{"00:05", "2027-01-01 00:05:00"},       // ahead: nearer than a day back
		{"23:40", "2026-12-31 23:40:00"},       // behind
		{"12:00", "2026-12-31 12:00:00"},       // 11h50 back beats 12h10 ahead
		{"23:58:30", "2026-12-31 23:58:30"},    //
		{"01-01 00:05", "2027-01-01 00:05:00"}, // month-day: nearest year
		{"2026-12-30 22:00", "2026-12-30 22:00:00"},
		{"2026-12-30T22:00:05", "2026-12-30 22:00:05"},
		{"2026-12-30T14:00:00Z", "2026-12-30 22:00:00"},
		{"-5m", "2026-12-31 23:45:00"},
		{"+1h30m", "2027-01-01 01:20:00"},
	}
	for _, c := range cases {
		got, err := ParseInstant(c.in, ref, zone)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if s := got.In(zone).Format("2006-01-02 15:04:05"); s != c.want {
			t.Errorf("%q: got %s, want %s", c.in, s, c.want)
		}
	}
	for _, bad := range []string{"", "tomorrow", "25:00", "-5", "12-31"} {
		if _, err := ParseInstant(bad, ref, zone); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
