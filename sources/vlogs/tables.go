package vlogs

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
)

// mark is a kind of request a driver is about.
type mark int

const (
	markReq mark = iota
	mark499
	markSlow
	mark5xx
	numMarks
)

var markNames = [numMarks]string{"req", "499", "slow", "5xx"}

// Rows asked for per table: paths are merged once normalized (ids,
// queries), hosts are ranked by trouble rather than requests, so more are
// read than shown. A table whose answer is cut at the limit is not exact.
const (
	tableRows = 500
	hostRows  = 1000
	// DriverSpan is what a driver counts: the minute before.
	DriverSpan = time.Minute
	// DefaultTopN is how many rows a table shows until the screen asks.
	DefaultTopN = 10
)

// tables are an access stream's top tables and drivers as last fetched,
// and the span and rows the screen wants next.
type tables struct {
	prefix string // the tables' title prefix: the stream's name unless it is the key one

	mu    sync.Mutex
	span  time.Duration // wanted
	n     int
	asked bool // Tops was called: a screen shows the tables
	got   []sources.TopTable
	drv   []*sources.Driver // by mark; nil before the first fetch
}

// want records the span and rows the screen shows, true when they changed.
func (t *tables) want(span time.Duration, n int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	changed := span != t.span || n != t.n
	t.span, t.n, t.asked = span, n, true
	return changed && t.got != nil
}

// wanted says a screen has asked for the tables (a replay without one,
// watch --replay, fetches none).
func (t *tables) wanted() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.asked
}

func (t *tables) tops() []sources.TopTable {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]sources.TopTable, len(t.got))
	for i, tt := range t.got {
		tt.Rows = slices.Clone(tt.Rows)
		out[i] = tt
	}
	return out
}

func (t *tables) drivers() []*sources.Driver {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.drv
}

// row is one value of a field with its counts.
type row struct {
	key                 string
	n, s499, slow, s5xx uint64
}

func (r row) of(m mark) uint64 {
	switch m {
	case mark499:
		return r.s499
	case markSlow:
		return r.slow
	case mark5xx:
		return r.s5xx
	}
	return r.n
}

// table is one field's rows over a span, and whether they are all of
// them.
type table struct {
	rows  []row
	exact bool
}

// fetch asks for the tables over the span wanted and the drivers over
// the minute, all before now; what failed keeps what was fetched before.
func (t *tables) fetch(ctx context.Context, a *Access, now time.Time) error {
	t.mu.Lock()
	span, n := t.span, t.n
	t.mu.Unlock()
	if span <= 0 {
		span = DefaultWindow
	}
	if n <= 0 {
		n = DefaultTopN
	}
	end := now.Unix()
	from := end - int64(span/time.Second)
	f := a.cfg.Fields
	var clients, paths, hosts table
	var spanRows map[string]string
	var ds []*sources.Driver
	errs := make([]error, 5)
	var wg sync.WaitGroup
	wg.Go(func() { clients, errs[0] = a.table(ctx, f.Client, from, end, tableRows) })
	wg.Go(func() { paths, errs[1] = a.table(ctx, f.Path, from, end, tableRows) })
	wg.Go(func() { hosts, errs[2] = a.table(ctx, f.Host, from, end, hostRows) })
	wg.Go(func() { spanRows, errs[3] = a.spanCounts(ctx, from, end) })
	wg.Go(func() { ds, errs[4] = a.driversOver(ctx, end-int64(DriverSpan/time.Second), end) })
	wg.Wait()
	for _, err := range errs {
		if errors.Is(err, errCanceled) {
			return errCanceled
		}
	}
	if err := errors.Join(errs[:4]...); err == nil {
		distinct, _ := uintOf(spanRows, "c")
		tabs := []sources.TopTable{
			topTable(t.prefix+"IPs", span, clients, n, byRequests, distinct),
			topTable(t.prefix+"paths", span, normalized(paths), n, byRequests, 0),
			topTable(t.prefix+"hosts", span, hosts, n, byTrouble, 0),
		}
		t.mu.Lock()
		t.got = tabs
		t.mu.Unlock()
	}
	if errs[4] == nil {
		t.mu.Lock()
		t.drv = ds
		t.mu.Unlock()
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// driversOver fetches the drivers of [from, to): the path, client and
// host with most of each mark's requests (a replay's, at a transition's
// tick).
func (a *Access) driversOver(ctx context.Context, from, to int64) ([]*sources.Driver, error) {
	f := a.cfg.Fields
	var paths, clients, hosts table
	var counts map[string]string
	errs := make([]error, 4)
	var wg sync.WaitGroup
	wg.Go(func() { paths, errs[0] = a.table(ctx, f.Path, from, to, tableRows) })
	wg.Go(func() { clients, errs[1] = a.table(ctx, f.Client, from, to, tableRows) })
	wg.Go(func() { hosts, errs[2] = a.table(ctx, f.Host, from, to, hostRows) })
	wg.Go(func() { counts, errs[3] = a.spanCounts(ctx, from, to) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return driversOf(normalized(paths), clients, hosts, counts, time.Unix(from, 0), time.Unix(to, 0)), nil
}

// table asks for field's rows over [from, to).
func (a *Access) table(ctx context.Context, field string, from, to int64, limit int) (table, error) {
	rows, err := a.rows(ctx, tableQuery(a.cfg, field, limit), from, to)
	if err != nil {
		return table{}, err
	}
	out := table{exact: len(rows) < limit}
	for _, r := range rows {
		var x row
		x.key = r[field]
		var errs [4]error
		x.n, errs[0] = uintOf(r, "n")
		x.s499, errs[1] = uintOf(r, "s499")
		x.slow, errs[2] = uintOf(r, "slow")
		x.s5xx, errs[3] = uintOf(r, "s5xx")
		if err := errors.Join(errs[:]...); err != nil {
			return table{}, err
		}
		out.rows = append(out.rows, x)
	}
	return out, nil
}

// spanCounts asks for the requests and clients of [from, to).
func (a *Access) spanCounts(ctx context.Context, from, to int64) (map[string]string, error) {
	rows, err := a.rows(ctx, spanQuery(a.cfg), from, to)
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, errors.New("stats without by: " + strconv.Itoa(len(rows)) + " rows, want 1")
	}
	for _, k := range []string{"n", "c", "n499", "c499", "nslow", "cslow", "n5xx", "c5xx"} {
		if _, err := uintOf(rows[0], k); err != nil {
			return nil, err
		}
	}
	return rows[0], nil
}

// rows runs a query over [from, to) and reads its rows.
func (b *base) rows(ctx context.Context, query string, from, to int64) ([]map[string]string, error) {
	form := url.Values{"query": {query}, "start": {strconv.FormatInt(from, 10)}, "end": {strconv.FormatInt(to, 10)}}
	body, err := b.srv.postDetail(ctx, "/select/logsql/query", form)
	if err != nil {
		return nil, err
	}
	return parseRows(body)
}

// normalized writes routes as the access log's tables do (/order/:id),
// merging the rows that become one.
func normalized(t table) table {
	var nz nginx.Normalizer
	at := map[string]int{}
	var out []row
	for _, r := range t.rows {
		k := string(nz.Normalize([]byte(r.key)))
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, row{key: k})
			i = len(out) - 1
		}
		o := &out[i]
		o.n, o.s499, o.slow, o.s5xx = o.n+r.n, o.s499+r.s499, o.slow+r.slow, o.s5xx+r.s5xx
	}
	return table{rows: out, exact: t.exact}
}

func byRequests(a, b row) int {
	return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.key, b.key))
}

// byTrouble ranks hosts by their 499s, slow requests and 5xx together,
// then by requests: the bad machine first, however busy.
func byTrouble(a, b row) int {
	return cmp.Or(cmp.Compare(b.s499+b.slow+b.s5xx, a.s499+a.slow+a.s5xx), byRequests(a, b))
}

func topTable(title string, span time.Duration, t table, n int, order func(a, b row) int, distinct uint64) sources.TopTable {
	rows := slices.Clone(t.rows)
	slices.SortStableFunc(rows, order)
	tt := sources.TopTable{Title: title, Window: span, Exact: t.exact, Distinct: distinct}
	for _, r := range rows[:min(n, len(rows))] {
		tt.Rows = append(tt.Rows, sources.TopRow{Key: keyText(r.key), Count: r.n, AtLeast: !t.exact, S499: r.s499, Slow: r.slow, S5xx: r.s5xx})
	}
	return tt
}

// keyText is a field's value as a table shows it: sanitized, "-" when
// the lines lack the field.
func keyText(k string) string {
	if k == "" {
		return "-"
	}
	return sources.Sanitize(k)
}

// driversOf picks, for each mark, the path, client and host with most of
// its requests in the minute, with its requests and clients counted.
func driversOf(paths, clients, hosts table, counts map[string]string, from, to time.Time) []*sources.Driver {
	out := make([]*sources.Driver, numMarks)
	for m := range numMarks {
		suffix := map[mark]string{markReq: "", mark499: "499", markSlow: "slow", mark5xx: "5xx"}[m]
		events, _ := uintOf(counts, "n"+suffix)
		cl, _ := uintOf(counts, "c"+suffix)
		out[m] = &sources.Driver{Mark: markNames[m], Events: events, Clients: cl,
			Path: topOf(paths, m), Client: topOf(clients, m), Host: topOf(hosts, m),
			Exact: paths.exact && clients.exact && hosts.exact, ClientsExact: true, From: from, To: to}
	}
	return out
}

func topOf(t table, m mark) sources.DriverKey {
	var best row
	found := false
	for _, r := range t.rows {
		if r.of(m) > 0 && (!found || r.of(m) > best.of(m)) {
			best, found = r, true
		}
	}
	if !found {
		return sources.DriverKey{}
	}
	return sources.DriverKey{Key: keyText(best.key), Count: best.of(m), Max: best.of(m)}
}
