package schedule

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/common/model"
)

// Listing describes the next n milestones after now for `warroom check`:
// each end in the event's zone, labelled with its offset (every time
// warroom writes is in that one zone), with how long until it.
//
//	Year-end 2026 (Asia/Shanghai)
//	Day 1  2026-12-13 00:00 Sun +08:00  in 3h0m  [−10m +10m +30m]
func (s *Schedule) Listing(now time.Time, n int) string {
	var b strings.Builder
	name := s.Event()
	if name == "" {
		name = "schedule"
	}
	fmt.Fprintf(&b, "%s (%s)\n", name, s.Location())
	up := s.Upcoming(now, n)
	if len(up) == 0 {
		fmt.Fprintf(&b, "  no milestones after %s\n", now.In(s.Location()).Format(listLayout))
		return b.String()
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, m := range up {
		fmt.Fprintf(tw, "  %s\t%s\tin %s\t[−%s +%s +%s]\n", m.Name,
			m.End.In(s.Location()).Format(listLayout),
			roughly(m.End.Sub(now)), short(m.Windows.Before), short(m.Windows.Hot), short(m.Windows.After))
	}
	tw.Flush()
	if rest := s.Len() - s.after(now) - len(up); rest > 0 {
		fmt.Fprintf(&b, "  … and %d more\n", rest)
	}
	return b.String()
}

// The weekday is there because "00:00 on the 13th" is exactly the kind of
// thing people misread as the night of the 13th.
const listLayout = "2006-01-02 15:04 Mon -07:00"

// roughly formats d to the minute (seconds under a minute).
func roughly(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	d = d.Round(time.Minute)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	s := strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "h0m")
	if strings.HasSuffix(d.String(), "h0m0s") {
		s += "h"
	}
	if days > 0 {
		return fmt.Sprintf("%dd%s", days, s)
	}
	return s
}

func short(d time.Duration) string { return model.Duration(d).String() }
