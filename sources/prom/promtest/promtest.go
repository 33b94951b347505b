// Package promtest finds the Prometheus binary for tests that start a
// real server on loopback.
package promtest

import (
	"os"
	"os/exec"
	"testing"
)

// Binary returns the Prometheus binary (Debian: /usr/bin/prometheus). When
// it is not installed the test is skipped, or fails when
// WARROOM_REQUIRE_INTEGRATION=1 (as .ci/run sets it).
func Binary(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/prometheus"); err == nil {
		return "/usr/bin/prometheus"
	}
	if p, err := exec.LookPath("prometheus"); err == nil {
		return p
	}
	if os.Getenv("WARROOM_REQUIRE_INTEGRATION") == "1" {
		t.Fatal("prometheus not installed (apt-get install prometheus); WARROOM_REQUIRE_INTEGRATION=1 requires it")
	}
	t.Skip("prometheus not installed (apt-get install prometheus); set WARROOM_REQUIRE_INTEGRATION=1 to make this a failure")
	return ""
}
