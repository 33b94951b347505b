package nginx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"warroom/sources/nginx"
)

// corpusEntry is one log_format statement found in a public config
// (testdata/logformat/*.txt): where it was found, what compiling it must
// give, what a test nginx needs to run it, and how to read its lines
// independently of the parser under test.
type corpusEntry struct {
	file      string
	name      string
	sources   []string
	real      bool // false for warroom's own format
	builtin   string
	escape    nginx.Escape
	vars      []string
	shapes    []string
	client    string   // "x_forwarded_for": the test checks the first hop
	noStatus  bool     // the format has no $status
	http      []string // nginx config the statement's variables need
	server    []string
	check     *regexp.Regexp    // named groups status, rt, urt
	json      map[string]string // or: role (status, rt, urt) → JSON key
	statement string
}

const corpusDir = "testdata/logformat"

// loadCorpus reads every entry; a malformed file fails the test with its
// name and line.
func loadCorpus(t *testing.T) []*corpusEntry {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: no files in %s (%v)", corpusDir, err)
	}
	var out []*corpusEntry
	for _, f := range files {
		e, err := readCorpusEntry(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func readCorpusEntry(file string) (*corpusEntry, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	head, stmt, ok := strings.Cut(string(data), "-- statement --\n")
	if !ok {
		return nil, fmt.Errorf("corpus: %s: no \"-- statement --\" line", file)
	}
	e := &corpusEntry{file: filepath.Base(file), statement: stmt, escape: nginx.EscapeDefault}
	for i, line := range strings.Split(strings.TrimSuffix(head, "\n"), "\n") {
		key, val, ok := strings.Cut(line, ": ")
		if !ok {
			return nil, fmt.Errorf("corpus: %s:%d: want \"key: value\", got %q", file, i+1, line)
		}
		switch key {
		case "name":
			e.name = val
		case "source":
			e.sources = append(e.sources, val)
		case "real":
			e.real = val == "yes"
		case "builtin":
			e.builtin = val
		case "escape":
			e.escape = map[string]nginx.Escape{"default": nginx.EscapeDefault, "json": nginx.EscapeJSON, "none": nginx.EscapeNone}[val]
		case "vars":
			e.vars = strings.Fields(val)
		case "shapes":
			e.shapes = strings.Fields(val)
		case "client":
			e.client = val
		case "status":
			e.noStatus = val == "none"
		case "http":
			e.http = append(e.http, val)
		case "server":
			e.server = append(e.server, val)
		case "check":
			re, err := regexp.Compile(val)
			if err != nil {
				return nil, fmt.Errorf("corpus: %s:%d: check: %w", file, i+1, err)
			}
			e.check = re
		case "json":
			e.json = map[string]string{}
			for _, kv := range strings.Fields(val) {
				role, k, _ := strings.Cut(kv, "=")
				e.json[role] = k
			}
		case "note":
		default:
			return nil, fmt.Errorf("corpus: %s:%d: unknown key %q", file, i+1, key)
		}
	}
	if e.name == "" || len(e.sources) == 0 || len(e.vars) == 0 || (e.check == nil) == (e.json == nil) {
		return nil, fmt.Errorf("corpus: %s: needs name, source, vars and one of check or json", file)
	}
	return e, nil
}

func (e *corpusEntry) has(v string) bool { return slices.Contains(e.vars, v) }

// reads reports whether the independent reading gives role.
func (e *corpusEntry) reads(role string) bool {
	if e.check != nil {
		return slices.Contains(e.check.SubexpNames(), role)
	}
	_, ok := e.json[role]
	return ok
}

// fields reads a line the way the entry's own regular expression or JSON
// keys say, without the parser under test: role (status, rt, urt) → the
// text logged. A role the format lacks is absent.
func (e *corpusEntry) fields(line string) (map[string]string, error) {
	out := map[string]string{}
	if e.check != nil {
		m := e.check.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("check does not match")
		}
		for i, name := range e.check.SubexpNames() {
			if name != "" {
				out[name] = m[i]
			}
		}
		return out, nil
	}
	d := json.NewDecoder(strings.NewReader(line))
	d.UseNumber()
	var obj map[string]any
	if err := d.Decode(&obj); err != nil {
		return nil, err
	}
	for role, key := range e.json {
		switch v := obj[key].(type) {
		case string:
			out[role] = v
		case json.Number:
			out[role] = v.String()
		default:
			return nil, fmt.Errorf("key %q: %T", key, obj[key])
		}
	}
	return out, nil
}

// statementName is the name a log_format statement gives its format.
func statementName(stmt string) string {
	rest := strings.TrimPrefix(strings.TrimLeft(stmt, " \t\n"), "log_format")
	return strings.Fields(rest)[0]
}

// corpusShapes are the shapes issue 15 lists; every one must be in some
// entry, so that dropping an entry cannot quietly drop a shape.
var corpusShapes = []string{
	"hash-comments", "escape-tab", "escape-newline", "newline-after-name", "newline-after-escape",
	"unquoted-request", "time-local-no-brackets", "unquoted-upstream-lists",
	"unquoted-upstream-addr-then-colon", "unquoted-upstream-list-then-comma",
	"unquoted-xff-before-remote-addr", "request-method-uri-protocol", "uri-decoded",
	"ltsv", "escape-json", "json-bare-numbers", "json-quoted-values", "escape-none",
}

// TestCorpusCompiles compiles every statement of the corpus: it must
// compile, list the variables nginx would log in order, keep its escape
// mode and name, and a builtin of the same name must be the same format.
func TestCorpusCompiles(t *testing.T) {
	entries := loadCorpus(t)
	real, seen := 0, map[string]bool{}
	for _, e := range entries {
		if e.real {
			real++
		}
		for _, s := range e.shapes {
			seen[s] = true
		}
	}
	if real < 12 {
		t.Errorf("corpus has %d statements from public configs, want at least 12", real)
	}
	for _, s := range corpusShapes {
		if !seen[s] {
			t.Errorf("no corpus entry has shape %q", s)
		}
	}
	for _, e := range entries {
		t.Run(e.name, func(t *testing.T) {
			if !e.noStatus && !e.reads("status") {
				t.Errorf("%s: the independent reading has no status", e.file)
			}
			f, err := nginx.CompileFormat(e.statement)
			if err != nil {
				t.Fatalf("%s: compile: %v", e.file, err)
			}
			if got := f.Variables(); !slices.Equal(got, e.vars) {
				t.Errorf("%s: variables\n got %v\nwant %v", e.file, got, e.vars)
			}
			if f.Escape != e.escape {
				t.Errorf("%s: escape %v, want %v", e.file, f.Escape, e.escape)
			}
			if want := statementName(e.statement); f.Name != want {
				t.Errorf("%s: name %q, want %q", e.file, f.Name, want)
			}
			if e.builtin == "" {
				return
			}
			b, err := nginx.CompileFormat(e.builtin)
			if err != nil {
				t.Fatalf("%s: builtin %q: %v", e.file, e.builtin, err)
			}
			if got := b.Variables(); !slices.Equal(got, e.vars) {
				t.Errorf("%s: builtin %q variables\n got %v\nwant %v", e.file, e.builtin, got, e.vars)
			}
		})
	}
}

// nonEmptyLines splits a log into its lines, leaving out blank ones (a
// format ending in \n writes one after every entry).
func nonEmptyLines(data []byte) []string {
	var out []string
	for _, l := range bytes.Split(data, []byte("\n")) {
		if len(l) > 0 {
			out = append(out, string(l))
		}
	}
	return out
}
