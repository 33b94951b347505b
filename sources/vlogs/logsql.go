package vlogs

import (
	"strconv"
	"strings"
	"time"
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
// of a ring's columns.
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

// accessMarks are the conditions of an access stream's counts, as the
// access-log aggregator counts them: timed requests carry a number in
// request_time (VictoriaLogs reads "-" as -0, so it is left out by
// name), slow ones took longer than slow, 5xx is 500–599.
type accessMarks struct {
	timed, slow, s499, s304, s404, s5xx string
}

func marksOf(c StreamConfig) accessMarks {
	st, rt := quote(c.Fields.Status), quote(c.Fields.RequestTime)
	return accessMarks{
		timed: rt + ":>=0 -" + rt + `:="-"`,
		slow:  rt + ":>" + seconds(time.Duration(c.Slow)),
		s499:  st + ":=499",
		s304:  st + ":=304",
		s404:  st + ":=404",
		s5xx:  st + ":>=500 " + st + ":<600",
	}
}

// countersQuery is an access stream's per-step counters: one series per
// column, named as accessNames.
func countersQuery(c StreamConfig) string {
	m := marksOf(c)
	var b strings.Builder
	b.WriteString(c.lines())
	b.WriteString(" | stats count() as total")
	for _, x := range []struct{ cond, name string }{
		{m.timed, "timed"}, {m.slow, "slow"}, {m.s499, "s499"}, {m.s304, "s304"}, {m.s404, "s404"}, {m.s5xx, "s5xx"},
	} {
		b.WriteString(", count() if (" + x.cond + ") as " + x.name)
	}
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
