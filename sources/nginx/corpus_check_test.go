package nginx_test

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources/nginx"
)

// corpusSent is what the plan sent, counted by the test itself.
type corpusSent struct {
	total, slowBuilt, xff int
	status                map[int]int
}

func countSent(plan []corpusRequest) corpusSent {
	s := corpusSent{total: len(plan), status: map[int]int{}}
	for _, q := range plan {
		s.status[q.want]++
		if q.slow {
			s.slowBuilt++
		}
		if q.xff {
			s.xff++
		}
	}
	return s
}

// mismatches collects disagreements by kind, keeping the first example
// of each, so a broken entry reports a few lines rather than hundreds.
type mismatches struct {
	count map[string]int
	first map[string]string
}

func (m *mismatches) add(kind, example string) {
	if m.count == nil {
		m.count, m.first = map[string]int{}, map[string]string{}
	}
	if m.count[kind] == 0 {
		m.first[kind] = example
	}
	m.count[kind]++
}

func (m *mismatches) report(t *testing.T, what string, of int) {
	for _, k := range slices.Sorted(maps.Keys(m.count)) {
		t.Errorf("%s: %s on %d of %d lines, e.g. %s", what, k, m.count[k], of, m.first[k])
	}
}

// micros reads nginx's "1.234" (seconds, three decimals) as microseconds.
func micros(s string) (int64, error) {
	whole, frac, ok := strings.Cut(s, ".")
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if !ok || len(frac) != 3 || err1 != nil || err2 != nil {
		return 0, fmt.Errorf("not a time: %q", s)
	}
	return w*1e6 + f*1e3, nil
}

// sumTries adds the times of an upstream list ("0.000, 0.002 : 0.001");
// -1 when no try has a time, as warroom reports "-".
func sumTries(list string) (int64, error) {
	total := int64(-1)
	for _, part := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ':' }) {
		part = strings.TrimSpace(part)
		if part == "-" {
			continue
		}
		if part == "0" { // a map's default ("" → 0), not an nginx time
			part = "0.000"
		}
		us, err := micros(part)
		if err != nil {
			return 0, err
		}
		total = max(total, 0) + us
	}
	return total, nil
}

// checkCorpusLog checks one entry's log: first the independent reading
// against what was sent (so the reading itself is right), then warroom's
// parser line by line against it, then the aggregator `warroom scan`
// uses against both.
func checkCorpusLog(t *testing.T, e *corpusEntry, data []byte, plan []corpusRequest) {
	sent := countSent(plan)
	lines := nonEmptyLines(data)
	if len(lines) != sent.total {
		t.Errorf("%d lines in the log, sent %d requests", len(lines), sent.total)
	}
	slowUS := corpusSlow.Microseconds()

	// the independent reading
	fields := make([]map[string]string, len(lines))
	var indep mismatches
	indepStatus := map[int]int{}
	indepSlow, commaLists, colonLists := 0, 0, 0
	for i, line := range lines {
		f, err := e.fields(line)
		if err != nil {
			indep.add(err.Error(), fmt.Sprintf("%q", line))
			continue
		}
		fields[i] = f
		if s, ok := f["status"]; ok {
			code, _ := strconv.Atoi(s)
			indepStatus[code]++
		}
		if rt, ok := f["rt"]; ok {
			if us, err := micros(rt); err != nil {
				indep.add("bad request time", fmt.Sprintf("%q", line))
			} else if us > slowUS {
				indepSlow++
			}
		}
		commaLists += b2i(strings.Contains(f["urt"], ", "))
		colonLists += b2i(strings.Contains(f["urt"], " : "))
	}
	indep.report(t, "independent reading (testdata check)", len(lines))
	if !e.noStatus && !maps.Equal(indepStatus, sent.status) {
		t.Errorf("independent reading: statuses %v, sent %v", indepStatus, sent.status)
	}
	if e.reads("urt") {
		if commaLists != corpusCommaLists || colonLists != corpusColonLists {
			t.Errorf("independent reading: %d lines with \", \" lists and %d with \" : \", want %d and %d",
				commaLists, colonLists, corpusCommaLists, corpusColonLists)
		}
	}
	if e.has("request_time") && indepSlow < sent.slowBuilt {
		t.Errorf("independent reading: %d slow lines, fewer than the %d requests made slow", indepSlow, sent.slowBuilt)
	}

	f, err := nginx.CompileFormat(e.statement)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	checkCorpusParse(t, e, f, lines, fields, sent)
	checkCorpusScan(t, e, data, sent, indepSlow)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkCorpusParse parses every line with the public parser and compares
// status, path, request time and upstream time (summed over tries) with
// the independent reading; the client is $remote_addr, and with client
// x_forwarded_for the first hop of the requests that carried the header.
func checkCorpusParse(t *testing.T, e *corpusEntry, f *nginx.Format, lines []string, fields []map[string]string, sent corpusSent) {
	p := nginx.NewParser(f, nginx.ClientRemoteAddr)
	xp := nginx.NewParser(f, nginx.ClientXFF)
	var bad, diff mismatches
	firstHop := 0
	for i, line := range lines {
		var r nginx.Record
		if reason := p.Parse([]byte(line), &r); reason != nginx.ReasonNone {
			bad.add(reason.String(), fmt.Sprintf("%q", line))
			continue
		}
		if string(r.Client) != "127.0.0.1" {
			diff.add("client", fmt.Sprintf("%q in %q", r.Client, line))
		}
		if in := fields[i]; in != nil {
			compareCorpusLine(e, &r, in, line, &diff)
		}
		if e.client == "" {
			continue
		}
		var x nginx.Record
		xp.Parse([]byte(line), &x)
		switch string(x.Client) {
		case corpusFirstHop:
			firstHop++
		case "127.0.0.1":
		default:
			diff.add("first hop", fmt.Sprintf("%q in %q", x.Client, line))
		}
	}
	bad.report(t, "parse", len(lines))
	diff.report(t, "parsed value", len(lines))
	if e.client != "" && len(bad.count) == 0 && firstHop != sent.xff {
		t.Errorf("client %s (first hop) on %d lines, sent %d requests with X-Forwarded-For %q", corpusFirstHop, firstHop, sent.xff, corpusXFF)
	}
}

func compareCorpusLine(e *corpusEntry, r *nginx.Record, in map[string]string, line string, diff *mismatches) {
	if s, ok := in["status"]; ok && strconv.Itoa(r.Status) != s {
		diff.add("status", fmt.Sprintf("%d, log says %s: %q", r.Status, s, line))
	}
	// paths as logged (escapes kept): what top paths show
	if path, ok := in["path"]; ok && string(r.Path) != path {
		diff.add("path", fmt.Sprintf("%q, log says %q: %q", r.Path, path, line))
	}
	if rt, ok := in["rt"]; ok && e.has("request_time") {
		if us, _ := micros(rt); r.ReqTime != us {
			diff.add("request time", fmt.Sprintf("%dµs, log says %s: %q", r.ReqTime, rt, line))
		}
	}
	if urt, ok := in["urt"]; ok && e.has("upstream_response_time") {
		if us, _ := sumTries(urt); r.UpTime != us {
			diff.add("upstream time", fmt.Sprintf("%dµs, log says %q: %q", r.UpTime, urt, line))
		}
	}
}

// checkCorpusScan counts the log the way `warroom scan` does: the
// statement as the configured format, the aggregator with scan's options,
// the whole file in one batch.
func checkCorpusScan(t *testing.T, e *corpusEntry, data []byte, sent corpusSent, indepSlow int) {
	cfg := nginx.DefaultSourceConfig
	cfg.Format, cfg.Slow = e.statement, model.Duration(corpusSlow)
	if e.client != "" {
		cfg.Client = e.client
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("scan config: %v", err)
	}
	opts := cfg.AggregatorOptions()
	opts.Seconds, opts.Minutes, opts.DetailMinutes, opts.NoDetail = 600, 120, 1, true
	opts.Now, opts.MaxSkew = time.Now, 24*time.Hour
	agg := nginx.NewAggregator(opts)
	agg.Ingest(data)
	s := agg.Summary(10)

	if s.BadLines != 0 {
		for _, m := range s.Malformed {
			if m.Reason != "empty" && len(m.Samples) > 0 {
				t.Errorf("scan: %d lines %s, e.g. %q", m.Count, m.Reason, m.Samples[0].Text)
			}
		}
	}
	if int(s.Requests) != sent.total {
		t.Errorf("scan: %d requests, sent %d", s.Requests, sent.total)
	}
	got := map[int]int{}
	for code, n := range s.Status {
		got[code] = int(n)
	}
	want := sent.status
	if e.noStatus {
		want = map[int]int{} // nothing to count them by
	}
	if !maps.Equal(got, want) {
		t.Errorf("scan: statuses %v, want %v", got, want)
	}
	switch {
	case !e.has("request_time") && (s.Slow != 0 || s.HasTimes):
		t.Errorf("scan: no $request_time, yet %d slow (times %v)", s.Slow, s.HasTimes)
	case e.has("request_time") && int(s.Slow) != indepSlow:
		t.Errorf("scan: %d slow, the log has %d requests over %v", s.Slow, indepSlow, corpusSlow)
	case e.has("request_time") && int(s.Slow) < sent.slowBuilt:
		t.Errorf("scan: %d slow, fewer than the %d requests made slow", s.Slow, sent.slowBuilt)
	}
	wantIPs := map[string]uint64{"127.0.0.1": uint64(sent.total)}
	if e.client != "" {
		wantIPs = map[string]uint64{corpusFirstHop: uint64(sent.xff), "127.0.0.1": uint64(sent.total - sent.xff)}
	}
	gotIPs := map[string]uint64{}
	for _, ip := range s.TopIPs {
		gotIPs[ip.Key] = ip.Count
	}
	if !maps.Equal(gotIPs, wantIPs) {
		t.Errorf("scan: clients %v, want %v", gotIPs, wantIPs)
	}
}
