package vlogs

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"warroom/sources"
)

// ServerProbe is what one look at a server says (for `warroom check`):
// whether it answers as VictoriaLogs does, and what each of its streams'
// filters matches.
type ServerProbe struct {
	Server string
	// Health is ok when it answered a query; unreachable when it could
	// not be reached or did not answer within its timeout; error when it
	// answered otherwise than VictoriaLogs does (a status, an HTML page,
	// a proxy's login), Reason saying how (sanitized, secrets scrubbed).
	Health sources.Health
	Reason string
	Took   time.Duration // how long its answer took
	// Streams are its streams' probes, in config order; not asked when
	// the server did not answer.
	Streams []StreamProbe
}

// StreamProbe is a stream's filter tried on its server.
type StreamProbe struct {
	Stream string
	Kind   Kind
	Health sources.Health // ok, or why the query failed (a filter the server rejects)
	Reason string
	Lines  uint64 // lines the filter matched over the span
	// Unfit, for a stream of raw lines (a format), is how many of them
	// the format does not fit: no status read from them.
	Unfit uint64
	Raw   bool // the stream reads raw lines with a format
	// Timed, for an access stream, is how many of the lines carry a
	// request time (its field holds a number): none leaves the slow
	// ratio unknown.
	Timed uint64
	// Groups, for an access stream with path groups, is how many of the
	// lines each group counted (a request counts in the first group it
	// matches), in config order.
	Groups []uint64
}

// Probe asks each server once whether it answers, then each of its
// streams how many lines its filter matched over the span before now.
// Requests are bounded by each server's timeout, as polls are.
func Probe(ctx context.Context, cfg Config, span time.Duration, now func() time.Time) []ServerProbe {
	out := make([]ServerProbe, len(cfg.Servers))
	var wg sync.WaitGroup
	for i, sc := range cfg.Servers {
		wg.Go(func() {
			srv := newServer(sc, nil)
			p := ServerProbe{Server: sc.Name, Health: sources.HealthOK}
			end := now()
			form := url.Values{"query": {"* | limit 1"}, "start": {strconv.FormatInt(end.Unix()-1, 10)}, "end": {strconv.FormatInt(end.Unix(), 10)}}
			body, err := srv.post(ctx, "/select/logsql/query", form)
			p.Took = now().Sub(end)
			if err == nil {
				_, err = parseRows(body)
			}
			if err != nil {
				f := srv.failureOf(err)
				p.Health, p.Reason = f.health, f.msg
				out[i] = p
				return
			}
			for _, st := range cfg.Streams {
				if st.Server == sc.Name {
					p.Streams = append(p.Streams, StreamProbe{Stream: st.Name, Kind: st.Kind})
				}
			}
			var sw sync.WaitGroup
			k := 0
			for _, st := range cfg.Streams {
				if st.Server != sc.Name {
					continue
				}
				sp := &p.Streams[k]
				k++
				sw.Go(func() { probeStream(ctx, srv, st, span, now(), sp) })
			}
			sw.Wait()
			out[i] = p
		})
	}
	wg.Wait()
	return out
}

// probeStream counts the lines st's filter matches over the span before
// end.
func probeStream(ctx context.Context, srv *server, st StreamConfig, span time.Duration, end time.Time, sp *StreamProbe) {
	q := selected(st.Filter) + " | stats count() as n"
	access := st.Kind == KindAccess
	if access {
		q = st.lines() + " | stats count() as n, count() if (" + marksOf(st).timed + ") as timed"
		if st.raw != "" {
			sp.Raw = true
			q += ", count() if (-" + rawStatus + `:~"^[1-9][0-9][0-9]$") as unfit`
		}
	}
	form := url.Values{"query": {q},
		"start": {strconv.FormatInt(end.Add(-span).Unix(), 10)}, "end": {strconv.FormatInt(end.Unix(), 10)}}
	body, err := srv.post(ctx, "/select/logsql/query", form)
	var rows []map[string]string
	if err == nil {
		rows, err = parseRows(body)
	}
	if err == nil && len(rows) > 0 {
		sp.Lines, err = uintOf(rows[0], "n")
		if err == nil && access {
			sp.Timed, err = uintOf(rows[0], "timed")
		}
		if err == nil && sp.Raw {
			sp.Unfit, err = uintOf(rows[0], "unfit")
		}
	}
	if err == nil && access && len(st.Groups) > 0 && sp.Lines > 0 {
		sp.Groups, err = probeGroups(ctx, srv, st, form)
	}
	sp.Health = sources.HealthOK
	if err != nil {
		f := srv.failureOf(err)
		sp.Health, sp.Reason = f.health, f.msg
	}
}

// probeGroups counts each path group's lines over the span form asks
// for, with the stream's own counts query.
func probeGroups(ctx context.Context, srv *server, st StreamConfig, form url.Values) ([]uint64, error) {
	form = url.Values{"query": {countersQuery(st)}, "start": form["start"], "end": form["end"]}
	body, err := srv.post(ctx, "/select/logsql/query", form)
	if err != nil {
		return nil, err
	}
	rows, err := parseRows(body)
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("stats without by: %d rows, want 1", len(rows))
	}
	out := make([]uint64, len(st.Groups))
	for i := range st.Groups {
		if out[i], err = uintOf(rows[0], groupCol(i)+accessNames[colTotal]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
