package report

import (
	"strings"
	"testing"
)

// A report without an access log shows the fleet sources' tables in the
// access logs' place — the same columns, labelled with each source's
// name — and says which are missing and why, which are estimates, which
// were cut at a row limit and which may not cover the whole window.
func TestMarkdownFetchedGolden(t *testing.T) {
	sum := Summarize(Inputs{}, curWin, readAt)
	sum.Fetched = []Fetched{
		{Source: "fleet", Kind: "VictoriaLogs", Tables: []FetchedTable{
			{Title: "IPs", Key: "IP", Rows: []Top{{Key: "10.9.9.9", Count: 600, S499: 600, Slow: 600}, {Key: "10.0.0.1", Count: 420}}},
			{Title: "paths", Key: "path", AtLeast: true, Rows: []Top{{Key: "/result|`x`\x1b[2J", Count: 600, S499: 600, Slow: 600}}},
			{Title: "hosts", Key: "host", Rows: nil},
		}},
		{Source: "old", Kind: "VictoriaLogs", Uncertain: "VictoriaLogs holds no line of the stream in the 5m before the window: it may not hold its start (retention, or lines not shipped), and the counts may be low",
			Tables: []FetchedTable{{Title: "hosts", Key: "host", Rows: []Top{{Key: "web-3", Count: 7, S499: 2}}}}},
		{Source: "nginx", Kind: "Prometheus", Estimate: true, Tables: []FetchedTable{
			{Title: "hosts", Key: "host", Rows: []Top{{Key: "web-2", Count: 240, S499: 60, Slow: 24, S5xx: 12}, {Key: "web-1", Count: 480}}},
		}},
		{Source: "down", Kind: "VictoriaLogs", Err: "unreachable: connect: connection refused"},
	}
	got := Markdown(sum, nil, nil, Options{})
	golden(t, "fleet.md", got)
	md := string(got)
	if strings.Contains(md, "\x1b") {
		t.Error("an escape byte reached the report")
	}
	if strings.Contains(md, "| requests | 0 |") || !strings.Contains(md, "unknown (not 0)") {
		t.Error("nothing counted the window's requests, and the report says 0 of them")
	}
	if strings.Contains(md, "no access log is configured") || strings.Contains(md, "## Top IPs\n") {
		t.Error("the access logs' empty tables are shown beside the fleet's")
	}
}
