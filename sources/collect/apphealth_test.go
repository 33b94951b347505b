package collect

import (
	"strings"
	"testing"
	"time"

	"warroom/sources"
)

// An app log whose zone-less times read hours ahead of the clock is an
// error that says why, on its indicators and in the status bar, not a
// quiet zero: its errors would otherwise count hours from now.
func TestAppLogTimesAheadAreAnError(t *testing.T) {
	f := newFixture(t, t.TempDir(), false)
	at := midnight.Add(2 * time.Minute)
	// written by a server eight hours ahead of this machine's zone
	stamp := at.Add(8 * time.Hour).In(time.Local).Format("2006-01-02 15:04:05")
	for i := 0; i < 3; i++ {
		f.app.Watcher().Ingest([]byte(stamp + " ERROR SequelizeDatabaseError: read ECONNRESET\n"))
	}
	f.app.Watcher().Flush()
	f.c.Tick(at)
	s := snapOf(f.c, sources.View{})
	const want = "times 8h ahead of the clock: set time_zone or --time-zone (the log looks like UTC"
	db := value(t, s, "app.db").Value
	if db.Health != sources.HealthError || !strings.Contains(db.Err, want) {
		t.Errorf("app.db %v %q, want an error saying %q", db.Health, db.Err, want)
	}
	found := false
	for _, st := range s.Sources {
		if st.Name == "app" {
			found = st.Health == sources.HealthError && strings.Contains(st.Detail, want)
		}
	}
	if !found {
		t.Errorf("status bar %+v lacks the app log's note", s.Sources)
	}
}
