package sources

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Driver is what drives an access log's requests of one kind (all, 499s,
// slow, 5xx) over a recent span: the path, client and host holding most
// of them, and how many clients made them — where the trouble comes from,
// at a glance. Counts are sure counts; where the span had more distinct
// keys than the top tables hold exactly (Exact false), a key's true count
// lies between Count and Max and the clients counted are a lower bound.
type Driver struct {
	Mark   string // what is counted: "req", "499", "slow", "5xx"
	Source string // the access log
	Events uint64 // requests of the kind in the span (exact)
	Path   DriverKey
	Client DriverKey
	Host   DriverKey // Key "" when the format has no $host
	// Upstream is the upstream server that answered most of them; Key ""
	// when the format has no $upstream_addr (or nginx answered itself)
	Upstream DriverKey
	Clients  uint64 // clients with at least one such request
	Exact    bool   // every count is exact
	// ClientsExact: Clients is exact though the keys' counts may not be
	// (counted apart, as VictoriaLogs' count_uniq counts them)
	ClientsExact bool
	// Approx: the counts are estimates (Prometheus's increase() over
	// scraped counters), shares written ~62%
	Approx bool
	// From, To is the span counted: the whole minutes touching the
	// minute before the instant it was taken for.
	From, To time.Time
}

// DriverKey is one key's share of a Driver's requests: Count is sure,
// Max the most it can be (equal when exact). Key is sanitized.
type DriverKey struct {
	Key        string
	Count, Max uint64
}

// Line is the driver as one line, as the screen, the report and
// notifications write it:
//
//	499 ← /api/yearend/result 71% · 268 IPs · top 10.99.0.5 (288) · upstream 10.0.3.7:8080 90%
//	499 ← host ingress-7f9c 62%
//
// (the second from a source that knows hosts but no paths: Prometheus).
// "≥" marks a count that is a lower bound, "~" a share estimated from
// counters; "" when there is nothing to say (no request of the kind in
// the span).
func (d Driver) Line() string {
	if d.Events == 0 || d.Path.Key == "" && d.Host.Key == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(d.Mark)
	b.WriteString(" ←")
	if d.Path.Key != "" {
		b.WriteByte(' ')
		b.WriteString(d.Path.Key)
		b.WriteByte(' ')
		b.WriteString(d.share(d.Path))
		b.WriteString(" · ")
		if !d.Exact && !d.ClientsExact {
			b.WriteString("≥")
		}
		b.WriteString(strconv.FormatUint(d.Clients, 10))
		if d.Clients == 1 {
			b.WriteString(" IP")
		} else {
			b.WriteString(" IPs")
		}
		if d.Client.Key != "" {
			fmt.Fprintf(&b, " · top %s (%s)", d.Client.Key, d.count(d.Client))
		}
		if d.Upstream.Key != "" {
			fmt.Fprintf(&b, " · upstream %s %s", d.Upstream.Key, d.share(d.Upstream))
		}
		b.WriteString(" ·")
	}
	if d.Host.Key != "" {
		fmt.Fprintf(&b, " host %s %s", d.Host.Key, d.share(d.Host))
	}
	return strings.TrimSuffix(b.String(), " ·")
}

// share is k's part of the requests in percent, "≥" when only its lower
// bound is sure.
func (d Driver) share(k DriverKey) string {
	if k.Count > d.Events {
		// counted by another query than the total, a moment apart (a
		// VictoriaLogs stream's tables): all of them, about
		return "~100%"
	}
	p := strconv.FormatUint(k.Count*100/max(d.Events, 1), 10) + "%"
	if d.Approx {
		return "~" + p
	}
	if k.Max > k.Count {
		return "≥" + p
	}
	return p
}

func (d Driver) count(k DriverKey) string {
	n := strconv.FormatUint(k.Count, 10)
	if k.Max > k.Count {
		return "≥" + n
	}
	return n
}
