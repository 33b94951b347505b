package pane

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
	"warroom/ui/internal/fixture"
)

func TestLogLineTrimming(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-11-24T15:27:44.123+08:00 ERROR [api] SequelizeDatabaseError: read ECONNRESET", "ERROR [api] SequelizeDatabaseError: read ECONNRESET"},
		{"[2026-11-24 15:27:44,123] ERROR x", "ERROR x"},
		{"2026-11-24 15:27:44 ERROR x", "ERROR x"},
		{"2026/11/24 15:27:44 [error] 7#7: x", "[error] 7#7: x"},
		{"2026/11-24 15:27:44 x", "2026/11-24 15:27:44 x"},
		{"2026-11-24T15:27:44Z", "2026-11-24T15:27:44Z"}, // nothing after the stamp: keep it
		{"ERROR no stamp", "ERROR no stamp"},
		{"2026-11", "2026-11"},
	} {
		if got := stripStamp(c.in); got != c.want {
			t.Errorf("stripStamp(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := firstPattern("sequelize_database_error,econnreset"); got != "sequelize_database_error+" {
		t.Errorf("firstPattern = %q", got)
	}
	if got := firstPattern("db"); got != "db" {
		t.Errorf("firstPattern = %q", got)
	}
}

// A log whose source cannot be read says so where its counts were: they
// are not current.
func TestLogPaneSaysItsSourceIsDown(t *testing.T) {
	s := fixture.Snapshot()
	for i := range s.Sources {
		if s.Sources[i].Name == "app" {
			s.Sources[i].Health, s.Sources[i].Detail = sources.HealthUnreachable, "dial: connection refused"
		}
	}
	m := NewLog("app", Options{Styles: PlainStyles()})
	m.SetSize(60, 6)
	m.SetSnapshot(s)
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "! app: unreachable: dial: connection refused") || strings.Contains(v, "econnreset 2/min") {
		t.Errorf("log pane of a source down:\n%s", v)
	}
}
