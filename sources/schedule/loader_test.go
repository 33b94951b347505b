package schedule

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeFile stands in for the file system: one file whose content and
// modification time the test changes between polls.
type fakeFile struct {
	data    string
	modTime time.Time
	missing bool
	reads   int
}

type fakeInfo struct{ f *fakeFile }

func (i fakeInfo) Name() string       { return "schedule.yaml" }
func (i fakeInfo) Size() int64        { return int64(len(i.f.data)) }
func (i fakeInfo) Mode() fs.FileMode  { return 0o644 }
func (i fakeInfo) ModTime() time.Time { return i.f.modTime }
func (i fakeInfo) IsDir() bool        { return false }
func (i fakeInfo) Sys() any           { return nil }

func (f *fakeFile) loader() *Loader {
	return NewLoader(LoaderOptions{
		Path: "schedule.yaml",
		Stat: func(string) (fs.FileInfo, error) {
			if f.missing {
				return nil, &fs.PathError{Op: "stat", Path: "schedule.yaml", Err: fs.ErrNotExist}
			}
			return fakeInfo{f}, nil
		},
		ReadFile: func(string) ([]byte, error) { f.reads++; return []byte(f.data), nil },
	})
}

const (
	goodA = "time_zone: Asia/Shanghai\nstages:\n  - {name: A, end: 2026-12-31 00:00}\n"
	goodB = "time_zone: Asia/Shanghai\nstages:\n  - {name: B, end: 2026-12-31 00:00}\n"
	badC  = "time_zone: Asia/Shanghai\nstages:\n  - {name: C, end: tomorrow}\n"
)

func TestLoader(t *testing.T) {
	t0 := time.Date(2026, 12, 30, 23, 0, 0, 0, time.UTC)
	f := &fakeFile{data: goodA, modTime: t0}
	l := f.loader()
	name := func() string {
		if s := l.Schedule(); s != nil && s.Len() > 0 {
			return s.Milestones()[0].Name
		}
		return ""
	}
	if l.Schedule() != nil {
		t.Fatal("schedule before the first poll")
	}
	steps := []struct {
		name     string
		change   func()
		reloaded bool
		err      string // "" = no error reported by this poll
		current  string // milestone name in force afterwards
		lingers  bool   // Err() non-nil afterwards
	}{
		{"first load", func() {}, true, "", "A", false},
		{"unchanged", func() {}, false, "", "A", false},
		{"touched, same content", func() { f.modTime = t0.Add(time.Second) }, false, "", "A", false},
		{"edited", func() { f.data, f.modTime = goodB, t0.Add(2*time.Second) }, true, "", "B", false},
		{"broken edit keeps B", func() { f.data, f.modTime = badC, t0.Add(3*time.Second) }, false,
			`schedule: schedule.yaml: line 3: stages[0].end: "tomorrow" is not a timestamp`, "B", true},
		{"same breakage reported once", func() {}, false, "", "B", true},
		{"file removed", func() { f.missing = true }, false, "schedule: stat schedule.yaml: file does not exist", "B", true},
		{"still removed", func() {}, false, "", "B", true},
		{"restored and fixed", func() { f.missing, f.data, f.modTime = false, goodA, t0.Add(4*time.Second) }, true, "", "A", false},
	}
	for _, s := range steps {
		s.change()
		reloaded, err := l.Poll()
		switch {
		case reloaded != s.reloaded:
			t.Fatalf("%s: reloaded = %v, want %v", s.name, reloaded, s.reloaded)
		case s.err == "" && err != nil:
			t.Fatalf("%s: unexpected error %v", s.name, err)
		case s.err != "" && (err == nil || !strings.Contains(err.Error(), s.err)):
			t.Fatalf("%s: error = %v, want %q", s.name, err, s.err)
		case name() != s.current:
			t.Fatalf("%s: schedule in force has %q, want %q", s.name, name(), s.current)
		case (l.Err() != nil) != s.lingers:
			t.Fatalf("%s: Err() = %v", s.name, l.Err())
		}
	}
}

// The defaults use the real file system.
func TestLoaderOS(t *testing.T) {
	path := filepath.Join(t.TempDir(), "schedule.yaml")
	if err := os.WriteFile(path, []byte(goodA), 0o644); err != nil {
		t.Fatal(err)
	}
	l := NewLoader(LoaderOptions{Path: path})
	if reloaded, err := l.Poll(); !reloaded || err != nil {
		t.Fatalf("Poll = %v, %v", reloaded, err)
	}
	if l.Schedule().Len() != 1 {
		t.Fatal("not loaded")
	}
}
