package watch

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources/config"
	"warroom/sources/schedule"
)

// file is the shape of warroom.yaml as far as this package is concerned.
type file struct {
	Rules Rules `yaml:"rules"`
}

func loadRules(t *testing.T, path string) (Rules, error) {
	var c file
	err := config.LoadFile(path, &c)
	return c.Rules, err
}

// Each bad file starts with "# want: <text the error must contain>".
func TestBadRuleFiles(t *testing.T) {
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
			first, _ := bufio.NewReader(f).ReadString('\n')
			f.Close()
			want, ok := strings.CutPrefix(strings.TrimSpace(first), "# want: ")
			if !ok {
				t.Fatalf("first line must be '# want: ...', got %q", first)
			}
			_, err = loadRules(t, path)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, want)
			}
		})
	}
}

func TestGoodRuleFile(t *testing.T) {
	rs, err := loadRules(t, "testdata/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 4 {
		t.Fatalf("got %d rules", len(rs))
	}
	r := rs[0]
	if r.Direction != Above || r.Recover != 0.8 || time.Duration(r.For) != 30*time.Second {
		t.Errorf("rule 0 = %+v", r)
	}
	// hot names no for: it holds HotHold, not the base rule's 30 s
	if l := r.limits(schedule.PhaseHot); l.warn != 2 || l.crit != 5 || l.pending != HotHold {
		t.Errorf("hot limits = %+v", l)
	}
	if l := r.limits(schedule.PhaseCooling); l.warn != 0.5 || l.crit != 1 {
		t.Errorf("cooling limits = %+v", l)
	}
	q := rs[1]
	if q.Recover != 1 || q.Direction != Below {
		t.Errorf("defaults not applied: %+v", q)
	}
	if l := q.limits(schedule.PhaseHot); l.absent != 15*time.Second || l.crit != 20 {
		t.Errorf("qps hot limits = %+v", l)
	}
	if l := q.limits(schedule.PhaseNormal); !math.IsInf(l.crit, -1) || l.absent != time.Minute {
		t.Errorf("qps normal limits = %+v", l)
	}
	if rs[2].Warn != nil || rs[2].Crit == nil || *rs[2].Crit != 0 {
		t.Errorf("app.db = %+v", rs[2])
	}
}

func TestCheckIndicators(t *testing.T) {
	rs, err := loadRules(t, "testdata/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	known := func(name string) bool {
		return strings.HasPrefix(name, "prom.") || name == "nginx.499_rate" || name == "nginx.qps" || name == "app.db"
	}
	if err := rs.CheckIndicators(known, nil); err != nil {
		t.Fatal(err)
	}
	noApp := func(name string) bool { return known(name) && !strings.HasPrefix(name, "app.") }
	err = rs.CheckIndicators(noApp, nil)
	if err == nil || err.Error() != `line 18: rules[2].indicator: unknown indicator "app.db"` {
		t.Fatalf("error = %v", err)
	}
}

func TestDefaultRules(t *testing.T) {
	d := DefaultRules()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range d {
		names[r.Indicator] = true
	}
	for _, n := range []string{"nginx.qps", "nginx.slow_ratio", "nginx.499_rate", "app.db"} {
		if !names[n] {
			t.Errorf("no default rule for %s", n)
		}
	}
	// Each call is a fresh copy: changing one must not change the next.
	*d[1].Warn = 99
	if *DefaultRules()[1].Warn == 99 {
		t.Error("DefaultRules shares pointers between calls")
	}
}

func TestWithDefaults(t *testing.T) {
	user := Rules{
		{Indicator: "prom.up", Crit: Float(1), Direction: Below},
		{Indicator: "nginx.499_rate", Crit: Float(10)},
	}
	got := WithDefaults(user, []string{"nginx.qps", "nginx.slow_ratio", "nginx.499_rate", "prom.up"})
	var names []string
	for _, r := range got {
		names = append(names, r.Indicator)
	}
	if want := "nginx.qps nginx.slow_ratio nginx.499_rate prom.up"; strings.Join(names, " ") != want {
		t.Fatalf("got %v, want %s", names, want)
	}
	if *got[2].Crit != 10 {
		t.Errorf("user rule did not replace the default: %+v", got[2])
	}
}

func TestWithDefaultsRenamed(t *testing.T) {
	known := []string{"web.qps", "web.499_rate", "api.db"}
	rename := func(n string) string {
		switch {
		case strings.HasPrefix(n, "nginx."):
			return "web." + strings.TrimPrefix(n, "nginx.")
		case strings.HasPrefix(n, "app."):
			return "api." + strings.TrimPrefix(n, "app.")
		}
		return n
	}
	user := Rules{{Indicator: "web.499_rate", Crit: Float(9)}}
	got := WithDefaultsRenamed(user, known, rename)
	var names []string
	for _, r := range got {
		names = append(names, r.Indicator)
	}
	if strings.Join(names, " ") != "web.qps web.499_rate api.db" {
		t.Fatalf("rules %v", names)
	}
	if *got[1].Crit != 9 {
		t.Errorf("the user's rule must replace the default: crit %v", *got[1].Crit)
	}
}
