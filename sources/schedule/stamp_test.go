package schedule

import (
	"strings"
	"testing"
	"time"
)

func TestParseStamp(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	ny := mustLoc(t, "America/New_York")
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		in   string
		loc  *time.Location
		want time.Time
		err  string
	}{
		{"2026-12-31T00:00:00+08:00", nil, utc("2026-12-30T16:00:00Z"), ""},
		{"2026-12-31T00:00:00Z", nil, utc("2026-12-31T00:00:00Z"), ""},
		{"2026-12-31 00:00+08:00", nil, utc("2026-12-30T16:00:00Z"), ""},
		{"2026-12-31T00:00:00.5+08:00", nil, utc("2026-12-30T16:00:00Z").Add(500 * time.Millisecond), ""},
		{"2026-12-31 00:00", sh, utc("2026-12-30T16:00:00Z"), ""},
		{"2026-12-31T00:00:30", sh, utc("2026-12-30T16:00:30Z"), ""},
		// An explicit offset wins over time_zone.
		{"2026-12-31T00:00:00+09:00", sh, utc("2026-12-30T15:00:00Z"), ""},
		// Fall back: 01:30 happens twice on 2026-11-01; the first (EDT) is taken.
		{"2026-11-01 01:30", ny, utc("2026-11-01T05:30:00Z"), ""},
		// Spring forward: 02:30 does not exist on 2026-03-08; read with EST → 03:30 EDT.
		{"2026-03-08 02:30", ny, utc("2026-03-08T07:30:00Z"), ""},
		{"2026-12-31 00:00", nil, time.Time{}, "has no zone offset and time_zone is not set"},
		{"2026-12-31", sh, time.Time{}, "is a date without a time"},
		{"31/12/2026 00:00", sh, time.Time{}, "is not a timestamp"},
		{"", sh, time.Time{}, "is not a timestamp"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := parseStamp(c.in, c.loc)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}
