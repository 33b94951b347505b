package nginx

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// driverTruth is each mark's driver over [from, to) counted from the
// night's lines: the path and client with the most requests of the mark
// (ties: the first key in byte order) and the clients with one.
func (n *night) driverTruth(from, to time.Time) [NumMarks]Driver {
	var ds [NumMarks]Driver
	type key struct {
		kind int
		k    int32
	}
	counts := [NumMarks]map[key]uint64{}
	for i := range counts {
		counts[i] = map[key]uint64{}
	}
	f, t := from.Unix(), to.Unix()
	for _, l := range n.lines {
		if l.at < f || l.at >= t {
			continue
		}
		for mk, on := range [NumMarks]bool{true, l.is499, l.slw, false} {
			if on {
				ds[mk].Events++
				counts[mk][key{0, l.ip}]++
				counts[mk][key{1, l.path}]++
			}
		}
	}
	for mk := range ds {
		ds[mk].Exact = true
		for k, c := range counts[mk] {
			name := n.ips[k.k]
			best := &ds[mk].IP
			if k.kind == 1 {
				name, best = n.paths[k.k], &ds[mk].Path
			} else {
				ds[mk].IPs++
			}
			if c > best.Sure || c == best.Sure && name < best.Key {
				*best = DriverKey{Key: name, Sure: c, Max: c}
			}
		}
	}
	return ds
}

// Within the budget each mark's driver is exactly what counting the lines
// of the span says: the storm's path drives its 499s, with every storm
// client counted.
func TestDriversExact(t *testing.T) {
	n := newNight(3, 3)
	a := newTestAgg(t, Options{})
	n.feed(a)
	for name, w := range map[string][2]time.Time{
		"storm":       {n.storm, n.storm.Add(40 * time.Minute)},
		"storm's end": {n.storm.Add(39 * time.Minute), n.storm.Add(40 * time.Minute)},
		"last minute": {n.end.Add(-77 * time.Second), n.end.Add(-17 * time.Second)},
	} {
		got, from, to, ok := Drivers([]*Aggregator{a}, w[0], w[1])
		if !ok || from.After(w[0]) || to.Before(w[1]) {
			t.Fatalf("%s: ok %v, span %v–%v for %v–%v", name, ok, from, to, w[0], w[1])
		}
		want := n.driverTruth(from, to)
		for mk := range got {
			if got[mk] != want[mk] {
				t.Errorf("%s, %s:\n got %+v\nwant %+v", name, Mark(mk), got[mk], want[mk])
			}
		}
		if name == "storm" {
			if d := got[Mark499]; d.Path.Key != "/yearend/rank" || !strings.HasPrefix(d.IP.Key, "10.8.") || d.IPs < stormIPs {
				t.Errorf("storm's 499s driven by %+v", d)
			}
		}
	}
}

// Past the budget the driver's counts keep bounds that hold the truth,
// the events stay exact, and a path holding most of a mark is still
// named.
func TestDriversBeyondBudget(t *testing.T) {
	n := newNight(4, 3)
	a := newTestAgg(t, Options{TopKeys: 128})
	n.feed(a)
	w := [2]time.Time{n.storm.Add(10 * time.Minute), n.storm.Add(30 * time.Minute)}
	got, from, to, _ := Drivers([]*Aggregator{a}, w[0], w[1])
	want := n.driverTruth(from, to)
	truth := func(mk Mark, ip bool, k string) uint64 {
		var c uint64
		for _, l := range n.lines {
			if l.at < from.Unix() || l.at >= to.Unix() {
				continue
			}
			on := [NumMarks]bool{true, l.is499, l.slw, false}[mk]
			if on && (ip && n.ips[l.ip] == k || !ip && n.paths[l.path] == k) {
				c++
			}
		}
		return c
	}
	for mk := range got {
		d, tr := got[mk], want[mk]
		if d.Exact {
			t.Fatalf("%s: exact with 128 keys a table", Mark(mk))
		}
		if d.Events != tr.Events || d.IPs > tr.IPs {
			t.Errorf("%s: events %d (true %d), IPs %d (true %d)", Mark(mk), d.Events, tr.Events, d.IPs, tr.IPs)
		}
		for _, k := range []struct {
			ip bool
			dk DriverKey
		}{{true, d.IP}, {false, d.Path}} {
			if c := truth(Mark(mk), k.ip, k.dk.Key); c < k.dk.Sure || c > k.dk.Max {
				t.Errorf("%s: %s made %d, listed %d–%d", Mark(mk), k.dk.Key, c, k.dk.Sure, k.dk.Max)
			}
		}
	}
	if got[Mark499].Path.Key != "/yearend/rank" {
		t.Errorf("the storm's 499s driven by %+v", got[Mark499].Path)
	}
}

// 5xx answers and hosts are driven like the rest; no aggregator, no
// drivers.
func TestDrivers5xxAndHosts(t *testing.T) {
	f := mustFormat(t, `$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time "$host" "$http_user_agent"`)
	a := newTestAgg(t, Options{Format: f})
	var b strings.Builder
	for i := 0; i < 30; i++ {
		host, st := "api.example.com", 200
		if i%3 == 0 {
			st = 502
			if i%2 == 0 {
				host = "www.example.com"
			}
		}
		fmt.Fprintf(&b, "10.0.0.%d [%s] \"GET /p%d HTTP/1.1\" %d 10 0.010 \"%s\" \"ua\"\n", i%4, t0.Format("02/Jan/2006:15:04:05 -0700"), i%2, st, host)
	}
	a.Ingest([]byte(b.String()))
	ds, _, _, ok := Drivers([]*Aggregator{a}, t0, t0.Add(time.Minute))
	// 502 at i = 0, 3, ..., 27: /p0 at even i (5), /p1 at odd (5): the
	// tie goes to the first path; every client i%4 has one; the even
	// ones on www (5 of 10)
	want := Driver{Events: 10, Path: DriverKey{"/p0", 5, 5}, IP: DriverKey{"10.0.0.0", 3, 3}, IPs: 4,
		Host: DriverKey{"api.example.com", 5, 5}, Exact: true}
	if d := ds[Mark5xx]; !ok || d != want {
		t.Fatalf("5xx driver\n got %+v\nwant %+v", d, want)
	}
	if _, _, _, ok := Drivers(nil, t0, t0.Add(time.Minute)); ok {
		t.Error("drivers without an aggregator")
	}
}

// With $upstream_addr the top tables count the upstream server that
// answered (the last try of a list, either separator), nginx's own
// answers ("-") not at all, and drivers name the upstream too.
func TestUpstreamTables(t *testing.T) {
	f := mustFormat(t, "upstreaminfo")
	a := newTestAgg(t, Options{Format: f})
	stamp := t0.Format("02/Jan/2006:15:04:05 -0700")
	var b strings.Builder
	add := func(n int, addr string, status int, rt string) {
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, `10.0.0.%d - - [%s] "GET /api/result HTTP/1.1" %d 10 "-" "ua" 100 %s [api] [] %s 10 %s %d id%d`+"\n",
				i%3, stamp, status, rt, addr, rt, status, i)
		}
	}
	add(6, "10.0.3.7:8080", 504, "1.500")
	add(2, "10.0.3.8:8080, 10.0.3.7:8080", 504, "1.500") // retried: .7 answered
	add(1, "10.0.3.9:8080 : 10.0.3.8:8080", 200, "0.010")
	add(3, "-", 499, "0.000")
	a.Ingest([]byte(b.String()))
	w := a.Window(t0, t0.Add(time.Minute), 5)
	want := []TopItem{{Key: "10.0.3.7:8080", Count: 8, Slow: 8, S5xx: 8}, {Key: "10.0.3.8:8080", Count: 1}}
	if !slices.Equal(w.TopUpstreams, want) {
		t.Fatalf("upstreams %+v, want %+v", w.TopUpstreams, want)
	}
	ds, _, _, _ := Drivers([]*Aggregator{a}, t0, t0.Add(time.Minute))
	if u := ds[Mark5xx].Upstream; u != (DriverKey{"10.0.3.7:8080", 8, 8}) || ds[Mark5xx].Events != 8 {
		t.Errorf("5xx driven by upstream %+v of %d", u, ds[Mark5xx].Events)
	}
	if u := ds[Mark499].Upstream; u.Key != "" {
		t.Errorf("499s nginx answered itself driven by upstream %+v", u)
	}
	if w := newTestAgg(t, Options{}).Window(t0, t0.Add(time.Minute), 5); w.TopUpstreams != nil {
		t.Fatalf("timed has no $upstream_addr: %+v", w.TopUpstreams)
	}
}

func TestLastTry(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.1:80": "10.0.0.1:80", "10.0.0.1:80, 10.0.0.2:80": "10.0.0.2:80",
		"10.0.0.1:80 : unix:/run/app.sock": "unix:/run/app.sock", "-": "", "": "", "10.0.0.1:80, -": "",
	} {
		if got := string(lastTry([]byte(in))); got != want {
			t.Errorf("lastTry(%q) = %q, want %q", in, got, want)
		}
	}
}
