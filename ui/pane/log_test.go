package pane

import "testing"

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
