package sources

import (
	"sync"
	"time"
)

// Sink is an output of transitions: the timeline file, the JSON lines of
// `warroom watch`, the notifier. The collector hands every sink each
// tick's transitions and shows the sinks' status beside the sources', so
// an output that fails (a webhook answering 400, a full disk) is as
// visible as a source that does.
type Sink interface {
	// Take is given one tick's transitions, oldest first, on the tick's
	// goroutine: it must not block for long (a sink with slow IO queues).
	Take(trs []Transition)
	// Status is one entry per output the sink drives (a notifier has one
	// per webhook), named as a person knows it. Health is ok once an
	// output delivered, unknown before it tried, and error or unreachable
	// while its latest attempt failed; a later success clears it. Detail
	// is a short, sanitized reason for the status bar.
	Status() []SourceStatus
}

// maxBrief bounds Brief: a status bar entry has a few words of room.
const maxBrief = 40

// Brief is err's reason as a status bar has room for it: the innermost
// cause ("permission denied", "no space left on device", not the path
// and operation around it), sanitized and cut to a few words.
func Brief(err error) string {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			break
		}
		err = u.Unwrap()
	}
	s := Sanitize(err.Error())
	if r := []rune(s); len(r) > maxBrief {
		s = string(r[:maxBrief-1]) + "…"
	}
	return s
}

// SinkState is one output's status entry, kept from its attempts; safe
// for concurrent use. It is failing from a failed attempt until the next
// one that succeeds.
type SinkState struct {
	mu       sync.Mutex
	st       SourceStatus
	failures int // in a row
}

// NewSinkState is an output that has not tried yet (HealthUnknown).
func NewSinkState(name, kind string) *SinkState {
	return &SinkState{st: SourceStatus{Name: name, Kind: kind}}
}

// Failed records a failed attempt: h is HealthError (the output answered
// no) or HealthUnreachable (it could not be reached), detail the brief
// reason. It returns the failures in a row, this one included.
func (s *SinkState) Failed(h Health, detail string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures++
	s.st.Health, s.st.Detail = h, detail
	return s.failures
}

// Delivered records a successful attempt at at. It returns how many
// failures in a row it ends: 0 when the output was not failing.
func (s *SinkState) Delivered(at time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.failures
	s.failures = 0
	s.st.Health, s.st.Detail, s.st.LastData = HealthOK, "", at
	return n
}

// Status is the entry as it stands.
func (s *SinkState) Status() SourceStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}
