package report

import (
	"bytes"
	"fmt"
)

// Fetched is one fleet source's top tables over a report's window, asked
// of its server when the report is written: a VictoriaLogs access
// stream's clients, paths and hosts, a Prometheus preset's hosts. They
// stand in for the access logs' tables, which such a source does not
// keep (see Counted).
type Fetched struct {
	Source string // the source's name: what the tables are labelled with
	Kind   string // what was asked: "VictoriaLogs", "Prometheus"
	Tables []FetchedTable
	// Err, when not "", is why the tables could not be fetched (already
	// sanitized and free of secrets): the report says they are missing.
	Err string
	// Estimate: the counts are estimated from counters (Prometheus's
	// increase() over the window), not counted requests.
	Estimate bool
	// Uncertain, when not "", is why the source may not hold the whole
	// window: its counts may be low.
	Uncertain string
}

// FetchedTable is one of a Fetched's tables: rows ranked as the screen
// ranks the source's table.
type FetchedTable struct {
	Title string // what the rows are: "IPs", "paths", "hosts"
	Key   string // the key column's name: "IP", "path", "host"
	Rows  []Top  // Key raw (untrusted); Err unused
	// AtLeast: the server's answer was cut at its row limit, so a count
	// may be low and a key may be missing.
	AtLeast bool
}

// writeFetched renders f's tables as the access logs' are rendered —
// same columns, same units — each headed with the source's name, or why
// they are missing.
func writeFetched(b *bytes.Buffer, f Fetched) {
	label := md(f.Source)
	if f.Kind != "" {
		label += " (" + md(f.Kind) + ")"
	}
	if f.Err != "" || len(f.Tables) == 0 {
		fmt.Fprintf(b, "\n## Top talkers — %s\n\n", label)
		why := f.Err
		if why == "" {
			why = "no table was returned"
		}
		fmt.Fprintf(b, "**Missing**: the top tables could not be fetched: %s.\n", md(why))
		return
	}
	for _, t := range f.Tables {
		fmt.Fprintf(b, "\n## Top %s — %s\n\n", md(t.Title), label)
		if f.Uncertain != "" {
			fmt.Fprintf(b, "**Uncertain**: %s.\n\n", md(f.Uncertain))
		}
		if len(t.Rows) == 0 {
			b.WriteString("None.\n")
			continue
		}
		cell := func(n uint64) string {
			switch {
			case f.Estimate:
				return "~" + count(n)
			case t.AtLeast:
				return "≥ " + count(n)
			}
			return count(n)
		}
		fmt.Fprintf(b, "| %s | requests | 499 | slow | 5xx |\n|---|---:|---:|---:|---:|\n", md(t.Key))
		for _, r := range t.Rows {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", md(r.Key), cell(r.Count), cell(r.S499), cell(r.Slow), cell(r.S5xx))
		}
		switch {
		case f.Estimate:
			b.WriteString("\n`~`: an estimate from the exporters' counters (increase() over the window), not a count of requests.\n")
		case t.AtLeast:
			b.WriteString("\n`≥`: the answer was cut at its row limit (more keys than it returns): a count may be low and a key missing.\n")
		}
	}
}
