package units

import (
	"testing"
	"time"
)

func TestClockLabelsTheZone(t *testing.T) {
	zone := func(name string) *time.Location {
		l, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	at := time.Date(2027, 1, 1, 16, 0, 7, 0, time.UTC)
	for _, c := range []struct {
		loc                  *time.Location
		clock, minute, stamp string
		dateClock            string
	}{
		{zone("Asia/Shanghai"), "00:00:07 CST", "2027-01-02 00:00 CST", "2027-01-02 00:00:07 CST +08:00", "2027-01-02 00:00:07 CST"},
		{zone("America/New_York"), "11:00:07 EST", "2027-01-01 11:00 EST", "2027-01-01 11:00:07 EST -05:00", "2027-01-01 11:00:07 EST"},
		{zone("Asia/Dubai"), "20:00:07 +04:00", "2027-01-01 20:00 +04:00", "2027-01-01 20:00:07 +04:00", "2027-01-01 20:00:07 +04:00"}, // tzdata: "+04"
		{time.FixedZone("", 5*3600+1800), "21:30:07 +05:30", "2027-01-01 21:30 +05:30", "2027-01-01 21:30:07 +05:30", "2027-01-01 21:30:07 +05:30"},
		{time.UTC, "16:00:07 UTC", "2027-01-01 16:00 UTC", "2027-01-01 16:00:07 UTC +00:00", "2027-01-01 16:00:07 UTC"},
	} {
		tt := at.In(c.loc)
		if got := Clock(tt); got != c.clock {
			t.Errorf("Clock in %s = %q, want %q", c.loc, got, c.clock)
		}
		if got := Minute(tt); got != c.minute {
			t.Errorf("Minute in %s = %q, want %q", c.loc, got, c.minute)
		}
		if got := DateClock(tt); got != c.dateClock {
			t.Errorf("DateClock in %s = %q, want %q", c.loc, got, c.dateClock)
		}
		if got := Stamp(tt); got != c.stamp {
			t.Errorf("Stamp in %s = %q, want %q", c.loc, got, c.stamp)
		}
	}
}
