package nginx

import "bytes"

// FormatVar is one variable of a compiled format as a line writes it:
// its name, the literal text after it (empty for the last one, whose
// value runs to the end of the line), and whether its value may hold the
// bytes that literal starts with (a list, an unquoted request, a
// $time_local followed by a space), so a reader that ends the value at
// the literal's first occurrence may end it early.
type FormatVar struct {
	Name      string
	After     string
	Ambiguous bool
}

// Layout is the format as a line is written: the literal before the
// first variable, then each variable with the literal after it — for a
// reader elsewhere (VictoriaLogs' extract pipe) to read the lines as this
// package does.
func (f *Format) Layout() (prefix string, vars []FormatVar) {
	vars = make([]FormatVar, len(f.steps))
	for i, s := range f.steps {
		vars[i] = FormatVar{Name: s.name, After: string(s.after),
			Ambiguous: s.kind != kindPlain || (s.field == fTimeLocal && bytes.HasPrefix(s.after, []byte(" ")))}
	}
	return string(f.prefix), vars
}
