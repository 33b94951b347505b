package nginx

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// night is generated traffic with its truth: a uniform background of
// thousands of clients on many paths, a few heavy hitters all along, and a
// storm of 268 clients refreshing one path for 40 minutes.
type night struct {
	start, end time.Time // [start, end): every line's second
	storm      time.Time // the storm's 40 minutes start here
	lines      []nightLine
	ips        []string
	paths      []string
	log        []string // the log, one chunk a minute
}

type nightLine struct {
	at         int64
	ip, path   int32
	is499, slw bool
}

const stormIPs = 268

func newNight(seed uint64, hours int) *night {
	rng := rand.New(rand.NewPCG(seed, 7))
	n := &night{start: t0.Truncate(time.Hour)}
	n.end = n.start.Add(time.Duration(hours) * time.Hour)
	n.storm = n.end.Add(-100 * time.Minute)
	for i := 0; i < 3000; i++ {
		n.ips = append(n.ips, fmt.Sprintf("10.1.%d.%d", i/250, i%250))
	}
	heavy := len(n.ips)
	n.ips = append(n.ips, "10.99.0.5", "10.99.0.6", "10.99.0.7")
	storm := len(n.ips)
	for i := 0; i < stormIPs; i++ {
		n.ips = append(n.ips, fmt.Sprintf("10.8.%d.%d", i/200, i%200))
	}
	for i := 0; i < 60; i++ {
		n.paths = append(n.paths, fmt.Sprintf("/api/v1/item%d", i))
	}
	rank := int32(len(n.paths))
	n.paths = append(n.paths, "/yearend/rank")
	var b strings.Builder
	add := func(at int64, ip, path int, is499, slow bool) {
		// a line now and then is written up to 20 s late, as buffered
		// workers do
		n.lines = append(n.lines, nightLine{at: at, ip: int32(ip), path: int32(path), is499: is499, slw: slow})
		st, rt := 200, 0.02
		if is499 {
			st = 499
		}
		if slow {
			rt = 1.5
		}
		b.WriteString(line(time.Unix(at, 0).In(t0.Location()), n.ips[ip], n.paths[path], st, rt, "0.010"))
	}
	for s := n.start.Unix(); s < n.end.Unix(); s++ {
		for i := 0; i < 3; i++ {
			at := s
			if rng.IntN(50) == 0 {
				at -= int64(rng.IntN(20))
			}
			add(at, rng.IntN(3000), rng.IntN(60), rng.IntN(200) == 0, rng.IntN(100) == 0)
		}
		for i, every := range []int64{2, 5, 10} {
			if s%every == 0 {
				add(s, heavy+i, rng.IntN(60), false, rng.IntN(8) == 0)
			}
		}
		if in := s - n.storm.Unix(); in >= 0 && in < 40*60 {
			// each storm client refreshes about every 20 s; slow and
			// given up on as the storm goes on
			for i := 0; i < stormIPs; i++ {
				if rng.IntN(20) == 0 {
					add(s, storm+i, int(rank), rng.IntN(12) == 0, rng.IntN(5) == 0)
				}
			}
		}
		if (s+1)%60 == 0 {
			n.log = append(n.log, b.String())
			b.Reset()
		}
	}
	n.log = append(n.log, b.String())
	return n
}

// truth is the top of kind (0 IPs, 1 paths) over [from, to), exactly, by
// count then key, with the requests of the span.
func (n *night) truth(kind int, from, to time.Time) (top []TopItem, requests uint64, distinct int) {
	by := map[int32]*TopItem{}
	f, t := from.Unix(), to.Unix()
	for _, l := range n.lines {
		if l.at < f || l.at >= t {
			continue
		}
		requests++
		k, name := l.ip, n.ips[l.ip]
		if kind == 1 {
			k, name = l.path, n.paths[l.path]
		}
		it := by[k]
		if it == nil {
			it = &TopItem{Key: name}
			by[k] = it
		}
		it.Count++
		if l.is499 {
			it.S499++
		}
		if l.slw {
			it.Slow++
		}
	}
	for _, it := range by {
		top = append(top, *it)
	}
	slices.SortFunc(top, func(a, b TopItem) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return top, requests, len(by)
}

func (n *night) feed(a *Aggregator) {
	for _, chunk := range n.log {
		a.Ingest([]byte(chunk))
	}
}

// windows are what the screen and a report ask for: the screen's spans
// ending at the last line, and the storm's milestone window asked for
// when it is over.
func (n *night) windows() map[string][2]time.Time {
	w := map[string][2]time.Time{}
	for _, d := range []time.Duration{5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour} {
		end := n.end.Add(-17 * time.Second) // mid-minute, as the screen's
		w[d.String()] = [2]time.Time{end.Add(-d), end}
	}
	w["storm"] = [2]time.Time{n.storm, n.storm.Add(40 * time.Minute)}
	return w
}

// Within the budget every window's tables are exact: the same list, counts,
// 499s and slow requests as counting the lines of the span they cover,
// and the span is the window's whole minutes while minutes are held.
func TestWindowTopsExact(t *testing.T) {
	n := newNight(1, 25)
	a := newTestAgg(t, Options{})
	n.feed(a)
	for name, w := range n.windows() {
		got := a.Window(w[0], w[1], 30)
		from, to := got.TopsFrom, got.TopsTo
		// the window's own minutes, or (older than the minutes held)
		// the ten-minute or hour bucket its old end falls in
		own := !from.Before(w[0].Truncate(time.Minute)) && !to.After(w[1].Add(59*time.Second).Truncate(time.Minute))
		if !got.TopsExact || !got.TopsKnown || got.DistinctExact != own {
			t.Fatalf("%s: exact %v known %v distinct exact %v over %v–%v", name, got.TopsExact, got.TopsKnown, got.DistinctExact, from, to)
		}
		if from.After(w[0]) || to.Before(w[1]) {
			t.Fatalf("%s: tables cover %v–%v, not all of %v–%v", name, from, to, w[0], w[1])
		}
		if w[1].Sub(w[0]) <= 15*time.Minute && !own {
			t.Errorf("%s: tables over %v–%v, want the window's minutes", name, from, to)
		}
		for kind, items := range [][]TopItem{got.TopIPs, got.TopPaths} {
			want, _, distinct := n.truth(kind, from, to)
			want = want[:min(30, len(want))]
			if !slices.Equal(items, want) {
				t.Fatalf("%s kind %d over %v–%v:\n got %v\nwant %v", name, kind, from, to, items, want)
			}
			if kind == 0 && own && got.DistinctIPs != uint64(distinct) {
				t.Errorf("%s: %d distinct IPs, true %d", name, got.DistinctIPs, distinct)
			}
		}
	}
	// the storm's window names its clients, each with its true count
	got := a.Window(n.storm, n.storm.Add(40*time.Minute), stormIPs+10)
	storm := 0
	for _, it := range got.TopIPs {
		if strings.HasPrefix(it.Key, "10.8.") {
			storm++
		}
	}
	if storm != stormIPs {
		t.Fatalf("storm window lists %d of the %d storm clients", storm, stormIPs)
	}
}

// Past the budget (tables far smaller than the keys of a span) every
// count keeps bounds that hold the truth, the uncertainty stays within
// the stated N × levels / budget, and with room for it every key holding
// 1% of the window is listed.
func TestWindowTopsBeyondBudget(t *testing.T) {
	n := newNight(2, 25)
	for _, keys := range []int{128, 2048} {
		a := newTestAgg(t, Options{TopKeys: keys})
		n.feed(a)
		for name, w := range n.windows() {
			const rows = 200
			got := a.Window(w[0], w[1], rows)
			what := fmt.Sprintf("budget %d, %s", keys, name)
			if keys == 128 && got.TopsExact {
				t.Errorf("%s: exact with %d keys a table", what, keys)
			}
			for kind, items := range [][]TopItem{got.TopIPs, got.TopPaths} {
				all, requests, _ := n.truth(kind, got.TopsFrom, got.TopsTo)
				truth := map[string]TopItem{}
				for _, it := range all {
					truth[it.Key] = it
				}
				// minute, ten minutes, hour, and the window's own merge
				bound := 4 * requests / uint64(keys)
				listed := map[string]bool{}
				for _, it := range items {
					listed[it.Key] = true
					tr := truth[it.Key]
					if tr.Count < it.Count-it.Err || tr.Count > it.Count || tr.S499 < it.S499 || tr.S499 > it.S499+it.Err || tr.Slow < it.Slow || tr.Slow > it.Slow+it.Err {
						t.Fatalf("%s: %s is %+v, listed as %+v", what, it.Key, tr, it)
					}
					if it.Err > bound {
						t.Fatalf("%s: %s uncertain by %d, over the bound %d", what, it.Key, it.Err, bound)
					}
				}
				if keys < 2048 {
					continue
				}
				for _, tr := range all {
					if 100*tr.Count >= requests && !listed[tr.Key] {
						t.Fatalf("%s: %s made %d of %d requests and is not listed", what, tr.Key, tr.Count, requests)
					}
				}
			}
		}
	}
}

// At the default budget, a 5-minute window over 100,000 distinct clients
// a minute (beyond what a minute's table holds): every client holding 1%
// of the window is listed, its count within 1% of the truth.
func TestWindowTopsOnePercentAtTheDefaultBudget(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	a := newTestAgg(t, Options{})
	truth := map[string]uint64{}
	var requests uint64
	heavy := []string{"10.99.0.1", "10.99.0.2", "10.99.0.3", "10.99.0.4"}
	start := t0.Truncate(time.Minute)
	for s := 0; s < 300; s++ {
		at := start.Add(time.Duration(s) * time.Second)
		var b strings.Builder
		for i := 0; i < 2500; i++ {
			ip := fmt.Sprintf("10.%d.%d.%d", 1+rng.IntN(100), rng.IntN(256), rng.IntN(256))
			if k := rng.IntN(100); k < 8 {
				ip = heavy[k%4] // 4% and 2% of the traffic
				if k >= 4 {
					ip = heavy[k%2]
				}
			}
			truth[ip]++
			requests++
			b.WriteString(line(at, ip, "/", 200, 0.01, "0.010"))
		}
		a.Ingest([]byte(b.String()))
	}
	w := a.Window(start, start.Add(5*time.Minute), 10)
	if w.TopsExact {
		t.Fatal("750,000 lines over millions of addresses fit the tables?")
	}
	listed := map[string]TopItem{}
	for _, it := range w.TopIPs {
		listed[it.Key] = it
	}
	for ip, n := range truth {
		if 100*n < requests {
			continue
		}
		it, ok := listed[ip]
		if !ok {
			t.Fatalf("%s made %d of %d requests, not listed: %+v", ip, n, requests, w.TopIPs)
		}
		if lo := it.Count - it.Err; n < lo || n > it.Count || 100*it.Err > n {
			t.Errorf("%s: true %d, listed %d−%d (uncertain by %d)", ip, n, lo, it.Count, it.Err)
		}
	}
}

// A log quiet for a day: the night before is merged into its ten minutes
// and hours when the next line comes, not skipped, and a window over it
// is still exact.
func TestWindowTopsAfterAQuietDay(t *testing.T) {
	a := newTestAgg(t, Options{})
	var b strings.Builder
	for s := 0; s < 7*60; s++ {
		b.WriteString(line(t0.Add(time.Duration(s)*time.Second), "10.0.0.1", "/a", 499, 2, "-"))
	}
	b.WriteString(line(t0.Add(23*time.Hour), "10.0.0.2", "/b", 200, 0.1, "-"))
	a.Ingest([]byte(b.String()))
	w := a.Window(t0, t0.Add(7*time.Minute), 5)
	if !w.TopsExact || !w.TopsKnown || len(w.TopIPs) != 1 || w.TopIPs[0] != (TopItem{Key: "10.0.0.1", Count: 420, S499: 420, Slow: 420}) {
		t.Fatalf("a day later: exact %v known %v %+v", w.TopsExact, w.TopsKnown, w.TopIPs)
	}
	if w.TopsFrom.After(t0) || w.TopsTo.Before(t0.Add(7*time.Minute)) {
		t.Fatalf("tables over %v–%v", w.TopsFrom, w.TopsTo)
	}
}

// A format with $host gets a hosts table; one without has none.
func TestWindowTopHosts(t *testing.T) {
	f := mustFormat(t, `$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time "$host" "$http_user_agent"`)
	a := newTestAgg(t, Options{Format: f})
	var b strings.Builder
	for i := 0; i < 30; i++ {
		host, st := "api.example.com", 200
		if i%3 == 0 {
			host, st = "www.example.com", 499
		}
		fmt.Fprintf(&b, "10.0.0.%d [%s] \"GET /x HTTP/1.1\" %d 10 0.010 \"%s\" \"ua\"\n", i%4, t0.Format("02/Jan/2006:15:04:05 -0700"), st, host)
	}
	a.Ingest([]byte(b.String()))
	w := a.Window(t0, t0.Add(time.Minute), 5)
	want := []TopItem{{Key: "api.example.com", Count: 20}, {Key: "www.example.com", Count: 10, S499: 10}}
	if !slices.Equal(w.TopHosts, want) {
		t.Fatalf("hosts %+v, want %+v", w.TopHosts, want)
	}
	if w := newTestAgg(t, Options{}).Window(t0, t0.Add(time.Minute), 5); w.TopHosts != nil {
		t.Fatalf("timed has no $host: %+v", w.TopHosts)
	}
}
