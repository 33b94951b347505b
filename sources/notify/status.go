package notify

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"warroom/sources"
)

// Status is one notifier's delivery record, for the morning and for
// tests (the status bar takes Dispatcher.Status). Nothing in it holds a
// URL or secret, and LastError is sanitized.
type Status struct {
	Name        string // "terminal" or the webhook's name
	Kind        string // terminal, feishu, lark, slack, generic
	Sent        uint64 // messages delivered (terminal: sequences written)
	Failed      uint64 // messages given up on after their retries
	Dropped     uint64 // transitions dropped because the queue was full
	Pending     int    // transitions waiting for their group to close
	LastSent    time.Time
	LastError   string // the latest failure, kept after later successes
	LastErrorAt time.Time
	failing     bool
}

// Failing says the latest message failed.
func (s Status) Failing() bool { return s.failing }

// String is a short line: `feishu "oncall": 3 sent, 1 failed, 0 dropped
// — last error 00:00:12: POST failed: HTTP 500`.
func (s Status) String() string {
	var b strings.Builder
	if s.Kind == "terminal" {
		b.WriteString("terminal")
	} else {
		fmt.Fprintf(&b, "%s %q", s.Kind, s.Name)
	}
	fmt.Fprintf(&b, ": %d sent, %d failed, %d dropped", s.Sent, s.Failed, s.Dropped)
	if s.Pending > 0 {
		fmt.Fprintf(&b, ", %d pending", s.Pending)
	}
	if s.LastError != "" {
		fmt.Fprintf(&b, " — last error %s: %s", s.LastErrorAt.Format(time.TimeOnly), s.LastError)
	}
	return b.String()
}

// tracker is a notifier's Status behind a lock, and its entry for the
// status bar: written by the notifier's goroutines and Notify, read from
// any goroutine.
type tracker struct {
	mu   sync.Mutex
	s    Status
	sink *sources.SinkState
}

func newTracker(name, kind string) *tracker {
	return &tracker{s: Status{Name: name, Kind: kind}, sink: sources.NewSinkState(name, kind)}
}

// sent records a message delivered at at; it returns how many failed
// messages in a row it ends.
func (t *tracker) sent(at time.Time) int {
	t.mu.Lock()
	t.s.Sent++
	t.s.LastSent, t.s.failing = at, false
	t.mu.Unlock()
	return t.sink.Delivered(at)
}

// failed records a message given up on: msg is the whole error, brief
// the status bar's few words ("HTTP 400", "refused"). A message that did
// not go out is an alert nobody got: it shows as unreachable (✖).
func (t *tracker) failed(at time.Time, msg, brief string) {
	t.mu.Lock()
	t.s.Failed++
	t.s.LastError = msg
	t.s.LastErrorAt, t.s.failing = at, true
	t.mu.Unlock()
	t.sink.Failed(sources.HealthUnreachable, brief)
}

func (t *tracker) dropped(n int) {
	t.mu.Lock()
	t.s.Dropped += uint64(n)
	t.mu.Unlock()
}

func (t *tracker) setPending(n int) {
	t.mu.Lock()
	t.s.Pending = n
	t.mu.Unlock()
}

func (t *tracker) status() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.s
}

func (t *tracker) entry() sources.SourceStatus { return t.sink.Status() }
