package schedule

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

func load(t *testing.T, name string) *Schedule {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// Each bad file starts with "# want: <text the error must contain>".
func TestBadFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/bad_*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad files: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			first, _ := bufio.NewReader(f).ReadString('\n')
			want, ok := strings.CutPrefix(strings.TrimSpace(first), "# want: ")
			if !ok {
				t.Fatalf("first line must be '# want: ...', got %q", first)
			}
			if _, err := f.Seek(0, 0); err != nil {
				t.Fatal(err)
			}
			_, err = Parse(f)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, want)
			}
		})
	}
}

func TestGoodFiles(t *testing.T) {
	cases := []struct {
		file  string
		count int
		first string
		last  string
	}{
		{"shanghai.yaml", 20, "Day 1", "Final"},
		{"new_york.yaml", 10, "Early 1", "Half-day 2"},
		{"offset_only.yaml", 3, "Launch", "R2"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			s := load(t, c.file)
			ms := s.Milestones()
			if len(ms) != c.count {
				t.Fatalf("got %d milestones, want %d", len(ms), c.count)
			}
			// new_york's recurring entries are listed out of time order
			// in the file; the schedule is sorted.
			if c.file == "new_york.yaml" {
				c.first = "Night 1"
			}
			if ms[0].Name != c.first || ms[len(ms)-1].Name != c.last {
				t.Fatalf("first/last = %q/%q, want %q/%q", ms[0].Name, ms[len(ms)-1].Name, c.first, c.last)
			}
		})
	}
}

func TestWindowsInherit(t *testing.T) {
	s := load(t, "shanghai.yaml")
	ms := s.Milestones()
	if got, want := ms[0].Windows, DefaultWindows(); got != want {
		t.Errorf("Day 1 windows = %+v, want %+v", got, want)
	}
	want := Windows{Before: 30 * time.Minute, Hot: 20 * time.Minute, After: time.Hour}
	if got := ms[len(ms)-1].Windows; got != want {
		t.Errorf("Final windows = %+v, want %+v", got, want)
	}
	// A partial override keeps the section's other fields.
	d := model.Duration(time.Hour)
	c := Config{TimeZone: "UTC", Windows: WindowsConfig{Hot: &d, After: &d},
		Stages: []StageConfig{{Name: "A", End: "2026-01-01 00:00", Windows: WindowsConfig{Before: &d}}}}
	s2, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s2.Milestones()[0].Windows, (Windows{Before: time.Hour, Hot: time.Hour, After: time.Hour}); got != want {
		t.Errorf("partial override = %+v, want %+v", got, want)
	}
}

func TestOffsetOnly(t *testing.T) {
	s := load(t, "offset_only.yaml")
	if s.Location() != time.UTC {
		t.Errorf("location = %v, want UTC when time_zone is unset", s.Location())
	}
	ms := s.Milestones()
	want := []time.Time{
		time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 4, 16, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 5, 16, 0, 0, 0, time.UTC),
	}
	for i, m := range ms {
		if !m.End.Equal(want[i]) {
			t.Errorf("%s ends %v, want %v", m.Name, m.End, want[i])
		}
	}
}

func TestValidateInCode(t *testing.T) {
	c := Config{Stages: []StageConfig{{Name: "A", End: "2026-12-31 00:00"}}}
	err := c.Validate()
	if err == nil || err.Error() != `stages[0].end: "2026-12-31 00:00" `+errNoZone.Error() {
		t.Fatalf("error = %v", err)
	}
	if _, err := New(c); err == nil || !strings.HasPrefix(err.Error(), "schedule: stages[0].end:") {
		t.Fatalf("New error = %v", err)
	}
	c.TimeZone = "Asia/Shanghai"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestEmpty(t *testing.T) {
	s, err := Parse(strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 0 {
		t.Fatalf("empty file has %d milestones", s.Len())
	}
	if p, _ := s.PhaseAt(time.Now()); p != PhaseNormal {
		t.Fatalf("phase = %v", p)
	}
}
