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
// prefilter (derived from the regexp when Literal is empty).
type Pattern struct {
	Name      string
	Pack      string // built-in pack it came from ("" for the user's own)
	Substring string
	Regexp    string
	Literal   string

	re  *regexp.Regexp
	lit []byte
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
		p.lit = []byte(p.Substring)
		return nil
	case p.Regexp == "":
		return fmt.Errorf("pattern %q: give substring or regexp", p.Name)
	}
	re, err := regexp.Compile(p.Regexp)
	if err != nil {
		return fmt.Errorf("pattern %q: %w", p.Name, err)
	}
	p.re = re
	lit := p.Literal
	if lit == "" {
		lit = requiredLiteral(p.Regexp)
	}
	p.lit = []byte(lit)
	return nil
}

// requiredLiteral returns the longest literal every match must contain, or
// "" (then the regexp runs on every entry).
func requiredLiteral(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return ""
	}
	re = re.Simplify()
	best := ""
	var walk func(r *syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		switch r.Op {
		case syntax.OpLiteral:
			if r.Flags&syntax.FoldCase == 0 && len(r.Rune) > len([]rune(best)) {
				best = string(r.Rune)
			}
		case syntax.OpConcat, syntax.OpCapture:
			for _, s := range r.Sub {
				walk(s)
			}
		case syntax.OpPlus:
			walk(r.Sub[0]) // x+ contains x
		}
	}
	walk(re)
	return best
}

// match reports whether entry matches p.
func (p *Pattern) match(entry []byte) bool {
	if len(p.lit) > 0 && !bytes.Contains(entry, p.lit) {
		return false
	}
	if p.re == nil {
		return true
	}
	return p.re.Match(entry)
}
