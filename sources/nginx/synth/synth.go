// Package synth writes realistic nginx access logs deterministically: the
// `timed` format (combined + $request_time $upstream_response_time), WeChat
// and mobile user agents, thousands of clients, tens of thousands of
// distinct paths, and the statuses of a busy event night. Benchmarks, the
// scan acceptance test and the demo use it; the same seed gives the same
// bytes.
package synth

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// Options shape the generated log.
type Options struct {
	Seed  uint64
	Lines int
	Start time.Time      // timestamp of the first line
	Rate  int            // lines per second (default 2000)
	Zone  *time.Location // zone written in $time_local (default UTC+8)
	IPs   int            // distinct clients (default 5000)
	Slow  float64        // fraction of requests over 1 s (default 0.002)
}

var userAgents = []string{
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2d) NetType/WIFI Language/zh_CN",
	"Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/5235 MMWEBSDK/20230805 MMWEBID/2590 MicroMessenger/8.0.42.2460(0x28002A3B) WeChat/arm64 Weixin NetType/5G Language/zh_CN ABI/arm64",
	"Mozilla/5.0 (Linux; Android 12; PEHM00 Build/SKQ1.210216.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5127 MMWEBSDK/20230604 MicroMessenger/8.0.38.2400(0x28002639) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"okhttp/4.9.3",
}

var referers = []string{
	"https://event.example.com/yearend/index.html",
	"https://servicewechat.com/wx1234567890abcdef/87/page-frame.html",
	"-",
}

type route struct {
	method string
	tmpl   string // '#' is replaced by a number, '%' by a hex hash
	weight int
	ups    bool // goes to an upstream
}

var routes = []route{
	{"GET", "/yearend-api/v1/rank?stage=#&page=1", 30, true},
	{"GET", "/yearend-api/v1/user/#/progress", 25, true},
	{"POST", "/yearend-api/v1/lottery/draw", 8, true},
	{"GET", "/pay/order/#", 6, true},
	{"POST", "/pay/notify", 2, true},
	{"GET", "/static/js/beanPay-%.js", 10, false},
	{"GET", "/static/css/app.%.chunk.css", 6, false},
	{"GET", "/static/img/banner_#.png", 8, false},
	{"GET", "/yearend/index.html", 4, false},
	{"GET", "/api/share/#/card", 1, true},
}

// Write writes o.Lines lines to w.
func Write(w io.Writer, o Options) error {
	if o.Rate <= 0 {
		o.Rate = 2000
	}
	if o.Zone == nil {
		o.Zone = time.FixedZone("CST", 8*3600)
	}
	if o.IPs <= 0 {
		o.IPs = 5000
	}
	if o.Slow <= 0 {
		o.Slow = 0.002
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 12, 31, 23, 30, 0, 0, o.Zone)
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	ips := make([]string, o.IPs)
	for i := range ips {
		ips[i] = strconv.Itoa(10+rng.IntN(200)) + "." + strconv.Itoa(rng.IntN(256)) + "." + strconv.Itoa(rng.IntN(256)) + "." + strconv.Itoa(1+rng.IntN(254))
	}
	total := 0
	for _, r := range routes {
		total += r.weight
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var line []byte
	var stamp []byte
	lastSec := int64(-1)
	for i := 0; i < o.Lines; i++ {
		// time advances at Rate lines/s; a small fraction arrive a second late
		// (nginx buffer=... flush=...), as in real logs
		sec := int64(i / o.Rate)
		if rng.IntN(100) == 0 && sec > 0 {
			sec--
		}
		if sec != lastSec {
			t := o.Start.Add(time.Duration(sec) * time.Second).In(o.Zone)
			stamp = t.AppendFormat(stamp[:0], "02/Jan/2006:15:04:05 -0700")
			lastSec = sec
		}
		// Zipf-ish clients: a few heavy hitters, a long tail
		var ip string
		if rng.IntN(10) < 3 {
			ip = ips[rng.IntN(20)]
		} else {
			ip = ips[rng.IntN(len(ips))]
		}
		pick := rng.IntN(total)
		var rt route
		for _, r := range routes {
			if pick < r.weight {
				rt = r
				break
			}
			pick -= r.weight
		}
		status := 200
		switch x := rng.IntN(10000); {
		case x < 30:
			status = 499
		case x < 50:
			status = 502
		case x < 60:
			status = 504
		case x < 200:
			status = 404
		case x < 900 && !rt.ups:
			status = 304
		case x < 920:
			status = 302
		}
		var reqUS int
		switch {
		case rng.Float64() < o.Slow:
			reqUS = 1_000_000 + rng.IntN(9_000_000)
		case rt.ups:
			reqUS = 2_000 + rng.IntN(300_000)
		default:
			reqUS = rng.IntN(3_000)
		}
		line = line[:0]
		line = append(line, ip...)
		line = append(line, " - - ["...)
		line = append(line, stamp...)
		line = append(line, "] \""...)
		line = append(line, rt.method...)
		line = append(line, ' ')
		line = appendPath(line, rt.tmpl, rng)
		line = append(line, " HTTP/1.1\" "...)
		line = strconv.AppendInt(line, int64(status), 10)
		line = append(line, ' ')
		if status == 304 || status == 499 {
			line = append(line, '0')
		} else {
			line = strconv.AppendInt(line, int64(200+rng.IntN(40000)), 10)
		}
		line = append(line, " \""...)
		line = append(line, referers[rng.IntN(len(referers))]...)
		line = append(line, "\" \""...)
		line = append(line, userAgents[rng.IntN(len(userAgents))]...)
		line = append(line, "\" "...)
		line = appendSeconds(line, reqUS)
		line = append(line, ' ')
		switch {
		case !rt.ups || status == 499 && rng.IntN(2) == 0:
			line = append(line, '-')
		case status == 502 && rng.IntN(2) == 0:
			// nginx tried two upstreams
			line = appendSeconds(line, reqUS/2)
			line = append(line, ", "...)
			line = appendSeconds(line, reqUS/2)
		default:
			line = appendSeconds(line, reqUS*9/10)
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func appendPath(b []byte, tmpl string, rng *rand.Rand) []byte {
	for i := 0; i < len(tmpl); i++ {
		switch tmpl[i] {
		case '#':
			b = strconv.AppendInt(b, int64(rng.IntN(20000)), 10)
		case '%':
			b = strconv.AppendUint(b, uint64(0x10000000+rng.IntN(0x400)*0x3b9ac9), 16)
		default:
			b = append(b, tmpl[i])
		}
	}
	return b
}

// appendSeconds writes µs as nginx does: seconds with 3 decimals.
func appendSeconds(b []byte, us int) []byte {
	ms := us / 1000
	b = strconv.AppendInt(b, int64(ms/1000), 10)
	b = append(b, '.')
	f := ms % 1000
	b = append(b, byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
	return b
}
