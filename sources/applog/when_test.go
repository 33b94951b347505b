package applog

import (
	"testing"
	"time"
)

// Read back from history, an error printed without a time goes with the
// stamped entry before it, matched or not; with none before it, it is
// skipped and counted as undated. Live, the same line happened now.
func TestHistoryPlacesStamplessEntries(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	dbErr := "SequelizeDatabaseError: read ECONNRESET\n"
	w.IngestHistory([]byte(dbErr + // nothing before it: when?
		"2026-12-29T10:00:00Z info GET /rank 200\n" +
		dbErr + // printed by console.error right after the request line
		"2026-12-29T10:00:05Z error SequelizeDatabaseError: read ECONNRESET\n" +
		dbErr))
	w.Flush()
	threeDays := time.Date(2026, 12, 29, 10, 0, 0, 0, time.UTC)
	if n, _ := w.Count("db", threeDays, threeDays.Add(time.Second)); n != 1 {
		t.Errorf("%d errors at the request line's second, want 1", n)
	}
	if n, _ := w.Count("db", threeDays.Add(5*time.Second), threeDays.Add(6*time.Second)); n != 2 {
		t.Errorf("%d errors at the stamped error's second, want 2", n)
	}
	if n, _ := w.Count("db", now.Add(-time.Hour), now.Add(time.Hour)); n != 0 {
		t.Errorf("%d errors counted now from a three-day-old log", n)
	}
	if s := w.Skipped(); s.Undated != 1 {
		t.Errorf("skipped %+v, want the first error undated", s)
	}
	w.Ingest([]byte(dbErr))
	w.Flush()
	if n, _ := w.Count("db", now, now.Add(time.Second)); n != 1 {
		t.Errorf("a live line without a time: %d counted now, want 1", n)
	}
}

// Zone-less stamps hours ahead of the clock, three in a row, are a zone
// the source was not told: the note says so and what the zone looks
// like, and the entries are not counted as activity hours from now. A
// stamp with its own zone ahead of the clock is a clock problem; live
// stamps hours behind are a zone too, history's are only old.
func TestTimesOffTheClock(t *testing.T) {
	const zoneless = "2006-01-02 15:04:05"
	shanghai := now.In(time.FixedZone("CST", 8*3600)).Format(zoneless)
	three := func(s string) []string { return []string{s, s, s} }
	for _, tc := range []struct {
		name    string
		lines   []string
		history bool
		ahead   int // entries ahead of the clock: not counted
		note    string
	}{
		{"zone-less, 8h ahead", three(shanghai), false, 3,
			"times 8h ahead of the clock: set time_zone or --time-zone (the log looks like UTC+08:00)"},
		{"twice is not yet consistent", []string{shanghai, shanghai}, false, 2, ""},
		{"an outlier breaks the run", []string{shanghai, shanghai, now.Format(zoneless), shanghai}, false, 3, ""},
		{"read back from history", three(shanghai), true, 3,
			"times 8h ahead of the clock: set time_zone or --time-zone (the log looks like UTC+08:00)"},
		{"zoned, 5h30m ahead", three(now.Add(330 * time.Minute).Format(time.RFC3339)), false, 3,
			"times 5h30m ahead of the clock: is this machine's clock behind the log's?"},
		{"live, 5h behind", three(now.Add(-5 * time.Hour).Format(zoneless)), false, 0,
			"times 5h behind the clock: set time_zone or --time-zone (the log looks like UTC-05:00)"},
		{"history, 5h old", three(now.Add(-5 * time.Hour).Format(zoneless)), true, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWatcher(t, Options{Packs: []string{"db"}})
			for _, stamp := range tc.lines {
				line := []byte(stamp + " ERROR SequelizeDatabaseError: read ECONNRESET\n")
				if tc.history {
					w.IngestHistory(line)
				} else {
					w.Ingest(line)
				}
			}
			w.Flush()
			if got := w.Note(); got != tc.note {
				t.Errorf("note %q, want %q", got, tc.note)
			}
			var counted uint64
			for _, p := range w.View(now).Patterns {
				if p.Name == "db" {
					counted = p.Total
				}
			}
			if s := w.Skipped(); counted != uint64(len(tc.lines)-tc.ahead) || s.Future != uint64(tc.ahead) {
				t.Errorf("%d counted, skipped %+v; want %d skipped as future", counted, s, tc.ahead)
			}
		})
	}
}

// The zone shows before the first error does: the first stamped line of
// each read is measured, matched or not.
func TestZoneShowsBeforeTheFirstError(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	shanghai := now.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	for i := 0; i < 3; i++ {
		w.Ingest([]byte(shanghai + " INFO GET /rank 200\n" + shanghai + " INFO GET /me 200\n"))
	}
	if got, want := w.Note(), "times 8h ahead of the clock: set time_zone or --time-zone (the log looks like UTC+08:00)"; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
}
