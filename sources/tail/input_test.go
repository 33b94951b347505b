package tail

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// source is the mapping node of a source's YAML, as CheckInput gets it.
func source(t *testing.T, in string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(in), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// TestCheckInputPaths: what the follower would refuse at start is refused
// in the config, at the path's line.
func TestCheckInputPaths(t *testing.T) {
	cases := []struct{ in, err string }{
		{"name: web\npaths:\n  - /var/log/a.log\n  - '/var/log/[a.log'\n", `line 4: paths[1]: bad glob "/var/log/[a.log": syntax error in pattern`},
		{"name: web\npaths: ['a\\']\n", `line 2: paths[0]: bad glob`},
		{"name: web\npaths: [a.log, '']\n", "line 2: paths[1]: empty path"},
		{"name: web\ncommand: ['', x]\n", "line 2: command[0]: empty command name"},
		{"name: web\npaths: ['/var/log/nginx/*access.log', '/var/log/[ab].log', '\\[literal\\].log']\n", ""},
		{"name: web\ncommand: [tail, -F, x]\n", ""},
	}
	for _, c := range cases {
		n, s := sourceInput(t, c.in)
		err := CheckInput(n, "web", s.Paths, s.Command, "end")
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: error %v, want %q", c.in, err, c.err)
		}
		// every path check accepts is one the follower accepts
		if err == nil {
			if _, err := New(Options{Paths: s.Paths, Command: s.Command}); err != nil {
				t.Errorf("%q: CheckInput passed, New: %v", c.in, err)
			}
		}
	}
	// a config built in code: no line, the field still named
	if err := CheckInput(nil, "web", []string{"[x"}, nil, "end"); err == nil || err.Error() != `paths[0]: bad glob "[x": syntax error in pattern (filepath.Match syntax: * ? [a-z] and \ to escape)` {
		t.Errorf("without a node: %v", err)
	}
}

// input is what a source's config says it follows.
type input struct {
	Paths   []string `yaml:"paths"`
	Command []string `yaml:"command"`
}

// sourceInput parses a source's YAML and what it follows.
func sourceInput(t *testing.T, in string) (*yaml.Node, input) {
	t.Helper()
	n := source(t, in)
	var s input
	if err := n.Decode(&s); err != nil {
		t.Fatal(err)
	}
	return n, s
}

func TestCheckFollows(t *testing.T) {
	cases := []struct{ in, err string }{
		{"name: web\npaths: []\n", "line 2: paths: nothing to follow"},
		{"name: web\npaths:\n", "line 2: paths: nothing to follow"},
		{"name: web\ncommand: []\n", "line 1: nothing to follow: give paths (files or globs) or command"},
		{"name: web\n", "line 1: nothing to follow"},
		{"name: web\npaths: [a.log]\n", ""},
		{"name: web\ncommand: [cat]\n", ""},
	}
	for _, c := range cases {
		n, s := sourceInput(t, c.in)
		err := CheckFollows(n, s.Paths, s.Command)
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: error %v, want %q", c.in, err, c.err)
		}
	}
}

// A pattern whose meta characters are all escaped names one file: the
// follower and replay follow it as a plain file.
func TestLiteral(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"/var/log/a.log", "/var/log/a.log", true},
		{`/srv/logs\[prod\]/a.log`, "/srv/logs[prod]/a.log", true},
		{`/srv/a\*b\?.log`, "/srv/a*b?.log", true},
		{`/srv/etc\\x/a.log`, `/srv/etc\x/a.log`, true},
		{"/var/log/*.log", "", false},
		{`/srv/logs\[prod\]/*.log`, "", false},
		{"/var/log/[ab].log", "", false},
	} {
		got, ok := Literal(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("Literal(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
