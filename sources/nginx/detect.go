package nginx

import (
	"fmt"
	"unicode/utf8"
)

// Auto-detection and parse health: which builtin format reads a sample of
// lines, and, for any format, how many lines it reads and where the first
// line it cannot read stops fitting. Zero config uses it to pick a format,
// `check` to judge a configured one, and both to say why when none fits.

// SampleLines is how many lines detection and `check` look at.
const SampleLines = 1000

// Thresholds of parse health, in lines read per hundred.
const (
	DetectPercent = 99 // a builtin is picked when it reads this many
	WarnPercent   = 99 // check warns below this
	FailPercent   = 90 // check fails below this
)

// Failure is where one line stopped fitting a format.
type Failure struct {
	Index  int    // in the sample, 0-based
	Col    int    // 1-based, in characters
	Reason Reason //
	What   string // what was expected there, e.g. `no " " after $request_time`
	Line   string // the line, cut to 200 bytes between characters; not sanitized
}

func (f *Failure) String() string {
	if f.Reason == ReasonNone {
		return fmt.Sprintf("col %d: %s", f.Col, f.What)
	}
	return fmt.Sprintf("col %d: %s (%s)", f.Col, f.What, f.Reason)
}

// Trial is how well one format reads a sample.
type Trial struct {
	Format *Format
	Lines  int      // non-empty lines tried
	OK     int      // lines read
	Whole  int      // lines read to their last byte
	Bad    *Failure // the first line not read; nil when all were
	Rest   *Failure // the first line read with bytes left over; Col is where they start
}

// Percent is the share of lines read, 0..100; 0 for no lines.
func (t Trial) Percent() float64 {
	if t.Lines == 0 {
		return 0
	}
	return 100 * float64(t.OK) / float64(t.Lines)
}

// TryFormat parses every non-empty line of sample with f. Times are held to
// the form nginx writes ($request_time with its milliseconds), so a format
// does not "read" a line whose numbers mean something else.
func TryFormat(f *Format, sample [][]byte) Trial {
	p := NewParser(f, ClientRemoteAddr)
	p.strict = true
	t := Trial{Format: f}
	var r Record
	for i, line := range sample {
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			continue
		}
		t.Lines++
		reason := p.Parse(line, &r)
		if reason != ReasonNone {
			if t.Bad == nil {
				t.Bad = p.failure(i, line, reason)
			}
			continue
		}
		t.OK++
		if p.end >= len(line) {
			t.Whole++
		} else if t.Rest == nil {
			t.Rest = &Failure{Index: i, Col: col(line, p.end), What: fmt.Sprintf("%q left after the format's end", cut(line[p.end:], 40)), Line: cut(line, 200)}
		}
	}
	return t
}

// failure describes where the last Parse of line stopped.
func (p *Parser) failure(i int, line []byte, reason Reason) *Failure {
	at := min(max(p.at, 0), len(line))
	f := &Failure{Index: i, Col: col(line, at), Reason: reason, Line: cut(line, 200)}
	switch {
	case reason == ReasonTooLong || reason == ReasonNUL || reason == ReasonEmpty:
		f.What, f.Col = reason.String(), 1
	case p.atStep < 0:
		f.What = fmt.Sprintf("the format starts with %q", cut(p.f.prefix, 40))
	case p.atStep < len(p.f.steps):
		s := &p.f.steps[p.atStep]
		switch reason {
		case ReasonTruncated, ReasonLayout:
			f.What = fmt.Sprintf("no %q after $%s", s.after, s.name)
		case ReasonStatus:
			f.What = fmt.Sprintf("$%s is not a 3-digit status", s.name)
		case ReasonTime:
			f.What = fmt.Sprintf("$%s is not a time", s.name)
		default:
			f.What = fmt.Sprintf("$%s is not a number as nginx writes it", s.name)
		}
	default:
		f.What = reason.String()
	}
	return f
}

// col is the 1-based character column of byte at in line.
func col(line []byte, at int) int { return 1 + utf8.RuneCount(line[:at]) }

// cut is b as a string of at most n bytes, not ending inside a character.
func cut(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]) + "…"
}

// Detection is what auto-detection found.
type Detection struct {
	Format  *Format // the builtin picked; nil when none reads DetectPercent of the lines
	Partial bool    // the pick leaves bytes unread on some lines (more variables than it knows)
	Trials  []Trial // every builtin, in BuiltinNames order
	Closest *Trial  // when Format is nil: the builtin that read most
}

// Detect picks the builtin format that reads at least DetectPercent of
// sample: first among those that read the lines to their end, then among
// those that read them at all; of several, the one with more variables
// (main over combined when lines carry $http_x_forwarded_for). Between
// the two, a builtin that reads at least FailPercent of the lines whole is
// the closest (Use): better than one that reads them all in part.
func Detect(sample [][]byte) Detection {
	var d Detection
	for _, name := range BuiltinNames {
		d.Trials = append(d.Trials, TryFormat(MustBuiltin(name), sample))
	}
	pick := func(n func(Trial) int) *Trial {
		var best *Trial
		for i := range d.Trials {
			t := &d.Trials[i]
			if t.Lines == 0 || n(*t)*100 < DetectPercent*t.Lines {
				continue
			}
			if best == nil || len(t.Format.steps) > len(best.Format.steps) {
				best = t
			}
		}
		return best
	}
	if t := pick(func(t Trial) int { return t.Whole }); t != nil {
		d.Format = t.Format
		return d
	}
	// A builtin that reads most lines whole beats one that reads them all
	// in part: a reload's stragglers in the old format, or another vhost's
	// lines, must not make the log read without its times.
	for i := range d.Trials {
		t := &d.Trials[i]
		if t.Lines > 0 && t.Whole*100 >= FailPercent*t.Lines && (d.Closest == nil || t.Whole > d.Closest.Whole ||
			t.Whole == d.Closest.Whole && len(t.Format.steps) > len(d.Closest.Format.steps)) {
			d.Closest = t
		}
	}
	if d.Closest != nil {
		return d
	}
	if t := pick(func(t Trial) int { return t.OK }); t != nil {
		d.Format, d.Partial = t.Format, true
		return d
	}
	// the closest reads the most lines; of those, the one that reads them
	// to their end, then the one with more variables (upstreaminfo over
	// combined on a log of both, which combined reads in part)
	for i := range d.Trials {
		t := &d.Trials[i]
		c := d.Closest
		if c == nil || t.OK > c.OK || t.OK == c.OK && (t.Whole > c.Whole || t.Whole == c.Whole && len(t.Format.steps) > len(c.Format.steps)) {
			d.Closest = t
		}
	}
	return d
}

// Use is the format a source reads with after d: the pick, else the
// closest builtin; fits is false when that reads under FailPercent of the
// sample (the source's numbers would describe a minority of its lines).
func (d Detection) Use() (f *Format, fits bool) {
	if d.Format != nil {
		return d.Format, true
	}
	if d.Closest == nil {
		return nil, false
	}
	return d.Closest.Format, d.Closest.Percent() >= FailPercent
}

// Short says the same as String in a few words, for a status bar: the
// format's name, and how well it reads the sample when not all of it.
func (d Detection) Short() string {
	f, fits := d.Use()
	switch {
	case f == nil:
		return "format to be detected"
	case d.Format != nil && !d.Partial:
		return f.Name
	case d.Format != nil:
		return f.Name + ", in part: paste your log_format"
	case fits:
		return fmt.Sprintf("%s, %d of %d lines", f.Name, d.Closest.OK, d.Lines())
	}
	return fmt.Sprintf("no builtin format reads the log (closest %s, %d of %d lines): paste your log_format", f.Name, d.Closest.OK, d.Lines())
}

// Lines is the sample's size (non-empty lines).
func (d Detection) Lines() int {
	if len(d.Trials) == 0 {
		return 0
	}
	return d.Trials[0].Lines
}

// String says what was picked, or why nothing was, in one line (not
// sanitized: it quotes the log).
func (d Detection) String() string {
	n := d.Lines()
	switch {
	case n == 0:
		return "no lines to detect the format from yet"
	case d.Format != nil && !d.Partial:
		return fmt.Sprintf("format %s (detected: reads %d of %d lines)", d.Format.Name, d.trial(d.Format).OK, n)
	case d.Format != nil:
		t := d.trial(d.Format)
		return fmt.Sprintf("format %s (detected: reads %d of %d lines, but not to their end: %s; paste your log_format to read the rest)",
			d.Format.Name, t.OK, n, t.Rest)
	}
	c := d.Closest
	if _, fits := d.Use(); fits {
		return fmt.Sprintf("format %s (detected: the closest, reads %d of %d lines; one it does not: %s: %s)",
			c.Format.Name, c.OK, n, c.Bad, c.Bad.Line)
	}
	return fmt.Sprintf("no built-in format reads these lines (closest: %s, %d of %d; one it does not: %s: %s); paste your log_format",
		c.Format.Name, c.OK, n, c.Bad, c.Bad.Line)
}

func (d Detection) trial(f *Format) Trial {
	for _, t := range d.Trials {
		if t.Format == f {
			return t
		}
	}
	return Trial{}
}
