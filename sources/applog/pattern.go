// Package applog watches application and error logs for named patterns —
// above all the database errors that take event services down on a stage-end
// night (`SequelizeDatabaseError: read ECONNRESET`) — and keeps per-second
// counts, first and last seen, and the latest matching entries.
//
// Lines may be plain text or JSON (pino, winston, bunyan); multi-line stack
// traces are joined to their first line, so one error counts once.
package applog

import (
	"bytes"
	"fmt"
	"regexp"
	"regexp/syntax"
)

// Pattern is one named thing to look for. Exactly one of Substring and
// Regexp is set. A regexp only runs on entries that contain its literal
// prefilter (derived from the regexp when Literal is empty: one of an
// alternation's literals, "ER_CON_COUNT_ERROR|Too many connections").
type Pattern struct {
	Name      string
	Pack      string // built-in pack it came from ("" for the user's own)
	Substring string
	Regexp    string
	Literal   string

	re   *regexp.Regexp
	lits [][]byte // an entry must contain one of them
}

// Packs are the built-in pattern sets.
var Packs = map[string][]Pattern{
	// What takes Node (Sequelize/mysql2), Go and Java services' databases down.
	"db": {
		{Name: "sequelize_database_error", Substring: "SequelizeDatabaseError"},
		{Name: "sequelize_connection_error", Substring: "SequelizeConnection"}, // ...Error, ...RefusedError, ...AcquireTimeoutError
		{Name: "econnreset", Substring: "read ECONNRESET"},
		{Name: "etimedout", Substring: "ETIMEDOUT"},
		{Name: "protocol_connection_lost", Substring: "PROTOCOL_CONNECTION_LOST"},
		{Name: "too_many_connections", Regexp: `ER_CON_COUNT_ERROR|Too many connections`, Literal: ""},
		{Name: "econnrefused", Substring: "connect ECONNREFUSED"},
		{Name: "acquire_timeout", Substring: "Timeout acquiring a connection"},
		{Name: "server_closed_connection", Substring: "Connection lost: The server closed the connection"},
		{Name: "go_bad_connection", Substring: "driver: bad connection"},
		{Name: "go_invalid_connection", Substring: "[mysql] invalid connection"},
		{Name: "jdbc_link_failure", Substring: "Communications link failure"},
		{Name: "jdbc_no_connection", Substring: "Connection is not available, request timed out"},
		{Name: "jdbc_cannot_get", Substring: "CannotGetJdbcConnectionException"},
	},
	// nginx error.log: upstreams timing out, refusing or gone.
	"upstream": {
		{Name: "upstream_timed_out", Substring: "upstream timed out (110"},
		{Name: "upstream_refused", Substring: "connect() failed (111"},
		{Name: "no_live_upstreams", Substring: "no live upstreams"},
		{Name: "upstream_prematurely_closed", Substring: "upstream prematurely closed"},
	},
}

// compile prepares p for matching.
func (p *Pattern) compile() error {
	switch {
	case p.Substring != "" && p.Regexp != "":
		return fmt.Errorf("pattern %q: give substring or regexp, not both", p.Name)
	case p.Substring != "":
		p.lits = [][]byte{[]byte(p.Substring)}
		return nil
	case p.Regexp == "":
		return fmt.Errorf("pattern %q: give substring or regexp", p.Name)
	}
	re, err := regexp.Compile(p.Regexp)
	if err != nil {
		return fmt.Errorf("pattern %q: %w", p.Name, err)
	}
	p.re = re
	lits := []string{p.Literal}
	if p.Literal == "" {
		lits = requiredLiterals(p.Regexp)
	}
	for _, l := range lits {
		p.lits = append(p.lits, []byte(l))
	}
	return nil
}

// requiredLiterals returns literals one of which every match must
// contain, or nil (then the regexp runs on every entry: on a busy log, a
// regexp per line costs more than the rest of the watcher).
func requiredLiterals(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return required(re.Simplify())
}

func required(r *syntax.Regexp) []string {
	switch r.Op {
	case syntax.OpLiteral:
		if r.Flags&syntax.FoldCase == 0 {
			return []string{string(r.Rune)}
		}
	case syntax.OpCapture, syntax.OpPlus: // x+ contains x
		return required(r.Sub[0])
	case syntax.OpConcat:
		// the most selective: the set whose shortest literal is longest
		var best []string
		for _, s := range r.Sub {
			if c := required(s); c != nil && (best == nil || shortest(c) > shortest(best)) {
				best = c
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, s := range r.Sub {
			c := required(s)
			if c == nil {
				return nil // a branch without one: any entry may match
			}
			all = append(all, c...)
		}
		return all
	}
	return nil
}

func shortest(lits []string) int {
	n := len(lits[0])
	for _, l := range lits[1:] {
		n = min(n, len(l))
	}
	return n
}

// match reports whether entry matches p.
func (p *Pattern) match(entry []byte) bool {
	if len(p.lits) > 0 && !containsAny(entry, p.lits) {
		return false
	}
	if p.re == nil {
		return true
	}
	return p.re.Match(entry)
}

func containsAny(entry []byte, lits [][]byte) bool {
	for _, l := range lits {
		if bytes.Contains(entry, l) {
			return true
		}
	}
	return false
}
