package schedule

import (
	"testing"
	"time"
)

func TestListing(t *testing.T) {
	s := load(t, "shanghai.yaml")
	sh := mustLoc(t, "Asia/Shanghai")
	now := time.Date(2026, 12, 28, 21, 0, 0, 0, sh)
	got := s.Listing(now, 2)
	want := "Year-end campaign 2026 (Asia/Shanghai)\n" +
		"  Day 17  2026-12-29 00:00 Tue +08:00  in 3h    [−10m +10m +30m]\n" +
		"  Day 18  2026-12-30 00:00 Wed +08:00  in 1d3h  [−10m +10m +30m]\n" +
		"  … and 2 more\n"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}

	after := time.Date(2027, 2, 1, 0, 0, 0, 0, sh)
	got = s.Listing(after, 5)
	want = "Year-end campaign 2026 (Asia/Shanghai)\n  no milestones after 2027-02-01 00:00 Mon +08:00\n"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRoughly(t *testing.T) {
	cases := map[time.Duration]string{
		30 * time.Second: "30s",
		3 * time.Hour:    "3h",
		3*time.Hour + 12*time.Minute + 29*time.Second: "3h12m",
		27 * time.Hour:               "1d3h",
		24 * time.Hour:               "1d",
		25*time.Hour + 5*time.Minute: "1d1h5m",
		5 * time.Minute:              "5m",
	}
	for d, want := range cases {
		if got := roughly(d); got != want {
			t.Errorf("roughly(%v) = %q, want %q", d, got, want)
		}
	}
}
