package vlogs

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"warroom/sources/nginx"
)

// The LogsQL warroom sends. Every name and value from the config goes in
// quoted (a Go string literal is a LogsQL one), so a field called
// `request time` or a pattern with a quote in it stays what it is. The
// user's filter goes first, in parentheses, then warroom's pipes.

func quote(s string) string { return strconv.Quote(s) }

// selected is the stream's lines, narrowed by more filters (ANDed).
func selected(filter string, more ...string) string {
	var b strings.Builder
	b.WriteByte('(')
	b.WriteString(filter)
	b.WriteString(")")
	for _, m := range more {
		b.WriteByte(' ')
		b.WriteString(m)
	}
	return b.String()
}

// lines is an access stream's lines with their fields: its filter, then
// the pipes that read raw nginx lines when it has a format.
func (c StreamConfig) lines() string { return selected(c.Filter) + c.raw }

// seconds writes d as LogsQL reads a number of seconds.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// accessColumns are what an access stream counts per second, in the order
// of a ring's columns: the stream's, then the same for each path group
// (accessWidth more columns a group).
const (
	colTotal = iota
	colTimed
	colSlow
	col499
	col304
	col404
	col5xx
	accessWidth
)

var accessNames = [accessWidth]string{"total", "timed", "slow", "s499", "s304", "s404", "s5xx"}

// counterNames are the names of an access stream's columns, as
// countersQuery names its series: accessNames, then g<i>_ and the same
// for group i (numbered: a group's name is the user's, not a LogsQL
// name).
func counterNames(c StreamConfig) []string {
	out := append([]string(nil), accessNames[:]...)
	for i := range c.Groups {
		for _, n := range accessNames {
			out = append(out, groupCol(i)+n)
		}
	}
	return out
}

func groupCol(i int) string { return "g" + strconv.Itoa(i) + "_" }

// accessMarks are the conditions of an access stream's counts, as the
// access-log aggregator counts them: timed requests carry a number in
// request_time (VictoriaLogs reads "-" as -0, so it is left out by
// name), slow ones took longer than slow, 5xx is 500–599.
type accessMarks struct {
	timed, slow, s499, s304, s404, s5xx string
}

func marksOf(c StreamConfig) accessMarks { return marksAt(c, time.Duration(c.Slow)) }

// marksAt are the marks with slow as the threshold (a group's own).
func marksAt(c StreamConfig, slow time.Duration) accessMarks {
	st, rt := quote(c.Fields.Status), quote(c.Fields.RequestTime)
	return accessMarks{
		timed: rt + ":>=0 -" + rt + `:="-"`,
		slow:  rt + ":>" + seconds(slow),
		s499:  st + ":=499",
		s304:  st + ":=304",
		s404:  st + ":=404",
		s5xx:  st + ":>=500 " + st + ":<600",
	}
}

// conds are the marks in column order after total.
func (m accessMarks) conds() [accessWidth - 1]string {
	return [...]string{m.timed, m.slow, m.s499, m.s304, m.s404, m.s5xx}
}

// countersQuery is an access stream's per-step counters: one series per
// column, named as counterNames — the stream's and every group's in one
// request. With groups, pipes first cut the path at its first '?' (a
// group matches the path without its query, as an access log's does)
// and name each line's group in a field of warroom's, the first group
// that matches it (its pipe comes last): each group's path filter runs
// once a line rather than once a column, and needs no other's.
func countersQuery(c StreamConfig) string {
	var b strings.Builder
	b.WriteString(c.lines())
	gf := groupField(c)
	if len(c.Groups) > 0 {
		b.WriteString(" | replace_regexp (" + quote(`(?s)\?.*`) + `, "") at ` + quote(c.Fields.Path))
		b.WriteString(" | delete " + quote(gf)) // a line's own field of the name
		for i := len(c.Groups) - 1; i >= 0; i-- {
			b.WriteString(" | format if (" + pathFilter(c.Fields.Path, c.Groups[i]) + ") " + quote(strconv.Itoa(i)) + " as " + quote(gf))
		}
	}
	b.WriteString(" | stats count() as total")
	for k, cond := range marksOf(c).conds() {
		b.WriteString(", count() if (" + cond + ") as " + accessNames[k+1])
	}
	for i, g := range c.Groups {
		slow := time.Duration(g.Slow)
		if slow == 0 {
			slow = time.Duration(c.Slow)
		}
		in, p := quote(gf)+":="+strconv.Itoa(i), groupCol(i)
		b.WriteString(", count() if (" + in + ") as " + p + accessNames[colTotal])
		for k, cond := range marksAt(c, slow).conds() {
			b.WriteString(", count() if (" + in + " " + cond + ") as " + p + accessNames[k+1])
		}
	}
	return b.String()
}

// groupField is the field countersQuery names a line's group in: not
// the path's.
func groupField(c StreamConfig) string {
	if c.Fields.Path == "warroom_group" {
		return "warroom_group_"
	}
	return "warroom_group"
}

// pathFilter is the LogsQL filter of the lines whose path (cut at its
// query) a group matches as an access log matches it. A prefix, and a
// glob that is a literal and one trailing '*', is an exact-prefix
// filter; a glob without a wildcard an exact one; any other glob an
// anchored regexp: '*' any run, '?' one character, the rest literal.
// '?' is one character there, where an access log reads one byte: the
// two differ only on paths with non-ASCII characters, which clients
// percent-encode. (No negated class, such as [^?], in the regexp:
// VictoriaLogs takes some 12 ms to prepare one, at every poll.)
func pathFilter(field string, g nginx.GroupConfig) string {
	f := quote(field)
	m := pathMatch(g)
	switch {
	case m.re != "":
		return f + ":~" + quote(m.re)
	case m.whole:
		return f + ":=" + quote(m.lit)
	}
	return f + ":=" + quote(m.lit) + "*"
}

// groupPath is what pathFilter asks of a path without its query: that
// it be lit (whole) or start with it, or when re is set, match it.
type groupPath struct {
	lit   string
	whole bool
	re    string
}

func pathMatch(g nginx.GroupConfig) groupPath {
	switch {
	case g.Prefix != "":
		return groupPath{lit: g.Prefix}
	case !strings.ContainsAny(g.Glob, "*?"):
		return groupPath{lit: g.Glob, whole: true}
	}
	if lit, ok := strings.CutSuffix(g.Glob, "*"); ok && !strings.ContainsAny(lit, "*?") {
		return groupPath{lit: lit}
	}
	return groupPath{re: globRegexp(g.Glob)}
}

// globRegexp is a glob as an RE2 regexp of the whole path; (?s): a path
// may hold a newline.
func globRegexp(glob string) string {
	var b strings.Builder
	b.WriteString("(?s)^")
	for glob != "" {
		i := strings.IndexAny(glob, "*?")
		if i < 0 {
			i = len(glob)
		}
		b.WriteString(regexp.QuoteMeta(glob[:i]))
		if i == len(glob) {
			break
		}
		if glob[i] == '*' {
			b.WriteString(".*")
		} else {
			b.WriteString(".")
		}
		glob = glob[i+1:]
	}
	b.WriteString("$")
	return b.String()
}

// routePipes group the paths in field f by route, as the access log's
// normalizer does with whole segments: the query dropped, a segment of
// digits, a UUID or 16 or more hex digits replaced by :id, :uuid or :hex
// — so /order/123?x=1 and /order/456 are one row however many orders
// there are, while /v1/ and /v2/ stay apart. (Slashes are doubled while
// segments are replaced, so each match can take the slash after its
// segment without hiding the next one.) What the normalizer does inside
// segments (hashed asset names) is done on the rows (normalized), which
// only merges them further.
func routePipes(f string) string {
	seg := func(re, rep string) string {
		return " | replace_regexp (" + quote("/"+re+"(/|$)") + ", " + quote("/"+rep+"$1") + ") at " + f
	}
	hex := "[0-9a-fA-F]"
	return ` | replace_regexp ("[?#].*", "") at ` + f + ` | replace_regexp ("/", "//") at ` + f +
		seg("[0-9]+", ":id") + seg(hex+"{8}-"+hex+"{4}-"+hex+"{4}-"+hex+"{4}-"+hex+"{12}", ":uuid") + seg(hex+"{16,}", ":hex") +
		` | replace_regexp ("//", "/") at ` + f
}

// tableQuery ranks the values of field (a path, a client, a host) over a
// span by requests, with their 499s, slow requests and 5xx, n rows at
// most. Paths are grouped by route first (routePipes).
func tableQuery(c StreamConfig, field string, n int) string {
	m := marksOf(c)
	f := quote(field)
	var route string
	if field == c.Fields.Path {
		route = routePipes(f)
	}
	return c.lines() + route + " | stats by (" + f + ") count() as n, count() if (" + m.s499 + ") as s499, count() if (" +
		m.slow + ") as slow, count() if (" + m.s5xx + ") as s5xx | sort by (n desc, " + f + ") | limit " + strconv.Itoa(n)
}

// spanQuery counts a span's requests (n) and clients (c), all and
// those with a 499, a slow request, a 5xx: a driver's "71% · 268 IPs".
func spanQuery(c StreamConfig) string {
	m := marksOf(c)
	cl := quote(c.Fields.Client)
	var b strings.Builder
	b.WriteString(c.lines() + " | stats count() as n, count_uniq(" + cl + ") as c")
	for _, x := range []struct{ cond, name string }{{m.s499, "499"}, {m.slow, "slow"}, {m.s5xx, "5xx"}} {
		b.WriteString(", count() if (" + x.cond + ") as n" + x.name + ", count_uniq(" + cl + ") if (" + x.cond + ") as c" + x.name)
	}
	return b.String()
}

// patternsQuery is an app stream's per-step counts: one series per
// pattern (p0, p1, ...) and per pack (k0, ...), a pack counting each
// line once whichever of its patterns it matched.
func patternsQuery(filter string, ps []pattern, packs []string) string {
	var b strings.Builder
	b.WriteString(selected(filter))
	b.WriteString(" | stats ")
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("count() if (" + p.filter() + ") as p" + strconv.Itoa(i))
	}
	for k, pk := range packs {
		b.WriteString(", count() if (" + anyOf(ps, pk) + ") as k" + strconv.Itoa(k))
	}
	return b.String()
}

// anyOf is a filter matching a line any pattern of pack matches ("" for
// every pattern).
func anyOf(ps []pattern, pack string) string {
	var parts []string
	for _, p := range ps {
		if pack == "" || p.pack == pack {
			parts = append(parts, p.filter())
		}
	}
	return "(" + strings.Join(parts, " or ") + ")"
}

// linesQuery is an app stream's latest matching lines, newest first.
func linesQuery(filter string, ps []pattern, n int) string {
	return selected(filter, anyOf(ps, "")) + " | sort by (_time desc) | limit " + strconv.Itoa(n)
}
