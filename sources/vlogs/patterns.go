package vlogs

import (
	"fmt"
	"regexp"
	"strings"

	"warroom/sources/applog"
)

// pattern is one thing an app stream counts: a pack's member or the
// user's own. VictoriaLogs does the matching (a LogsQL substring or
// regexp filter on the message); the regexp is compiled here too, to
// check it before any server sees it and to find the match in a line
// shown.
type pattern struct {
	name      string
	pack      string // the pack it came from; "" for the user's own
	substring string
	regexp    string
	re        *regexp.Regexp
	own       int // index among the user's patterns; -1 for a pack's
}

// patternError names which of the user's patterns is bad (own ≥ 0) or
// none (a duplicate of a pack's member name is the user's fault too).
type patternError struct {
	own int
	err error
}

func (e *patternError) Error() string { return e.err.Error() }

// compilePatterns lists the packs' members, then the user's own, as the
// application-log watcher does, so an app stream's indicators are named
// as an app log's (app.db, app.econnreset, app.oom).
func compilePatterns(packs []string, own []PatternConfig) ([]pattern, error) {
	var out []pattern
	names := map[string]bool{}
	for _, pk := range packs {
		names[pk] = true
	}
	for _, pk := range packs {
		ps, ok := applog.Packs[pk]
		if !ok {
			return nil, &patternError{own: -1, err: fmt.Errorf("unknown pack %q (known: db, upstream)", pk)}
		}
		for _, p := range ps {
			if names[p.Name] {
				continue // a pack given twice
			}
			names[p.Name] = true
			out = append(out, pattern{name: p.Name, pack: pk, substring: p.Substring, regexp: p.Regexp, own: -1})
		}
	}
	for i, c := range own {
		p := pattern{name: c.Name, substring: c.Substring, regexp: c.Regexp, own: i}
		switch {
		case !nameRE.MatchString(c.Name):
			return nil, &patternError{own: i, err: fmt.Errorf("name must be letters, digits, _ or -, got %q", c.Name)}
		case names[c.Name]:
			return nil, &patternError{own: i, err: fmt.Errorf("name %q is already used (by a pack or another pattern)", c.Name)}
		case (c.Substring == "") == (c.Regexp == ""):
			return nil, &patternError{own: i, err: fmt.Errorf("pattern %q: give exactly one of substring or regexp", c.Name)}
		}
		names[c.Name] = true
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, &patternError{own: -1, err: fmt.Errorf("no patterns (add packs: [db] or patterns)")}
	}
	for i := range out {
		if out[i].regexp == "" {
			continue
		}
		re, err := regexp.Compile(out[i].regexp)
		if err != nil {
			return nil, &patternError{own: out[i].own, err: fmt.Errorf("pattern %q: %v", out[i].name, err)}
		}
		out[i].re = re
	}
	return out, nil
}

// filter is the pattern as a LogsQL filter on the message.
func (p pattern) filter() string {
	if p.substring != "" {
		return "*" + quote(p.substring) + "*"
	}
	return "~" + quote(p.regexp)
}

// find is where the pattern matches text; ok false when it does not (the
// server matched what the line shown no longer holds whole).
func (p pattern) find(text string) (from, to int, ok bool) {
	if p.re != nil {
		if m := p.re.FindStringIndex(text); m != nil {
			return m[0], m[1], true
		}
		return 0, 0, false
	}
	if i := strings.Index(text, p.substring); i >= 0 {
		return i, i + len(p.substring), true
	}
	return 0, 0, false
}
