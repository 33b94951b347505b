package vlogs

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warroom/sources"
)

// An app stream's latest lines: a query at start, then VictoriaLogs' live
// tail (/select/logsql/tail), which hands each matching line on as it
// becomes searchable, so a DB error shows within seconds rather than at
// the next 5 s query. While the tail is down (a proxy that buffers
// streams, a restart) the lines are queried every DetailEvery as before,
// and the tail is tried again; after each reconnection one query fills
// what the tail may have missed meanwhile.

// Tail pacing.
const (
	// TailOffset is how far behind now the tail reads: a line is handed
	// on once searchable; 1 s missed lines.
	TailOffset = 2 * time.Second
	// TailRetry is the wait before the tail is tried again after it broke.
	TailRetry = 5 * time.Second
	// maxTailLine bounds one line of the tail's answer.
	maxTailLine = 1 << 20
)

// tailLoop keeps the live tail connected until ctx ends.
func (a *App) tailLoop(ctx context.Context) {
	for {
		err := a.tail(ctx)
		a.lines.mu.Lock()
		a.lines.tailing = false
		a.lines.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		a.setTailErr(err)
		t := time.NewTimer(TailRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// tail streams the matching lines as they come, until ctx ends or the
// stream breaks (its error says how).
func (a *App) tail(ctx context.Context) error {
	hc, err := a.srv.client()
	if err != nil {
		return err
	}
	form := url.Values{"query": {selected(a.cfg.Filter, anyOf(a.patterns, ""))}, "offset": {strconv.Itoa(int(TailOffset/time.Second)) + "s"}}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// the answer's headers come within the server's timeout; the body
	// streams as long as it will
	slow := time.AfterFunc(a.srv.timeout(), cancel)
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, strings.TrimRight(a.srv.cfg.URL, "/")+"/select/logsql/tail", strings.NewReader(form.Encode()))
	if err != nil {
		return a.srv.fail(sources.HealthError, "request: "+innermost(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if !slow.Stop() && ctx.Err() == nil {
		if err == nil {
			resp.Body.Close()
		}
		return a.srv.fail(sources.HealthUnreachable, "no answer within "+a.srv.timeout().String())
	}
	if err != nil {
		h, msg := classify(err, a.srv.timeout())
		return a.srv.fail(h, msg)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return a.srv.fail(sources.HealthError, "HTTP "+strconv.Itoa(resp.StatusCode)+": "+reasonOf(body))
	}
	a.lines.mu.Lock()
	// one query after each connection: the lines of the moments before it
	a.lines.tailing, a.lines.queried, a.lines.tailErr = true, false, ""
	a.lines.mu.Unlock()
	wakeUp(a.detailWake)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), maxTailLine)
	for sc.Scan() {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		rows, err := parseRows(sc.Bytes())
		if err != nil {
			return a.srv.fail(sources.HealthError, "live tail: "+err.Error())
		}
		a.addRows(rows, false)
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return a.srv.fail(sources.HealthError, fmt.Sprintf("live tail: a line over %d KiB", maxTailLine>>10))
		}
		h, msg := classify(err, a.srv.timeout())
		return a.srv.fail(h, msg)
	}
	return a.srv.fail(sources.HealthError, "live tail: the server ended the stream")
}

// setTailErr notes why the tail broke, in the stream's status until it
// connects again (a query that fails says so instead meanwhile).
func (a *App) setTailErr(err error) {
	msg := "lines: live tail: " + a.srv.failureOf(err).msg + "; read every " + a.o.DetailEvery.String() + " meanwhile"
	a.lines.mu.Lock()
	a.lines.tailErr = msg
	a.lines.mu.Unlock()
	a.mu.Lock()
	a.detailErr = msg
	a.mu.Unlock()
}

// tailNote is why the tail is down; "" when it is not.
func (a *App) tailNote() string {
	a.lines.mu.Lock()
	defer a.lines.mu.Unlock()
	return a.lines.tailErr
}

// rowKey tells one line from another: the same instant, host and
// message is the same line (a query and the tail may both hand it on).
func (a *App) rowKey(r map[string]string) string {
	return r["_time"] + "\x00" + r[a.cfg.Fields.Host] + "\x00" + r["_msg"]
}

// addRows merges rows into the rows kept (rowsKept, newest first, each
// once, none older than LinesSpan) and folds them into the lines shown;
// queried says they are a query's answer.
func (a *App) addRows(rows []map[string]string, queried bool) {
	from := a.o.Now().Add(-LinesSpan)
	a.lines.mu.Lock()
	defer a.lines.mu.Unlock()
	if queried {
		a.lines.queried = true
	}
	// each row's time read once: the tail merges a line at a time into
	// up to rowsKept rows
	type timed struct {
		r  map[string]string
		at int64
	}
	seen := map[string]bool{}
	var merged []timed
	for _, r := range slices.Concat(rows, a.lines.rows) {
		k := a.rowKey(r)
		if seen[k] {
			continue
		}
		seen[k] = true
		at, err := time.Parse(time.RFC3339Nano, r["_time"])
		if err == nil && at.Before(from) {
			continue
		}
		merged = append(merged, timed{r, at.UnixNano()})
	}
	// newest first, as the query answers
	slices.SortStableFunc(merged, func(x, y timed) int { return cmp.Compare(y.at, x.at) })
	all := make([]map[string]string, len(merged))
	for i, m := range merged {
		all[i] = m.r
	}
	a.lines.rows = all[:min(len(all), a.rowsKept())]
	a.lines.lines = a.foldLines(a.lines.rows)
}
