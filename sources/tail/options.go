package tail

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultMaxLineBytes = 64 << 10
	DefaultBufferBytes  = 256 << 10
	DefaultPoll         = 250 * time.Millisecond
	DefaultRotateGrace  = 5 * time.Second
	DefaultDisorder     = 5 * time.Second
	DefaultRestartMin   = time.Second
	DefaultRestartMax   = 30 * time.Second
)

// Options configure a Follower. Exactly one of Paths and Command is set.
type Options struct {
	// Paths are files or glob patterns (filepath.Match syntax). A plain path
	// that does not exist yet is waited for; glob matches are picked up while
	// running.
	Paths []string
	// Command is an argv whose stdout is followed instead of files, e.g.
	// {"ssh", "web1", "tail -F /var/log/nginx/access.log"}. It is restarted
	// with backoff whenever it exits.
	Command []string

	Start Start
	// Timestamp reads a line's time; needed for StartLast only. It must not
	// keep line.
	Timestamp func(line []byte) (time.Time, bool)
	// Disorder is how far out of order timestamps may be; a StartLast search
	// backs off this much before scanning forward. Default DefaultDisorder.
	Disorder time.Duration
	// Now is the clock; it is read for the StartLast cutoff and for the times
	// in Status. Default time.Now.
	Now func() time.Time

	MaxLineBytes int // longer lines are cut to this; default DefaultMaxLineBytes
	BufferBytes  int // read buffer, the largest Batch; default DefaultBufferBytes

	// Poll is how often files are checked (and globs re-matched) when no
	// filesystem event arrives; it bounds how late a rotation is noticed.
	// Default DefaultPoll.
	Poll time.Duration
	// NoNotify turns off fsnotify, leaving polling alone.
	NoNotify bool
	// RotateGrace is how long a rotated-away file is still read, for writers
	// that reopen their log a little after the rename (nginx on USR1).
	// Default DefaultRotateGrace.
	RotateGrace time.Duration

	// RestartMin and RestartMax bound the backoff between command restarts.
	RestartMin, RestartMax time.Duration
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Disorder == 0 {
		o.Disorder = DefaultDisorder
	}
	if o.MaxLineBytes == 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.BufferBytes == 0 {
		o.BufferBytes = DefaultBufferBytes
	}
	// A buffer holding a capped line, its '\n' and the spare byte for a
	// final unterminated line always makes progress.
	o.BufferBytes = max(o.BufferBytes, 2*o.MaxLineBytes+2)
	if o.Poll == 0 {
		o.Poll = DefaultPoll
	}
	if o.RotateGrace == 0 {
		o.RotateGrace = DefaultRotateGrace
	}
	if o.RestartMin == 0 {
		o.RestartMin = DefaultRestartMin
	}
	if o.RestartMax == 0 {
		o.RestartMax = DefaultRestartMax
	}
	o.RestartMax = max(o.RestartMax, o.RestartMin)
	return o
}

// Validate checks the options without touching the filesystem.
func (o Options) Validate() error {
	switch {
	case len(o.Paths) == 0 && len(o.Command) == 0:
		return errors.New("tail: no paths and no command")
	case len(o.Paths) > 0 && len(o.Command) > 0:
		return errors.New("tail: both paths and a command; a source follows one or the other")
	}
	for _, p := range o.Paths {
		if p == "" {
			return errors.New("tail: empty path")
		}
		if _, err := filepath.Match(p, ""); err != nil {
			return fmt.Errorf("tail: %s: bad glob: %w", p, err)
		}
	}
	if len(o.Command) > 0 && o.Command[0] == "" {
		return errors.New("tail: empty command name")
	}
	if err := o.Start.validate(); err != nil {
		return err
	}
	if o.Start.Kind == StartLast && o.Timestamp == nil {
		return fmt.Errorf("tail: start %s needs a timestamp reader", o.Start)
	}
	if o.Start.Kind == StartLast && len(o.Command) > 0 {
		return fmt.Errorf("tail: start %s: a command's output cannot be searched; start the command there instead", o.Start)
	}
	for name, v := range map[string]int{"max line bytes": o.MaxLineBytes, "buffer bytes": o.BufferBytes} {
		if v < 0 {
			return fmt.Errorf("tail: %s must not be negative, got %d", name, v)
		}
	}
	for name, v := range map[string]time.Duration{
		"disorder": o.Disorder, "poll": o.Poll, "rotate grace": o.RotateGrace,
		"restart min": o.RestartMin, "restart max": o.RestartMax,
	} {
		if v < 0 {
			return fmt.Errorf("tail: %s must not be negative, got %s", name, v)
		}
	}
	return nil
}
