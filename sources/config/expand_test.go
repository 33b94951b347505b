package config

import (
	"fmt"
	"strings"
	"testing"
)

// laughs is a "billion laughs" document for outer: level 0 is a list of
// ten names, each next level a list of ten aliases of the one before, so
// levels+1 lines expand to 10^(levels+1) items.
func laughs(levels int) string {
	var b strings.Builder
	b.WriteString("title: x\nitems:\n  - name: &l0 [a, a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i <= levels; i++ {
		p := fmt.Sprintf("*l%d", i-1)
		fmt.Fprintf(&b, "  - name: &l%d [%s]\n", i, strings.Repeat(p+", ", 9)+p)
	}
	return b.String()
}

func TestLoadRefusesAliasBombs(t *testing.T) {
	long := strings.Repeat("x", 100<<10)
	cases := []struct {
		name, in, err string
	}{
		// 10^9 names in a file of 700 bytes: refused at the level that
		// crosses the bound, before any decoding tries to build them
		{"nested lists", laughs(8), "line 8: aliases expand the document to more than 1048576 nodes"},
		// a 100 KiB string repeated 200 times in a 101 KiB file: a few
		// aliases, but 20 MB once joined or printed
		{"long string", "title: &s " + long + "\nitems:\n  - name: [" + strings.Repeat("*s, ", 199) + "*s]\n",
			"line 3: aliases expand the document to more than 16777216 bytes"},
		{"cycle", "items: &a\n  - name: x\n  - *a\n", "line 3: alias *a refers to the node that contains it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(c.in) > 200<<10 {
				t.Fatalf("the bomb is %d bytes: it should be small", len(c.in))
			}
			var o outer
			err := Load(strings.NewReader(c.in), &o)
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("error = %v, want it to contain %q", err, c.err)
			}
		})
	}
}

// Aliases that stay within the bounds decode as before, each alias a full
// copy of its anchor.
func TestLoadKeepsModestAliases(t *testing.T) {
	in := "title: &t hello\nitems:\n  - &i {name: a, every: 5m}\n  - *i\n  - name: *t\n"
	var o outer
	if err := Load(strings.NewReader(in), &o); err != nil {
		t.Fatal(err)
	}
	if len(o.Items) != 3 || o.Items[1].Name != "a" || o.Items[2].Name != "hello" {
		t.Fatalf("decoded %+v", o)
	}
}
