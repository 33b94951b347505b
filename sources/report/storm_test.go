package report

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"warroom/sources/nginx"
)

// A night replayed from its log: a refresh storm of 268 clients, each
// making 42–46 requests over the 40 minutes of the milestone window, over
// a crowd of 4,000 clients making a dozen each. The report's top IPs are
// the storm's, with their true counts, 499s and slow requests.
func TestReportOfAReplayedStorm(t *testing.T) {
	end := time.Date(2027, 1, 2, 0, 0, 0, 0, cst)
	win := Window{Event: "Year-end", Stage: "Day 2", End: end, From: end.Add(-10 * time.Minute), To: end.Add(30 * time.Minute)}
	rng := rand.New(rand.NewPCG(268, 1))
	type hit struct {
		at int64
		ip string
		st int
		rt float64
	}
	truth := map[string]*[3]uint64{}
	var hits []hit
	add := func(at time.Time, ip string, is499, slow bool) {
		h := hit{at: at.Unix(), ip: ip, st: 200, rt: 0.05}
		if is499 {
			h.st = 499
		}
		if slow {
			h.rt = 2.5
		}
		if !at.Before(win.From) && at.Before(win.To) {
			c := truth[ip]
			if c == nil {
				c = new([3]uint64)
				truth[ip] = c
			}
			c[0]++
			if is499 {
				c[1]++
			}
			if slow {
				c[2]++
			}
		}
		hits = append(hits, h)
	}
	// the crowd, from 20 minutes before the window to 10 after it
	span := int64(70 * 60)
	for i := 0; i < 4000*18; i++ {
		at := win.From.Add(-20*time.Minute + time.Duration(rng.Int64N(span))*time.Second)
		add(at, fmt.Sprintf("10.1.%d.%d", i%4000/250, i%250), rng.IntN(300) == 0, rng.IntN(100) == 0)
	}
	// the storm, inside the window only, on one path
	for i := 0; i < 268; i++ {
		for k := 0; k < 42+i%5; k++ {
			at := win.From.Add(time.Duration(rng.Int64N(int64(40*60))) * time.Second)
			add(at, fmt.Sprintf("10.8.%d.%d", i/200, i%200), rng.IntN(10) == 0, rng.IntN(4) == 0)
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(a.at, b.at) })
	var log bytes.Buffer
	for _, h := range hits {
		path := "/api/item"
		if strings.HasPrefix(h.ip, "10.8.") {
			path = "/yearend/rank"
		}
		fmt.Fprintf(&log, `%s - - [%s] "GET %s HTTP/1.1" %d 100 "-" "ua" %.3f 0.001`+"\n",
			h.ip, time.Unix(h.at, 0).In(cst).Format("02/Jan/2006:15:04:05 -0700"), path, h.st, h.rt)
	}

	// replayed: read from the beginning in blocks, as watch --replay does
	f, err := nginx.CompileFormat("timed")
	if err != nil {
		t.Fatal(err)
	}
	agg := nginx.NewAggregator(nginx.Options{Format: f, Slow: time.Second})
	data := log.Bytes()
	for len(data) > 0 {
		n := min(len(data), 64<<10)
		if i := bytes.LastIndexByte(data[:n], '\n'); i >= 0 && n < len(data) {
			n = i + 1
		}
		agg.Ingest(data[:n])
		data = data[n:]
	}
	sum := Summarize(Inputs{Access: []Access{{Name: "nginx", Agg: agg}}}, win, win.To.Add(2*time.Second))
	report := string(Markdown(sum, nil, nil, Options{}))

	type row struct {
		ip    string
		count [3]uint64
	}
	var want []row
	for ip, c := range truth {
		want = append(want, row{ip, *c})
	}
	slices.SortFunc(want, func(a, b row) int {
		if c := cmp.Compare(b.count[0], a.count[0]); c != 0 {
			return c
		}
		return strings.Compare(a.ip, b.ip)
	})
	want = want[:DefaultTopN]
	if !strings.HasPrefix(want[DefaultTopN-1].ip, "10.8.") || want[0].count[0] != 46 {
		t.Fatalf("the storm should hold the true top 10: %v", want)
	}
	section := report[strings.Index(report, "## Top IPs"):strings.Index(report, "## Top paths")]
	rows := regexp.MustCompile(`(?m)^\| (10\.[0-9.]+) \| ([^|]*) \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$`).FindAllStringSubmatch(section, -1)
	if len(rows) != DefaultTopN {
		t.Fatalf("report's top IPs:\n%s", section)
	}
	for i, r := range rows {
		w := want[i]
		got := fmt.Sprintf("%s %s %s %s %s", r[1], r[2], r[3], r[4], r[5])
		// the storm answers no 5xx
		if exp := fmt.Sprintf("%s %d %d %d 0", w.ip, w.count[0], w.count[1], w.count[2]); got != exp {
			t.Errorf("row %d: %q, want %q", i+1, got, exp)
		}
	}
	if strings.Contains(section, "≥") {
		t.Errorf("counts marked uncertain:\n%s", section)
	}
}
