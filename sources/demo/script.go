// Package demo plays a compressed stage-end night into real log files, so
// `warroom demo` shows the whole dashboard with nothing installed: an nginx
// access log (the `timed` format) and a Node service's log in a directory,
// and a schedule whose stage ends come every few minutes.
//
// Around each stage end the script is the night the project was built for:
// a refresh storm (QPS ×4), then a hang — slow responses and clients giving
// up (499) from a few hundred IPs — while the service's MySQL connections
// drop (`SequelizeDatabaseError: read ECONNRESET`), then recovery.
package demo

import "time"

// Conditions is the traffic at one instant of the script.
type Conditions struct {
	QPS      float64 // requests per second
	Slow     float64 // fraction of requests over the slow threshold
	Rate499  float64 // clients giving up, per second
	Rate5xx  float64 // 502/504 per second
	DBErrors float64 // SequelizeDatabaseError lines per second
	Hammer   bool    // a few hundred IPs refreshing the result page
}

// Script shapes the night relative to the nearest stage end. The offsets
// are compressed (minutes, not hours) so a demo shows a whole cycle.
type Script struct {
	Base float64 // normal QPS
}

// At returns the conditions at offset d from a stage end (negative: before).
func (s Script) At(d time.Duration) Conditions {
	base := s.Base
	if base <= 0 {
		base = 120
	}
	c := Conditions{QPS: base, Slow: 0.0004, Rate499: 0.02}
	sec := d.Seconds()
	switch {
	case sec < -30:
		// normal: a little noise comes from the writer's randomness
	case sec < 0:
		// users gather before the result: a gentle rise
		c.QPS = base * (1 + 0.5*(sec+30)/30)
	case sec < 40:
		// the refresh storm: ×4 within seconds of the stage end
		c.QPS = base * 4
		c.Slow = 0.004
		c.Rate499 = 0.5
		c.Hammer = true
	case sec < 220:
		// the hang: internal APIs time out, clients give up
		c.QPS = base * 3.2
		c.Slow = 0.12
		c.Rate499 = 14
		c.Rate5xx = 2
		c.Hammer = true
		if sec >= 60 && sec < 150 {
			c.DBErrors = 6
		}
	case sec < 300:
		// recovery: the pool reconnects, the crowd thins out
		f := (sec - 220) / 80
		c.QPS = base * (3.2 - 1.8*f)
		c.Slow = 0.02 * (1 - f)
		c.Rate499 = 1.5 * (1 - f)
	default:
		c.QPS = base * 1.4
	}
	return c
}
