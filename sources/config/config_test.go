package config

import (
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

type inner struct {
	Name  string         `yaml:"name"`
	Every model.Duration `yaml:"every"`
}

type outer struct {
	Title string   `yaml:"title"`
	Items []inner  `yaml:"items"`
	Sub   *section `yaml:"sub"`
}

type section struct {
	Limit int `yaml:"limit"`
}

func (s *section) UnmarshalYAML(n *yaml.Node) error {
	*s = section{Limit: 10}
	type plain section
	if err := Decode(n, (*plain)(s)); err != nil {
		return err
	}
	if s.Limit <= 0 {
		return Errorf(FieldNode(n, "limit"), "limit", "must be positive, got %d", s.Limit)
	}
	return nil
}

func TestLoad(t *testing.T) {
	cases := []struct {
		name, in, err string
	}{
		{"ok", "title: x\nitems:\n  - name: a\n    every: 5m\nsub:\n  limit: 3\n", ""},
		{"empty", "", ""},
		{"unknown top", "title: x\nbogus: 1\n", "line 2: bogus: unknown field"},
		{"unknown in list", "items:\n  - name: a\n    evry: 5m\n", "line 3: evry: unknown field"},
		{"unknown in section", "sub:\n  limit: 2\n  lmit: 3\n", "line 3: lmit: unknown field"},
		{"validate", "sub:\n  limit: -1\n", "line 2: limit: must be positive"},
		{"bad duration", "items:\n  - every: fast\n", "not a valid duration"},
		{"negative duration", "items:\n  - name: a\n    every: -5m\n", "line 3: every: must not be negative, got -5m"},
		{"minus not a duration", "items:\n  - every: -fast\n", `line 2: every: not a valid duration string: "-fast"`},
		{"syntax", "title: [\n", "line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var o outer
			err := Load(strings.NewReader(c.in), &o)
			if c.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("error = %v, want it to contain %q", err, c.err)
			}
		})
	}
}

func TestSectionDefaults(t *testing.T) {
	var o outer
	if err := Load(strings.NewReader("sub: {}\n"), &o); err != nil {
		t.Fatal(err)
	}
	if o.Sub == nil || o.Sub.Limit != 10 {
		t.Fatalf("defaults not applied: %+v", o.Sub)
	}
}
