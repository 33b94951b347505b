package demo

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources/schedule"
)

// Options configure a Simulator. Zero values take the defaults noted.
type Options struct {
	Dir   string           // where access.log and app.log are written (required)
	Now   func() time.Time // the clock (required: the simulator writes "now")
	First time.Time        // the first stage end the live run reaches (default Now()+2m)
	Every time.Duration    // stage ends repeat this often (default 10m)
	// Backfill is how much history is written at start, so charts have a
	// past (including the previous stage end) from the first frame.
	// Default 10m; negative: none.
	Backfill time.Duration
	Step     time.Duration  // how often lines are written (default 250ms)
	Zone     *time.Location // zone of the written timestamps (default UTC+8)
	Seed     uint64
	Script   Script
}

// Simulator writes the demo night. Create with New, drive with Run.
type Simulator struct {
	o    Options
	rng  *rand.Rand
	acc  *bufio.Writer
	app  *bufio.Writer
	done time.Time // lines are written up to here
	// fractional lines carried between steps, so low rates still appear
	carry [3]float64
	buf   []byte
	crowd int // clients of the crowd (default 4000; a campaign's are more)
}

// New checks the options; it does no IO.
func New(o Options) (*Simulator, error) {
	if o.Dir == "" || o.Now == nil {
		return nil, fmt.Errorf("demo: Dir and Now are required")
	}
	if o.Every <= 0 {
		o.Every = 10 * time.Minute
	}
	if o.First.IsZero() {
		o.First = o.Now().Add(2 * time.Minute).Truncate(time.Second)
	}
	if o.Backfill == 0 {
		o.Backfill = 10 * time.Minute
	}
	if o.Step <= 0 {
		o.Step = 250 * time.Millisecond
	}
	if o.Zone == nil {
		o.Zone = time.FixedZone("CST", 8*3600)
	}
	return &Simulator{o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed))}, nil
}

// AccessLog is the path of the nginx access log (format `timed`).
func (s *Simulator) AccessLog() string { return filepath.Join(s.o.Dir, "access.log") }

// AppLog is the path of the Node service's log.
func (s *Simulator) AppLog() string { return filepath.Join(s.o.Dir, "app.log") }

// First is the first stage end of the live run; stage ends repeat Every.
func (s *Simulator) First() time.Time { return s.o.First }

// Every is the time between stage ends.
func (s *Simulator) Every() time.Duration { return s.o.Every }

// Offset is t's offset from the stage end whose script covers it: after
// the previous stage end while its aftermath lasts, else before the next.
func (s *Simulator) Offset(t time.Time) time.Duration {
	k := math.Floor(float64(t.Sub(s.o.First)) / float64(s.o.Every))
	prev := s.o.First.Add(time.Duration(k) * s.o.Every)
	if d := t.Sub(prev); d < 5*time.Minute {
		return d
	}
	return t.Sub(prev.Add(s.o.Every))
}

// Prepare creates the files and writes the backfill; Run calls it, and
// callers that must start readers on complete history call it first.
//
// A run starts clean: access.log and app.log left by an earlier run in
// Dir are emptied, so the new history is not appended to an overlapping
// old one. Only those two files are touched, and only when they are empty
// or were written by the demo: a real log of the same name is an error.
func (s *Simulator) Prepare() error {
	if s.acc != nil {
		return nil
	}
	if err := os.MkdirAll(s.o.Dir, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	acc, err := openOwn(s.AccessLog(), accessMark)
	if err != nil {
		return err
	}
	app, err := openOwn(s.AppLog(), appMark)
	if err != nil {
		acc.Close()
		return err
	}
	// both are known to be the demo's before either is emptied
	for _, f := range []*os.File{acc, app} {
		if err := f.Truncate(0); err != nil {
			acc.Close()
			app.Close()
			return fmt.Errorf("demo: %w", err)
		}
	}
	s.acc, s.app = bufio.NewWriterSize(acc, 256<<10), bufio.NewWriterSize(app, 64<<10)
	now := s.o.Now()
	s.done = now
	if s.o.Backfill > 0 {
		s.done = now.Add(-s.o.Backfill)
		if err := s.writeUntil(now); err != nil {
			return err
		}
	}
	return nil
}

// Every line the demo writes contains its file's mark; openOwn tells a
// previous run's log from someone else's by its first line.
const (
	accessMark = `"https://event.example.com/yearend/index.html"` // the referer
	appMark    = " [yearend-api] "                                // the service
)

// openOwn opens path for appending, creating it if need be, and checks
// that it is empty or the demo's (its first line has mark), so a run never
// empties a log it did not write.
func openOwn(path, mark string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		f.Close()
		return nil, fmt.Errorf("demo: %w", err)
	}
	head = head[:n]
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if n > 0 && !bytes.Contains(head, []byte(mark)) {
		f.Close()
		return nil, fmt.Errorf("demo: %s was not written by the demo; leaving it alone (use another directory)", path)
	}
	return f, nil
}

// Run writes the night until ctx ends.
func (s *Simulator) Run(ctx context.Context) error {
	if err := s.Prepare(); err != nil {
		return err
	}
	t := time.NewTicker(s.o.Step)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := s.writeUntil(s.o.Now()); err != nil {
				return err
			}
		}
	}
}

// writeUntil writes the lines of (done, to] in steps, then flushes both files.
func (s *Simulator) writeUntil(to time.Time) error {
	for s.done.Before(to) {
		end := s.done.Add(s.o.Step)
		if end.After(to) {
			end = to
		}
		s.writeStep(s.done, end)
		s.done = end
	}
	if err := s.acc.Flush(); err != nil {
		return fmt.Errorf("demo: access log: %w", err)
	}
	if err := s.app.Flush(); err != nil {
		return fmt.Errorf("demo: app log: %w", err)
	}
	return nil
}

func (s *Simulator) count(i int, rate, secs float64) int {
	s.carry[i] += rate * secs
	n := int(s.carry[i])
	s.carry[i] -= float64(n)
	return n
}

func (s *Simulator) writeStep(from, to time.Time) {
	s.writeSpan(from, to, s.o.Script.At(s.Offset(from)))
}

// writeSpan writes the lines of [from, to) under conditions c.
func (s *Simulator) writeSpan(from, to time.Time, c Conditions) {
	secs := to.Sub(from).Seconds()
	span := to.Sub(from)
	at := func(i, n int) time.Time {
		return from.Add(time.Duration((float64(i) + s.rng.Float64()) / float64(n) * float64(span)))
	}
	if n := s.count(0, c.QPS, secs); n > 0 {
		for i := 0; i < n; i++ {
			s.accessLine(at(i, n), c)
		}
	}
	if n := s.count(1, c.DBErrors, secs); n > 0 {
		for i := 0; i < n; i++ {
			s.dbError(at(i, n))
		}
	}
	if n := s.count(2, 2, secs); n > 0 { // the service's own chatter
		for i := 0; i < n; i++ {
			s.appInfo(at(i, n))
		}
	}
}

type route struct {
	method, path string
	static       bool
}

var routes = []route{
	{"GET", "/yearend-api/v1/rank?stage=#&page=1", false},
	{"GET", "/yearend-api/v1/user/#/progress", false},
	{"POST", "/yearend-api/v1/lottery/draw", false},
	{"GET", "/pay/order/#", false},
	{"GET", "/static/js/beanPay-77cc09a6.js", true},
	{"GET", "/static/css/app.3f9e1c2b.chunk.css", true},
	{"GET", "/yearend/index.html", true},
}

var agents = []string{
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44 NetType/WIFI Language/zh_CN",
	"Mozilla/5.0 (Linux; Android 13; V2227A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/111.0 Mobile Safari/537.36 MicroMessenger/8.0.42 NetType/5G",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
}

func (s *Simulator) accessLine(t time.Time, c Conditions) {
	r := s.rng
	ip := s.ip(max(s.crowd, 4000), 0)
	rt := routes[r.IntN(len(routes))]
	path := rt.path
	if c.Hammer && r.Float64() < 0.4 {
		// 268 IPs refreshing the stage result page
		ip, rt = s.ip(268, 1), routes[0]
		path = "/yearend-api/v1/result?stage=#"
	}
	status, reqTime, upTime := 200, 0.004+r.ExpFloat64()*0.03, ""
	u := r.Float64()
	switch {
	case u < c.Rate499/c.QPS:
		status, reqTime, upTime = 499, 2+r.Float64()*8, "-"
	case u < (c.Rate499+c.Rate5xx)/c.QPS:
		status, reqTime = 504, 10
		upTime = "10.000"
	case u < (c.Rate499+c.Rate5xx)/c.QPS+c.Slow:
		reqTime = 1.1 + r.ExpFloat64()*2
	case rt.static && r.Float64() < 0.6:
		status = 304
	}
	if upTime == "" {
		if rt.static {
			upTime = "-"
		} else {
			upTime = strconv.FormatFloat(reqTime*0.97, 'f', 3, 64)
		}
	}
	body := 0
	switch {
	case status == 200 && rt.static:
		body = 48000 + r.IntN(90000)
	case status == 200:
		body = 300 + r.IntN(4000)
	case status == 504:
		body = 160
	}
	b := s.buf[:0]
	b = append(b, ip...)
	b = append(b, " - - ["...)
	b = t.In(s.o.Zone).AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, "] \""...)
	b = append(b, rt.method...)
	b = append(b, ' ')
	b = s.fill(b, path)
	b = append(b, " HTTP/1.1\" "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(body), 10)
	b = append(b, ' ')
	b = append(b, accessMark...)
	b = append(b, " \""...)
	b = append(b, agents[r.IntN(len(agents))]...)
	b = append(b, "\" "...)
	b = strconv.AppendFloat(b, reqTime, 'f', 3, 64)
	b = append(b, ' ')
	b = append(b, upTime...)
	b = append(b, '\n')
	s.acc.Write(b)
	s.buf = b
}

// ip returns one of n addresses of pool (0: the crowd, 1: the hammering few).
func (s *Simulator) ip(n, pool int) string {
	k := s.rng.IntN(n)
	if pool == 1 {
		return "10.8." + strconv.Itoa(k/200) + "." + strconv.Itoa(k%200+20)
	}
	// 62,500 addresses a /16 (a campaign's crowd spans several)
	return "172." + strconv.Itoa(16+k/62500) + "." + strconv.Itoa(k%62500/250) + "." + strconv.Itoa(k%250+1)
}

// fill replaces each '#' in p with a number.
func (s *Simulator) fill(b []byte, p string) []byte {
	for i := 0; i < len(p); i++ {
		if p[i] == '#' {
			b = strconv.AppendInt(b, int64(1+s.rng.IntN(90000)), 10)
			continue
		}
		b = append(b, p[i])
	}
	return b
}

func (s *Simulator) stamp(t time.Time) string {
	return t.In(s.o.Zone).Format("2006-01-02T15:04:05.000-07:00")
}

func (s *Simulator) dbError(t time.Time) {
	fmt.Fprintf(s.app, "%s ERROR"+appMark+"SequelizeDatabaseError: read ECONNRESET\n"+
		"    at Query.formatError (/srv/yearend-api/node_modules/sequelize/lib/dialects/mysql/query.js:265:16)\n"+
		"    at Query.run (/srv/yearend-api/node_modules/sequelize/lib/dialects/mysql/query.js:68:18)\n"+
		"    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n", s.stamp(t))
}

func (s *Simulator) appInfo(t time.Time) {
	fmt.Fprintf(s.app, "%s INFO"+appMark+"GET /yearend-api/v1/rank 200 %dms\n", s.stamp(t), 5+s.rng.IntN(40))
}

// ScheduleConfig is the demo's schedule: stage ends every Every from the
// one before First (which the backfill shows), with windows that fit
// between them.
func (s *Simulator) ScheduleConfig() schedule.Config {
	d := func(v time.Duration) *model.Duration { m := model.Duration(v); return &m }
	return schedule.Config{
		Event:    "Year-end gala (demo)",
		TimeZone: "Asia/Shanghai",
		Windows:  schedule.WindowsConfig{Before: d(2 * time.Minute), Hot: d(3 * time.Minute), After: d(6 * time.Minute)},
		Recurring: []schedule.RecurringConfig{{
			Name:  "Stage {n}",
			First: s.o.First.Add(-s.o.Every).Format(time.RFC3339),
			Every: model.Duration(s.o.Every),
			Count: 1000,
		}},
	}
}
