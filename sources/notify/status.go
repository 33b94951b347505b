package notify

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Status is one notifier's delivery record, for the status bar and the
// morning. Nothing in it holds a URL or secret, and LastError is
// sanitized.
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
}

// Failing says the latest message failed.
func (s Status) Failing() bool { return s.LastErrorAt.After(s.LastSent) }

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

// tracker is a notifier's Status behind a lock: written by the
// notifier's goroutine and Notify, read by Status from any goroutine.
type tracker struct {
	mu sync.Mutex
	s  Status
}

func (t *tracker) sent(at time.Time) {
	t.mu.Lock()
	t.s.Sent++
	t.s.LastSent = at
	t.mu.Unlock()
}

func (t *tracker) failed(at time.Time, msg string) {
	t.mu.Lock()
	t.s.Failed++
	t.s.LastError = msg
	t.s.LastErrorAt = at
	t.mu.Unlock()
}

func (t *tracker) dropped() {
	t.mu.Lock()
	t.s.Dropped++
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
