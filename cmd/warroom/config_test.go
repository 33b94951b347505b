package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckGood(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"check", "testdata/good.yml"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"testdata/good.yml: OK", "refresh: 2s", "access logs: 2",
		"web: /var/log/nginx/access.log", "format timed: 10 variables", "client x_forwarded_for, slow > 800ms",
		"group pay: prefix /pay/, slow 300ms", "group static: glob /static/*, slow inherited",
		"api: command: ssh web2 tail -F /var/log/nginx/access.log",
		"warning: no $request_time",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCheckBad(t *testing.T) {
	cases := map[string]string{
		"bad_unknown_key.yml":       "line 4: formt: unknown field",
		"bad_format.yml":            "line 4: format: nginx: format at col 13: variables $remote_addr and $status have no delimiter",
		"bad_client.yml":            "line 4: client: want remote_addr, x_forwarded_for or x_real_ip",
		"bad_group_dup.yml":         `line 6: groups[1].name: duplicate group "pay"`,
		"bad_duration.yml":          `line 3: slow: not a valid duration string: "fast"`,
		"bad_refresh.yml":           "line 1: refresh: must be between 100ms and 1m",
		"bad_dup_source.yml":        `access_logs[1].name: duplicate source name "a"`,
		"bad_paths_and_command.yml": "line 4: command: give paths or command, not both",
		"bad_syntax.yml":            "line 1: did not find expected node content",
	}
	for file, want := range cases {
		var out, errb bytes.Buffer
		code := run([]string{"check", filepath.Join("testdata", file)}, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), want) || !strings.Contains(errb.String(), file) {
			t.Errorf("%s: exit %d, stderr %q; want %q", file, code, errb.String(), want)
		}
	}
}

func TestCheckMissingFile(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"check", "testdata/nope.yml"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "nope.yml") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}
