package demo

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CampaignOptions shape a campaign written by WriteCampaign. Zero values
// take the defaults noted.
type CampaignOptions struct {
	Dir string // where the logs and warroom.yaml go (required; created when missing)
	// Days is the number of stage ends, one at each midnight after the
	// first day's (default 20: a year-end campaign).
	Days int
	// First is the first line's time, 00:00 of the first day in the
	// event's zone (default 2026-12-12 00:00 +08:00): the stage ends are
	// the Days midnights after it, and the logs end an hour after the last.
	First time.Time
	Peak  float64 // requests per second at the evening peak (default 30); the small hours see a twentieth of it
	Flood float64 // requests per second of the refresh storm after a stage end (default 10 × Peak)
	Crowd int     // distinct clients (default 200,000)
	Seed  uint64
	Jobs  int // days written at once (default GOMAXPROCS); the bytes are the same whatever it is
}

// The files of a campaign in its directory, rotated daily at midnight as
// logrotate's `daily, compress, delaycompress` leaves them: the last day's
// hour in access.log, the day before in access.log.1, older days in
// access.log.N.gz (likewise app.log).
const (
	CampaignAccess = "access.log"
	CampaignApp    = "app.log"
	CampaignConfig = "warroom.yaml"
)

func (o *CampaignOptions) defaults() error {
	if o.Dir == "" {
		return errors.New("demo: campaign: Dir is required")
	}
	if o.Days <= 0 {
		o.Days = 20
	}
	if o.Days > 366 {
		return fmt.Errorf("demo: campaign: %d days: at most 366", o.Days)
	}
	if o.First.IsZero() {
		o.First = time.Date(2026, 12, 12, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	}
	if o.Peak <= 0 {
		o.Peak = 30
	}
	if o.Flood <= 0 {
		o.Flood = 10 * o.Peak
	}
	if o.Crowd <= 0 {
		o.Crowd = 200_000
	}
	if o.Jobs <= 0 {
		o.Jobs = runtime.GOMAXPROCS(0)
	}
	return nil
}

// campaignFile is the name of day k's file of log base (the last day,
// k == days, is the live file).
func campaignFile(base string, k, days int) string {
	switch n := days - k; n {
	case 0:
		return base
	case 1:
		return base + ".1"
	default:
		return base + "." + strconv.Itoa(n) + ".gz"
	}
}

// WriteCampaign writes a whole campaign into o.Dir: an nginx access log in
// the `timed` format with a diurnal rate (a twentieth of the peak in the
// small hours, the peak at 21:00), users gathering in the ten minutes
// before each midnight's stage end and flooding in after it — the demo's
// refresh storm, hang with 499s and slow responses and burst of
// `SequelizeDatabaseError: read ECONNRESET` at o.Flood, a night's size
// varying by ±30% and the last one half again as big — then thinning out
// over half an hour; a Node service's log with its chatter, those bursts
// and one or two short bursts of connection resets by day; and
// warroom.yaml, which reads them with the campaign's schedule. Each day is
// written from its own seed, so the same options give the same bytes.
func WriteCampaign(o CampaignOptions) error {
	if err := o.defaults(); err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return fmt.Errorf("demo: campaign: %w", err)
	}
	days := make(chan int)
	errs := make([]error, o.Days+1)
	var wg sync.WaitGroup
	for range min(o.Jobs, o.Days+1) {
		wg.Go(func() {
			for k := range days {
				errs[k] = writeCampaignDay(o, k)
			}
		})
	}
	for k := 0; k <= o.Days; k++ {
		days <- k
	}
	close(days)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return writeFile(filepath.Join(o.Dir, CampaignConfig), []byte(campaignYAML(o)))
}

func writeFile(path string, b []byte) error {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("demo: campaign: %w", err)
	}
	return nil
}

// campaignDay is what varies from one day to the next.
type campaignDay struct {
	flood  float64 // the storm after the midnight this day starts at (0: none)
	bursts []campaignBurst
}

// campaignBurst is a short burst of connection resets in the day.
type campaignBurst struct {
	from time.Time
	len  time.Duration
	rate float64 // errors per second
}

func writeCampaignDay(o CampaignOptions, k int) (err error) {
	from := o.First.Add(time.Duration(k) * 24 * time.Hour)
	to := from.Add(24 * time.Hour)
	if k == o.Days {
		to = from.Add(time.Hour) // the last stage end's aftermath
	}
	rng := rand.New(rand.NewPCG(o.Seed, uint64(k)*0x9e3779b97f4a7c15+0xca3))
	var day campaignDay
	if k > 0 {
		day.flood = o.Flood * (0.7 + 0.6*rng.Float64())
		if k == o.Days {
			day.flood *= 1.5
		}
	}
	for range rng.IntN(3) {
		day.bursts = append(day.bursts, campaignBurst{
			from: from.Add(9*time.Hour + time.Duration(rng.IntN(14*3600))*time.Second),
			len:  time.Duration(20+rng.IntN(41)) * time.Second,
			rate: 1 + 2*rng.Float64(),
		})
	}

	open := func(base string) (*bufio.Writer, func() error, error) {
		name := campaignFile(base, k, o.Days)
		f, err := os.Create(filepath.Join(o.Dir, name))
		if err != nil {
			return nil, nil, fmt.Errorf("demo: campaign: %w", err)
		}
		var w io.Writer = f
		var gz *gzip.Writer
		if strings.HasSuffix(name, ".gz") {
			gz, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
			w = gz
		}
		bw := bufio.NewWriterSize(w, 256<<10)
		return bw, func() error {
			err := bw.Flush()
			if gz != nil {
				err = errors.Join(err, gz.Close())
			}
			if err = errors.Join(err, f.Close()); err != nil {
				return fmt.Errorf("demo: campaign: %s: %w", name, err)
			}
			return nil
		}, nil
	}
	acc, closeAcc, err := open(CampaignAccess)
	if err != nil {
		return err
	}
	app, closeApp, err := open(CampaignApp)
	if err != nil {
		return errors.Join(err, closeAcc())
	}
	defer func() { err = errors.Join(err, closeAcc(), closeApp()) }()

	s := &Simulator{o: Options{Zone: o.First.Location()}, rng: rng, acc: acc, app: app, crowd: o.Crowd}
	next := from.Add(24 * time.Hour) // the stage end ahead, when k < o.Days
	for t := from; t.Before(to); t = t.Add(time.Second) {
		s.writeSpan(t, t.Add(time.Second), day.at(o, t, t.Sub(from), next.Sub(t), k < o.Days))
	}
	return nil
}

// diurnal is the share of the peak rate at each hour of the day (in the
// event's zone), from a night's low to the evening's peak at 21:00.
var diurnal = [24]float64{
	0.24, 0.12, 0.06, 0.05, 0.05, 0.06, 0.12, 0.24, 0.36, 0.44, 0.50, 0.56,
	0.70, 0.60, 0.50, 0.50, 0.52, 0.56, 0.64, 0.76, 0.90, 1.00, 0.90, 0.60,
}

// at is the traffic at t, since (from the midnight the day starts at)
// and ahead (to the next) into it; next says a stage end is ahead.
func (d *campaignDay) at(o CampaignOptions, t time.Time, since, ahead time.Duration, next bool) Conditions {
	h := since.Hours()
	i := int(h) % 24
	f := h - math.Floor(h)
	base := o.Peak * (diurnal[i]*(1-f) + diurnal[(i+1)%24]*f)
	c := Conditions{QPS: base, Slow: 0.0004, Rate499: 0.001 * base, Rate5xx: 0.0005 * base}
	const gather, thin = 10 * time.Minute, 30 * time.Minute
	storm := Script{Base: d.flood / 4} // the demo's night: ×4 in the storm
	switch {
	case d.flood > 0 && since < 5*time.Minute:
		c = storm.At(since)
	case d.flood > 0 && since < thin:
		// the crowd thins out from the recovery's level to the day's
		after := storm.At(5 * time.Minute).QPS
		c.QPS = base + (after-base)*math.Exp(-float64(since-5*time.Minute)/float64(6*time.Minute))
	case next && ahead <= gather:
		// users gather for the result
		c.QPS = base * (1 + 0.6*float64(gather-ahead)/float64(gather))
	}
	for _, b := range d.bursts {
		if !t.Before(b.from) && t.Before(b.from.Add(b.len)) {
			c.DBErrors = b.rate
			c.Slow = 0.01
			c.Rate499 += 0.3
		}
	}
	return c
}

// campaignYAML is the config that reads a campaign: its logs (globs over
// the rotated files, path groups as in `warroom init`'s example), the db
// pack, reports, and the schedule — a stage end each midnight, the last
// one the final.
func campaignYAML(o CampaignOptions) string {
	var b strings.Builder
	stamp := func(t time.Time) string { return t.Format(time.RFC3339) }
	fmt.Fprintf(&b, `# A synthetic %d-day campaign written by warroom generate --campaign (seed %d,
# peak %g req/s, flood %g req/s). Rehearse it: warroom watch --replay -c %s
`, o.Days, o.Seed, o.Peak, o.Flood, CampaignConfig)
	b.WriteString(`access_logs:
  - name: nginx
    paths: [` + CampaignAccess + `*]
    format: timed
    groups:
      - {name: pay, prefix: /pay/, slow: 500ms}
      - {name: api, glob: "/yearend-api/*"}
      - {name: static, prefix: /static/}
app_logs:
  - name: app
    paths: [` + CampaignApp + `*]
    time_zone: Asia/Shanghai
    packs: [db]
reports_dir: reports
schedule:
  event: Year-end campaign (synthetic)
  time_zone: Asia/Shanghai
  windows: {before: 10m, hot: 10m, after: 30m}
`)
	last := o.First.Add(time.Duration(o.Days) * 24 * time.Hour)
	if o.Days > 1 {
		fmt.Fprintf(&b, "  recurring:\n    - {name: \"Day {n}\", first: %q, every: 1d, count: %d}\n",
			stamp(o.First.Add(24*time.Hour)), o.Days-1)
	}
	fmt.Fprintf(&b, "  stages:\n    - {name: Final, end: %q}\n", stamp(last))
	return b.String()
}
