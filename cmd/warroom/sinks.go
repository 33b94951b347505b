package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"warroom/sources"
	"warroom/sources/notify"
	"warroom/sources/watch"
)

// lineLog writes one line per call, prefixed, from any goroutine: the
// tick, the notifiers and the report writer all tell stderr of their
// outputs' failures and recoveries.
func lineLog(w io.Writer, prefix string) func(string, ...any) {
	var mu sync.Mutex
	return func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, prefix+format+"\n", a...)
	}
}

// reportLog tells logf of each report that could not be written, and of
// the first one written after that.
func reportLog(logf func(string, ...any)) func(string, error) {
	var mu sync.Mutex
	failed := 0
	return func(path string, err error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			failed++
			logf("report: %v", err)
		case failed > 0:
			logf("report: %s written after %d that could not be", path, failed)
			failed = 0
		}
	}
}

// outputs are the sinks of a config beside the one a command brings
// itself (watch's stdout): the timeline file, when named (a config's
// timeline_file), and the notifier d, which the caller runs. logf is told of their failures and
// recoveries; termOut takes the bell and desktop notifications (nil:
// none).
func outputs(timeline string, nc notify.Config, termOut io.Writer, logf func(string, ...any)) (sinks []sources.Sink, d *notify.Dispatcher, err error) {
	if timeline != "" {
		tf, err := watch.OpenJSONL("timeline_file", timeline, logf)
		if err != nil {
			return nil, nil, err
		}
		sinks = append(sinks, tf)
	}
	if d, err = notify.New(nc, notifyOptions(termOut, logf)); err != nil {
		return nil, nil, err
	}
	return append(sinks, d), d, nil
}

// probeOutputs checks, without writing or sending anything, that every
// output of cfg could work: the timeline file and the reports directory
// can be written, and the webhooks' URLs and secrets can be read. It
// returns one entry per output that could not (for the status bar) and
// the errors.
func probeOutputs(cfg *Config) ([]sources.SourceStatus, []error) {
	var bad []sources.SourceStatus
	var errs []error
	fail := func(name, kind string, err error) {
		bad = append(bad, sources.SourceStatus{Name: name, Kind: kind, Health: sources.HealthError, Detail: sources.Brief(err)})
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if cfg.TimelineFile != "" {
		if err := appendable(cfg.TimelineFile); err != nil {
			fail("timeline_file", "jsonl", err)
		}
	}
	if cfg.ReportsDir != "" {
		if err := creatable(cfg.ReportsDir); err != nil {
			fail("reports", "reports", err)
		}
	}
	if _, err := notify.New(cfg.Notify, notifyOptions(nil, nil)); err != nil {
		// its text names the webhook ("notify: webhook "oncall": url_file: ...")
		bad = append(bad, sources.SourceStatus{Name: "notify", Kind: "notify", Health: sources.HealthError, Detail: sources.Brief(err)})
		errs = append(errs, err)
	}
	return bad, errs
}

// appendable says whether the file at path can be appended to, or created
// when missing, without creating it.
func appendable(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return writableDir(filepath.Dir(path))
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// creatable says whether dir can be written in, or made (with its
// missing parents) where it is missing.
func creatable(dir string) error {
	for {
		_, err := os.Stat(dir)
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(dir) == dir {
			return writableDir(dir)
		}
		dir = filepath.Dir(dir)
	}
}

// writableDir says whether a file can be created in dir: one is, and
// removed.
func writableDir(dir string) error {
	if st, err := os.Stat(dir); err != nil {
		return err
	} else if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, ".warroom-probe-")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// fixedSinks shows entries found before the run (probeOutputs) the way a
// failing sink shows: it takes no transition.
type fixedSinks []sources.SourceStatus

func (fixedSinks) Take([]sources.Transition)        {}
func (s fixedSinks) Status() []sources.SourceStatus { return s }
