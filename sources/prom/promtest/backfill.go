package promtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// StartBackfilled runs a real Prometheus (as Start) over a data directory
// filled beforehand with promtool from openMetrics (OpenMetrics text ending
// in "# EOF", timestamps in seconds): history a replay can ask about, as a
// server that scraped that night would hold it.
func StartBackfilled(t testing.TB, config, openMetrics string) string {
	t.Helper()
	bin := Binary(t)
	tool := filepath.Join(filepath.Dir(bin), "promtool")
	if _, err := os.Stat(tool); err != nil {
		if tool, err = exec.LookPath("promtool"); err != nil {
			t.Fatal("promtool not found beside prometheus (Debian's prometheus package has it)")
		}
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	om := filepath.Join(dir, "night.om")
	if err := os.WriteFile(om, []byte(openMetrics), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "tsdb", "create-blocks-from", "openmetrics", om, data).CombinedOutput(); err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics: %v\n%s", err, out)
	}
	addr := FreeAddr(t)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	// no retention by time: the night may be older than the default 15 days
	run(t, dir, "http://"+addr+"/-/ready", bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+data, "--storage.tsdb.retention.time=100y", "--web.listen-address="+addr, "--log.level=warn")
	return "http://" + addr
}
