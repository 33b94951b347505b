package tail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// drainAfterExit is how long stdout is still read after the command exited,
// for output its children have not flushed; a child that keeps the pipe open
// longer does not hold the restart up.
const drainAfterExit = time.Second

// runCommand follows a command's stdout, restarting the command with
// exponential backoff whenever it exits. A run that delivered lines resets
// the backoff.
func (f *Follower) runCommand(ctx context.Context, emit func(Batch)) error {
	o := f.opts
	name := commandLine(o.Command)
	f.publish(func(st []FileStatus) []FileStatus { return append(st, FileStatus{Path: name}) })
	buf := make([]byte, o.BufferBytes+1)
	backoff := o.RestartMin
	for run := 0; ; run++ {
		if run > 0 {
			f.update(func(s *FileStatus) { s.Rotations++ })
		}
		lines, err := f.runOnce(ctx, name, buf, emit)
		if ctx.Err() != nil {
			return nil
		}
		f.update(func(s *FileStatus) { s.Err, s.ErrAt = err.Error(), o.Now() })
		if lines > 0 {
			backoff = o.RestartMin
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, o.RestartMax)
	}
}

// runOnce runs the command to its end and says why it ended.
func (f *Follower) runOnce(ctx context.Context, name string, buf []byte, emit func(Batch)) (lines int64, err error) {
	o := f.opts
	stderr := &stderrTail{}
	stderr.changed = func() {
		msg := fmt.Sprintf("tail: %s: stderr: %s", name, stderr.String())
		f.update(func(s *FileStatus) { s.Err, s.ErrAt = msg, o.Now() })
	}
	cmd := exec.CommandContext(ctx, o.Command[0], o.Command[1:]...)
	cmd.Stderr = stderr
	cmd.WaitDelay = drainAfterExit
	ownProcessGroup(cmd)
	// An *os.File as stdout keeps exec from copying on its own goroutine, so
	// emit runs on Run's.
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("tail: %s: %w", name, err)
	}
	defer pr.Close()
	cmd.Stdout = pw
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return 0, fmt.Errorf("tail: %s: %w", name, err)
	}
	waited := make(chan error, 1)
	stopDrain := make(chan struct{})
	defer close(stopDrain)
	go func() {
		err := cmd.Wait()
		waited <- err
		t := time.NewTimer(drainAfterExit)
		defer t.Stop()
		select {
		case <-t.C:
			// A deadline in the past ends the blocked read.
			pr.SetReadDeadline(time.Unix(1, 0))
		case <-stopDrain:
		}
	}()

	sp := splitter{max: o.MaxLineBytes}
	readErr := stream(pr, &sp, buf, func(data []byte, n, long int) {
		lines += int64(n)
		at := o.Now()
		f.update(func(s *FileStatus) {
			s.Offset += int64(len(data))
			s.Lines += int64(n)
			s.LongLines += int64(long)
			s.LastLineAt = at
		})
		emit(Batch{Path: name, Data: data, Lines: n})
	}, func(at, n int64) {
		f.update(func(s *FileStatus) { s.addNULRun(at, n) })
	})
	err = <-waited
	why := "exited"
	switch {
	case err != nil:
		why = "exited: " + err.Error()
	case readErr != nil && !errors.Is(readErr, os.ErrDeadlineExceeded):
		why = "reading stdout: " + readErr.Error()
	}
	if tail := stderr.String(); tail != "" {
		why += "; stderr: " + tail
	}
	return lines, fmt.Errorf("tail: %s: %s", name, why)
}

// update changes the single status entry of a command source.
func (f *Follower) update(change func(*FileStatus)) {
	f.mu.Lock()
	change(&f.status[0])
	f.mu.Unlock()
}

// commandLine is argv as a shell would need it typed, for Status and Batch.
func commandLine(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && !strings.ContainsAny(a, " \t\n\"'\\$`*?[]{}()<>|&;#~") {
			b.WriteString(a)
			continue
		}
		b.WriteString(strconv.Quote(a))
	}
	return b.String()
}
