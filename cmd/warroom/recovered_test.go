package main

import (
	"errors"
	"strings"
	"testing"
)

// TestRecoveredTurnsAPanicIntoAnError: a panic in one of the screen's
// background parts comes back as an error naming the part, the panic and
// where it happened (printed once the terminal is restored), not as a
// crash that leaves the terminal in raw mode on the alternate screen.
func TestRecoveredTurnsAPanicIntoAnError(t *testing.T) {
	err := recovered("the collector", func() error { panic("index out of range") })
	if err == nil {
		t.Fatal("a panic came back as nil")
	}
	for _, want := range []string{"the collector crashed", "index out of range", "recovered_test.go:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	plain := errors.New("tail: permission denied")
	if err := recovered("the collector", func() error { return plain }); err != plain {
		t.Errorf("an ordinary error came back as %v", err)
	}
	if err := recovered("the notifier", func() error { return nil }); err != nil {
		t.Errorf("no error came back as %v", err)
	}
}
