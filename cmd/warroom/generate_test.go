package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"warroom/sources/prom"
	"warroom/sources/tail"
)

// generate --mtail prints the program the mtail preset reads (the one a
// test runs under a real mtail), byte for byte.
func TestGenerateMtail(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"generate", "--mtail"}, &out, &errb); code != exitOK || out.String() != prom.MtailProgram || len(out.String()) < 100 {
		t.Fatalf("exit %d, %d bytes: %s", code, out.Len(), errb.String())
	}
}

// generate --campaign writes the logs and a config that reads them; the
// flags of a single log are refused with it.
func TestGenerateCampaign(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"generate", "--campaign", dir, "--days", "2", "--rate", "1", "--seed", "5"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	cfg, err := loadConfig(filepath.Join(dir, "warroom.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	paths, err := tail.Expand(cfg.AccessLogs[0].Paths, nil)
	if err != nil || len(paths) != 3 {
		t.Errorf("access logs %q (%v), want a file a day and the last night's", paths, err)
	}
	if cfg.Schedule == nil || len(cfg.Schedule.Recurring) != 1 || cfg.Schedule.Recurring[0].Count != 1 || len(cfg.Schedule.Stages) != 1 {
		t.Errorf("schedule %+v, want a day's stage end and the final", cfg.Schedule)
	}
	for _, args := range [][]string{
		{"generate", "--campaign", dir, "--lines", "5"},
		{"generate", "--campaign", dir, "-o", "x.log"},
		{"generate", "--campaign", dir, "--days", "0"},
		{"generate", "--campaign", dir, "--start", "yesterday"},
	} {
		errb.Reset()
		if code := run(args, &out, &errb); code != exitUsage || errb.Len() == 0 {
			t.Errorf("%q: exit %d, %q; want 2 and why", args, code, errb.String())
		}
	}
}
