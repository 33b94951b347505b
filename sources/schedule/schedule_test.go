package schedule

import (
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestPhaseAtBoundaries(t *testing.T) {
	s := load(t, "shanghai.yaml")
	sh := mustLoc(t, "Asia/Shanghai")
	day1 := time.Date(2026, 12, 13, 0, 0, 0, 0, sh)
	day2 := day1.AddDate(0, 0, 1)
	final := time.Date(2027, 1, 1, 0, 0, 0, 0, sh)
	ns := time.Nanosecond
	cases := []struct {
		name      string
		at        time.Time
		phase     Phase
		milestone string
	}{
		{"long before", day1.Add(-24 * time.Hour), PhaseNormal, ""},
		{"just before end−before", day1.Add(-10*time.Minute - ns), PhaseNormal, ""},
		{"end−before", day1.Add(-10 * time.Minute), PhaseApproaching, "Day 1"},
		{"just before end", day1.Add(-ns), PhaseApproaching, "Day 1"},
		{"end", day1, PhaseHot, "Day 1"},
		{"just before end+hot", day1.Add(10*time.Minute - ns), PhaseHot, "Day 1"},
		{"end+hot", day1.Add(10 * time.Minute), PhaseCooling, "Day 1"},
		{"just before end+after", day1.Add(30*time.Minute - ns), PhaseCooling, "Day 1"},
		{"end+after", day1.Add(30 * time.Minute), PhaseNormal, ""},
		{"midday", day1.Add(12 * time.Hour), PhaseNormal, ""},
		{"day 2 approaching", day2.Add(-5 * time.Minute), PhaseApproaching, "Day 2"},
		// Final has its own windows: before 30m, hot 20m, after 1h.
		{"final end−before", final.Add(-30 * time.Minute), PhaseApproaching, "Final"},
		{"final just before end−before", final.Add(-30*time.Minute - ns), PhaseNormal, ""},
		{"final end", final, PhaseHot, "Final"},
		{"final end+10m", final.Add(10 * time.Minute), PhaseHot, "Final"},
		{"final end+hot", final.Add(20 * time.Minute), PhaseCooling, "Final"},
		{"final just before end+after", final.Add(time.Hour - ns), PhaseCooling, "Final"},
		{"final end+after", final.Add(time.Hour), PhaseNormal, ""},
		{"long after", final.AddDate(1, 0, 0), PhaseNormal, ""},
		// The same instant written in another zone is the same instant.
		{"end in UTC", day1.UTC(), PhaseHot, "Day 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, m := s.PhaseAt(c.at)
			if p != c.phase || m.Name != c.milestone {
				t.Fatalf("PhaseAt(%v) = %v %q, want %v %q", c.at, p, m.Name, c.phase, c.milestone)
			}
			if p == PhaseNormal && !m.IsZero() {
				t.Fatalf("normal phase with milestone %+v", m)
			}
		})
	}
}

func TestNextPrev(t *testing.T) {
	s := load(t, "shanghai.yaml")
	sh := mustLoc(t, "Asia/Shanghai")
	day1 := time.Date(2026, 12, 13, 0, 0, 0, 0, sh)
	final := time.Date(2027, 1, 1, 0, 0, 0, 0, sh)
	cases := []struct {
		name       string
		at         time.Time
		prev, next string
	}{
		{"before all", day1.Add(-time.Hour), "", "Day 1"},
		{"just before day 1", day1.Add(-time.Nanosecond), "", "Day 1"},
		{"at day 1", day1, "Day 1", "Day 2"},
		{"after day 1", day1.Add(time.Hour), "Day 1", "Day 2"},
		{"at final", final, "Final", ""},
		{"after all", final.Add(time.Hour), "Final", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, okp := s.Prev(c.at)
			n, okn := s.Next(c.at)
			if p.Name != c.prev || okp != (c.prev != "") {
				t.Errorf("Prev = %q %v, want %q", p.Name, okp, c.prev)
			}
			if n.Name != c.next || okn != (c.next != "") {
				t.Errorf("Next = %q %v, want %q", n.Name, okn, c.next)
			}
		})
	}
}

func TestBetween(t *testing.T) {
	s := load(t, "shanghai.yaml")
	sh := mustLoc(t, "Asia/Shanghai")
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, sh) }
	names := func(ms []Milestone) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	cases := []struct {
		name string
		a, b time.Time
		want []string
	}{
		{"inclusive both ends", day(13), day(15), []string{"Day 1", "Day 2", "Day 3"}},
		{"open inside", day(13).Add(time.Second), day(15).Add(-time.Second), []string{"Day 2"}},
		{"empty range", day(13).Add(time.Hour), day(13).Add(2 * time.Hour), nil},
		{"reversed", day(15), day(13), nil},
		{"one instant", day(14), day(14), []string{"Day 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := names(s.Between(c.a, c.b))
			if len(got) != len(c.want) {
				t.Fatalf("Between = %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("Between = %v, want %v", got, c.want)
				}
			}
		})
	}
}

// Daily 00:00 in New York must stay at local midnight across the end of
// DST, which makes the night of Nov 1 25 hours long.
func TestDSTRecurring(t *testing.T) {
	s := load(t, "new_york.yaml")
	ny := mustLoc(t, "America/New_York")
	var nights []Milestone
	for _, m := range s.Milestones() {
		if m.Name[:5] == "Night" {
			nights = append(nights, m)
		}
	}
	if len(nights) != 5 {
		t.Fatalf("got %d nights, want 5 (Oct 30 … Nov 3 inclusive)", len(nights))
	}
	for i, m := range nights {
		local := m.End.In(ny)
		if h, mi, sec := local.Clock(); h != 0 || mi != 0 || sec != 0 {
			t.Errorf("%s ends %v, not local midnight", m.Name, local)
		}
		if want := []int{30, 31, 1, 2, 3}[i]; local.Day() != want {
			t.Errorf("%s ends on day %d, want %d", m.Name, local.Day(), want)
		}
	}
	gaps := []time.Duration{24 * time.Hour, 24 * time.Hour, 25 * time.Hour, 24 * time.Hour}
	for i, want := range gaps {
		if got := nights[i+1].End.Sub(nights[i].End); got != want {
			t.Errorf("%s → %s = %v, want %v", nights[i].Name, nights[i+1].Name, got, want)
		}
	}

	// Phases follow the wall clock after the change: 23:55 EST on Nov 1 is
	// approaching Night 4 (Nov 2 00:00 EST = 05:00 UTC).
	n4 := time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)
	if p, m := s.PhaseAt(n4.Add(-5 * time.Minute)); p != PhaseApproaching || m.Name != "Night 4" {
		t.Errorf("Nov 1 23:55 EST: %v %q", p, m.Name)
	}
	if p, m := s.PhaseAt(n4); p != PhaseHot || m.Name != "Night 4" {
		t.Errorf("Nov 2 00:00 EST: %v %q", p, m.Name)
	}

	// 02:30 does not exist on 2027-03-14 in New York: time.Date moves it to
	// 03:30 EDT, and the next day is back at 02:30.
	early := map[string]string{
		"Early 1": "2027-03-13 02:30 EST",
		"Early 2": "2027-03-14 03:30 EDT",
		"Early 3": "2027-03-15 02:30 EDT",
	}
	// A period that is not whole days is elapsed time: 12h after
	// midnight EDT is noon.
	half := map[string]string{
		"Half-day 1": "2027-06-01 00:00 EDT",
		"Half-day 2": "2027-06-01 12:00 EDT",
	}
	for _, m := range s.Milestones() {
		want, ok := early[m.Name]
		if !ok {
			want, ok = half[m.Name]
		}
		if ok {
			if got := m.End.Format("2006-01-02 15:04 MST"); got != want {
				t.Errorf("%s ends %s, want %s", m.Name, got, want)
			}
		}
	}
}

func TestNilSchedule(t *testing.T) {
	var s *Schedule
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if p, m := s.PhaseAt(now); p != PhaseNormal || !m.IsZero() {
		t.Errorf("PhaseAt = %v %+v", p, m)
	}
	if _, ok := s.Next(now); ok {
		t.Error("Next found a milestone")
	}
	if _, ok := s.Prev(now); ok {
		t.Error("Prev found a milestone")
	}
	if s.Between(now, now.Add(time.Hour)) != nil || s.Upcoming(now, 3) != nil || s.Len() != 0 {
		t.Error("nil schedule is not empty")
	}
	if s.Location() != time.UTC {
		t.Error("nil schedule location")
	}
}

func TestParsePhase(t *testing.T) {
	for _, p := range Phases {
		got, err := ParsePhase(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePhase(%q) = %v, %v", p, got, err)
		}
	}
	if _, err := ParsePhase("warm"); err == nil {
		t.Error("ParsePhase(warm) succeeded")
	}
}
