package pane

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
	"warroom/sources/units"
)

// How a log pane fits what matters of a line into its width. The words
// that say what broke — the error class and message a pattern matched —
// come late in a log line, after the stamp, level, logger and request id;
// cut at the border, a narrow pane showed "ERROR [yearend-api] Sequelize…".

// minLead is the fewest cells an error class is cut to ("SequelizeDa…: ");
// in fewer it says nothing, and the matched words go first.
const minLead = 6

// fitMessage is l's text in at most room cells. It keeps, in order: the
// whole line (past its stamp); the message from Msg on; the error chain
// and the matched words, then as much of what follows as fits; the matched
// words with what fits of the chain before them (see shortLead); the head
// of the matched words. A line whose spans are unknown is cut at its end.
func fitMessage(l sources.LogLine, room int) string {
	if room <= 0 {
		return ""
	}
	if k := l.Lead; k > 0 && k <= l.Msg && k <= len(l.Text) {
		// the host leads, in sight however narrow: what the line says
		// that one machine's log would not (at most half the room)
		lead := clean(l.Text[:k])
		if lw := Width(lead); lw <= room/2 && Width(clean(l.Text)) > room {
			rest := l
			rest.Text, rest.Lead = l.Text[k:], 0
			rest.Msg, rest.KeyFrom, rest.KeyTo = l.Msg-k, max(l.KeyFrom-k, 0), max(l.KeyTo-k, 0)
			return lead + fitMessage(rest, room-lw)
		}
	}
	whole := stripStamp(clean(l.Text))
	msg, from, to := l.Msg, l.KeyFrom, l.KeyTo
	if Width(whole) <= room || !(0 <= msg && msg <= from && from < to && to <= len(l.Text)) {
		return ansi.Truncate(whole, room, "…")
	}
	lead, key, tail := clean(l.Text[msg:from]), clean(l.Text[from:to]), clean(l.Text[to:])
	if kw := Width(key); kw >= room {
		return ansi.Truncate(key, room, "…")
	} else if Width(lead) > room-kw {
		lead = shortLead(lead, room-kw)
	}
	head := lead + key
	if left := room - Width(head); Width(tail) <= left || left >= minTail {
		return head + ansi.Truncate(tail, left, "…")
	}
	return head
}

// minTail is the fewest cells what follows the matched words is cut to:
// " …" alone says only that something was left out.
const minTail = 4

// shortLead fits the error chain before the matched words into room
// cells: first without the package of a dotted class
// ("com.mysql.cj.jdbc.exceptions.CommunicationsException: "), then
// without whole segments from its front (the words nearest the match are
// its context: "connect: " of Go's "dial tcp …: connect: "), then with the
// last segment's end cut ("SequelizeDataba…: "), or not at all.
func shortLead(lead string, room int) string {
	if Width(lead) <= room {
		return lead
	}
	segs := chainSegments(lead)
	for i, s := range segs {
		segs[i] = unqualified(s)
	}
	for i := range segs {
		if s := strings.Join(segs[i:], ""); Width(s) <= room {
			return s
		}
	}
	last := segs[len(segs)-1]
	body := strings.TrimRight(strings.TrimSuffix(strings.TrimRight(last, " "), ":"), " ")
	sep := last[len(body):]
	// a class name's head still reads ("SequelizeDat…"), words cut do not
	if n := room - Width(sep); n >= minLead && !strings.Contains(body, " ") {
		return ansi.Truncate(body, n, "…") + sep
	}
	return ""
}

// chainSegments splits an error chain after each "word: ".
func chainSegments(s string) []string {
	var out []string
	for i := 1; i+1 < len(s); i++ {
		if s[i] == ':' && s[i+1] == ' ' && s[i-1] != ' ' {
			j := i + 1
			for j < len(s) && s[j] == ' ' {
				j++
			}
			out = append(out, s[:j])
			s, i = s[j:], 0
		}
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// unqualified drops the package from a segment that is a dotted class
// name ("org.springframework.jdbc.CannotGetJdbcConnectionException: ");
// any other segment is as it was.
func unqualified(seg string) string {
	body := strings.TrimRight(seg, ": ")
	dot := strings.LastIndexByte(body, '.')
	if dot < 0 || dot+1 >= len(body) || body[dot+1] < 'A' || body[dot+1] > 'Z' {
		return seg
	}
	for i := 0; i < len(body); i++ {
		if c := body[i]; c != '.' && c != '$' && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return seg
		}
	}
	return seg[dot+1:]
}

// folded is how many entries a line stands for, when more than one.
func folded(l sources.LogLine) string {
	if l.Count <= 1 {
		return ""
	}
	return " ×" + count(l.Count)
}

// patternSummary is the lines of counts over the messages: a pack's
// (every entry any of its patterns matched, once: "db 12/min (540)") and
// the user's own patterns', the busiest now first, then the most matched.
// A tall pane adds a line of which of a pack's patterns matched
// ("econnreset 12/min (540)"); in a short one the messages below say it.
func patternSummary(st *Styles, pats []sources.PatternCount, w int, tall bool) []string {
	var top, detail []sources.PatternCount
	known := 0
	for _, p := range pats {
		if !p.Pack {
			known++
		}
		switch {
		case p.Total == 0:
		case p.Pack || p.Group == "":
			top = append(top, p)
		default:
			detail = append(detail, p)
		}
	}
	if len(top) == 0 {
		return []string{st.Dim.Render("no matches yet (" + strconv.Itoa(known) + " patterns)")}
	}
	out := []string{countsLine(st, top, w)}
	if tall && len(detail) > 0 {
		out = append(out, countsLine(st, detail, w))
	}
	return out
}

// countsLine is "name rate/min (total)" for each item, busiest now first,
// then most matched, as many whole as fit in w cells and "+2" for the
// rest.
func countsLine(st *Styles, items []sources.PatternCount, w int) string {
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b sources.PatternCount) int {
		if c := cmp.Compare(b.PerMin, a.PerMin); c != 0 {
			return c
		}
		return cmp.Compare(b.Total, a.Total)
	})
	var b strings.Builder
	used := 0
	for i, p := range items {
		text := clean(p.Name) + " " + units.Format(p.PerMin, sources.UnitCount) + "/min (" + count(p.Total) + ")"
		sep := ""
		if i > 0 {
			sep = "  "
		}
		more := ""
		if rest := len(items) - i - 1; rest > 0 {
			more = " +" + strconv.Itoa(rest)
		}
		if i > 0 && used+len(sep)+Width(text)+len(more) > w {
			b.WriteString(st.Dim.Render(" +" + strconv.Itoa(len(items)-i)))
			break
		}
		style := st.Dim
		if p.PerMin > 0 {
			style = st.Warn
		}
		b.WriteString(sep + style.Render(text))
		used += len(sep) + Width(text)
	}
	return b.String()
}
