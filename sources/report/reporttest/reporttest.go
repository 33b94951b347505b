// Package reporttest reads milestone reports in tests: a section by its
// heading, a table's rows.
package reporttest

import "strings"

// Section is the text under a Markdown heading, up to the next one; ""
// when the report has no such heading.
func Section(md, heading string) string {
	i := strings.Index(md, "\n## "+heading+"\n")
	if i < 0 {
		return ""
	}
	s := md[i+len(heading)+5:]
	if j := strings.Index(s, "\n## "); j >= 0 {
		s = s[:j]
	}
	return s
}

// TableRows are a section's table rows, past its header.
func TableRows(section string) []string {
	var out []string
	for _, l := range strings.Split(section, "\n") {
		if strings.HasPrefix(l, "| ") && !strings.HasPrefix(l, "|---") && !strings.Contains(l, "| requests |") {
			out = append(out, l)
		}
	}
	return out
}
