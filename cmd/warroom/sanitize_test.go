package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// hostileRunes are what no output may carry raw: C1 controls (NEL, CSI),
// DEL, bidi overrides and isolates, zero-width characters, a BOM and a tag.
const hostileRunes = "\u0085\u009b\x7f\u202e\u2066\u200b\u200d\ufeff\U000e0041"

// hostilePaths each carry some of them.
var hostilePaths = []string{"/admin\u200b", "/pay\u202eexe.gpj", "/c1\u009b2J", "/del\x7f", "/zw\u200d\u2066", "/bom\ufeff", "/tag\U000e0041"}

func hostileLog(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for i, p := range hostilePaths {
		fmt.Fprintf(&b, "10.0.0.%d - - [31/Dec/2026:23:30:0%d +0800] \"GET %s HTTP/1.1\" 200 1 \"-\" \"ua\u202e\u200b\u0085\x7f\" 0.1 -\n", i, i, p)
	}
	b.WriteString("junk \u202e\u200b\u009b\x7f\u0085 line\n") // malformed: shown as a sample
	p := filepath.Join(t.TempDir(), "hostile.log")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// noRaw fails when out carries a hostile rune or a control byte other than
// the newline.
func noRaw(t *testing.T, what string, out []byte) {
	t.Helper()
	if bytes.ContainsAny(out, hostileRunes) {
		t.Errorf("%s carries a raw control or format character:\n%q", what, out)
	}
	for _, c := range out {
		if c < 0x20 && c != '\n' {
			t.Errorf("%s carries control byte %#x:\n%q", what, c, out)
			break
		}
	}
}

func TestScanTextShowsHostileCharacters(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"scan", hostileLog(t)}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	noRaw(t, "scan's report", out.Bytes())
	for _, want := range []string{`/admin\u200b`, `/pay\u202eexe.gpj`, `/c1\x9b2J`, `/del\x7f`, `/zw\u200d\u2066`, `/bom\ufeff`, `/tag\U000e0041`,
		`junk \u202e\u200b\x9b\x7f\x85 line`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %s:\n%s", want, out.String())
		}
	}
}

func TestScanJSONEscapesHostileCharactersExactly(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"scan", "--json", hostileLog(t)}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	noRaw(t, "scan --json", out.Bytes())
	var s struct {
		TopPaths []struct {
			Key string `json:"key"`
		} `json:"top_paths"`
	}
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	var got []string
	for _, p := range s.TopPaths {
		got = append(got, p.Key)
	}
	want := slices.Clone(hostilePaths)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("paths decode to %q, want %q", got, want)
	}
}

func TestCheckShowsHostileConfigText(t *testing.T) {
	good, err := os.ReadFile("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	hostile := strings.NewReplacer(
		"event: Year-end 2026", `event: "Year-end \u202e2026\u200b \e]0;pwned\a\u009b2J\x7f"`,
		`name: "Day {n}"`, `name: "Day\u2066 {n}"`,
		"{name: pay, prefix: /pay/,", `{name: pay, prefix: "/pay\ufeff/",`,
	).Replace(string(good))
	p := filepath.Join(t.TempDir(), "hostile.yml")
	if err := os.WriteFile(p, []byte(hostile), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"check", p}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	noRaw(t, "check", out.Bytes())
	for _, want := range []string{`Year-end \u202e2026\u200b \x1b]0;pwned\x07\x9b2J\x7f (Asia/Shanghai)`, `Day\u2066 1`, `prefix /pay\ufeff/`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check lacks %s:\n%s", want, out.String())
		}
	}

	out.Reset()
	errb.Reset()
	missing := filepath.Join(t.TempDir(), "no\u202elmy.yml\x1b[2J")
	if code := run([]string{"check", missing}, &out, &errb); code != exitUsage {
		t.Fatalf("exit %d for a missing file", code)
	}
	noRaw(t, "check's error", errb.Bytes())
	if !strings.Contains(errb.String(), `no\u202elmy.yml\x1b[2J`) {
		t.Errorf("error %q does not name the file", errb.String())
	}
}

// A Prometheus error with control and format characters reaches snapshot's
// JSON, its table and its stderr shown by the policy, never raw.
func TestSnapshotShowsHostileServerText(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(map[string]string{"status": "error", "errorType": "execution", "error": "bad\u202e\u200b\u009b2J\x7f\ufeff"})
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	access, app := writeLiveLogs(t, dir)
	cfg := writeConfig(t, dir, access, app, srv.URL)
	for _, args := range [][]string{{"--json"}, nil} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"snapshot", "-c", cfg, "--timeout", "5s"}, args...), &out, &errb); code != exitProblem {
			t.Fatalf("%v: exit %d\nstdout %s\nstderr %s", args, code, out.String(), errb.String())
		}
		noRaw(t, fmt.Sprint("snapshot ", args), out.Bytes())
		noRaw(t, fmt.Sprint("snapshot's stderr ", args), errb.Bytes())
		shown := `bad\u202e\u200b\x9b2J\x7f\ufeff`
		if args != nil {
			shown = strings.ReplaceAll(shown, `\`, `\\`) // a JSON string
		}
		if !strings.Contains(out.String(), shown) {
			t.Errorf("%v: output lacks %s:\n%s", args, shown, out.String())
		}
	}
}

// yaml quotes a value it cannot read as it is; every command prints that
// error shown by the policy.
func TestConfigErrorShowsHostileValue(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(p, []byte("app_logs:\n  - name: app\n    paths: [/tmp/x]\n    keep: \"x\\u202ey\\u009b\\u200b\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"snapshot", "-c", p}, &out, &errb); code != exitUsage {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	noRaw(t, "a config error", errb.Bytes())
	if !strings.Contains(errb.String(), `x\u202ey\x9b\u200b`) {
		t.Errorf("error %q does not show the value", errb.String())
	}
}
