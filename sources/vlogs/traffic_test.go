package vlogs_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources/nginx"
	"warroom/sources/vlogs/vltest"
)

// traffic is a night's requests, written both as an nginx access log
// (the `timed` format) and as the lines a shipper sends to VictoriaLogs.
type traffic struct {
	from, to time.Time // the seconds it covers, [from, to)
	log      []string
	lines    []vltest.Line
}

var (
	statuses = []struct {
		code   string
		weight int
	}{{"200", 60}, {"304", 8}, {"404", 4}, {"499", 10}, {"500", 3}, {"502", 4}, {"503", 2}, {"599", 1}, {"600", 1}}
	// around the slow thresholds (1s, and pay's 500ms in trafficGroups):
	// equal is not slow, as nginx counts
	reqTimes = []string{"0.004", "0.012", "0.250", "0.500", "0.501", "0.999", "1.000", "1.001", "2.500", "10.000"}
	paths    = []string{"/yearend-api/v1/rank?stage=3&page=1", "/yearend-api/v1/user/%d/progress", "/pay/order/%d", "/static/js/app.js", "/"}
	hosts    = []string{"web-1", "web-2", "web-3", "web-4"}

	// trafficGroups are path groups as an access log and a stream both
	// read them: a prefix with its own slow threshold, a glob with '?'
	// and '*', a prefix the glob's paths also have (the first group
	// matching counts a request), a literal-and-'*' glob, a glob without
	// a wildcard.
	trafficGroups = []nginx.GroupConfig{
		{Name: "pay", Prefix: "/pay/", Slow: model.Duration(500 * time.Millisecond)},
		{Name: "progress", Glob: "/yearend-api/v?/user/*/progress"},
		{Name: "api", Prefix: "/yearend-api/"},
		{Name: "static", Glob: "/static/*"},
		{Name: "home", Glob: "/"},
	}
	// groupPaths are paths with the groups' edges: queries (which a group
	// does not read, some holding what it looks for), '#' (read as any
	// other byte: only '?' starts the query), near misses.
	groupPaths = append(slices.Clip(paths),
		"/pay/order/%d?coupon=%%22x%%22", "/yearend-api/v1/user/%d/progress?tab=1", "/yearend-api/v2/user/%d#top/progress",
		"/yearend-api/v10/user/%d/progress", "/yearend-api/v1/user/%d/progress/more", "/yearend-api/v1/user/%d/x?next=/progress",
		"/?utm=x", "/index.html", "/static", "/staticx/a.js")
)

// genTraffic makes seconds of traffic from `from` on, some seconds
// empty, web-3 giving up on clients (499) far more than the others.
func genTraffic(seed uint64, from time.Time, seconds int) traffic {
	return genTrafficOf(seed, from, seconds, paths)
}

// genTrafficOf is genTraffic's requests for paths (%d: a number).
func genTrafficOf(seed uint64, from time.Time, seconds int, paths []string) traffic {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	tr := traffic{from: from, to: from.Add(time.Duration(seconds) * time.Second)}
	total := 0
	for _, s := range statuses {
		total += s.weight
	}
	for s := 0; s < seconds; s++ {
		n := r.IntN(30)
		if s%17 == 5 {
			n = 0 // a second without a line: VictoriaLogs leaves its bucket out
		}
		for j := 0; j < n; j++ {
			at := from.Add(time.Duration(s)*time.Second + time.Duration(j)*time.Second/time.Duration(n+1))
			host := hosts[r.IntN(len(hosts))]
			w := r.IntN(total)
			status := statuses[0].code
			for _, st := range statuses {
				if w < st.weight {
					status = st.code
					break
				}
				w -= st.weight
			}
			if host == "web-3" && r.IntN(3) == 0 {
				status = "499"
			}
			rt := reqTimes[r.IntN(len(reqTimes))]
			path := paths[r.IntN(len(paths))]
			if strings.Contains(path, "%d") {
				path = fmt.Sprintf(path, r.IntN(1000))
			}
			client := fmt.Sprintf("10.0.%d.%d", r.IntN(3), r.IntN(40))
			line := fmt.Sprintf(`%s - - [%s] "GET %s HTTP/1.1" %s 512 "-" "okhttp/4.9.3" %s -`,
				client, at.UTC().Format("02/Jan/2006:15:04:05 -0700"), path, status, rt)
			tr.log = append(tr.log, line)
			tr.lines = append(tr.lines, vltest.Line{Time: at, Msg: line, Fields: map[string]string{
				"app": "nginx", "host": host, "status": status, "request_time": rt, "path": path, "remote_addr": client,
			}})
		}
	}
	return tr
}

func (tr traffic) writeLog(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(tr.log, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
