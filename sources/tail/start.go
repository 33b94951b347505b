package tail

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// StartKind says where in a file a follower begins.
type StartKind int

const (
	// StartEnd skips what is already in the file: only new lines are read.
	StartEnd StartKind = iota
	// StartBeginning reads the current file from its first byte.
	StartBeginning
	// StartLast reads the lines of the last Start.Last, found by binary
	// search on the lines' timestamps, from the rotated predecessor too when
	// the window reaches back past the current file's first line.
	StartLast
)

// Start is where a follower begins in files that exist when Run starts.
// Files that appear later (rotation, new glob matches) are always read from
// their first byte, since everything in them is new.
type Start struct {
	Kind StartKind
	Last time.Duration // for StartLast; positive
}

// ParseStart reads a config value: "end", "beginning", or a duration such as
// "30m", "2h" or "1h30m" (Prometheus syntax, so "1d" works too) meaning the
// last that long.
func ParseStart(s string) (Start, error) {
	switch strings.TrimSpace(s) {
	case "end", "":
		return Start{Kind: StartEnd}, nil
	case "beginning":
		return Start{Kind: StartBeginning}, nil
	}
	d, err := model.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return Start{}, fmt.Errorf("tail: start %q: want \"end\", \"beginning\" or a duration such as \"30m\" or \"2h\"", s)
	}
	if d <= 0 {
		return Start{}, fmt.Errorf("tail: start %q: the duration must be positive", s)
	}
	return Start{Kind: StartLast, Last: time.Duration(d)}, nil
}

// String is the config form ParseStart reads back.
func (s Start) String() string {
	switch s.Kind {
	case StartBeginning:
		return "beginning"
	case StartLast:
		return model.Duration(s.Last).String()
	}
	return "end"
}

// MarshalText makes Start print in its config form.
func (s Start) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText lets config types hold a Start directly.
func (s *Start) UnmarshalText(b []byte) error {
	v, err := ParseStart(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

func (s Start) validate() error {
	switch s.Kind {
	case StartEnd, StartBeginning:
		return nil
	case StartLast:
		if s.Last <= 0 {
			return errors.New("tail: start: the last-duration must be positive")
		}
		return nil
	}
	return fmt.Errorf("tail: start: unknown kind %d", s.Kind)
}
