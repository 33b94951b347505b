package collect

import (
	"slices"
	"testing"

	"warroom/sources/applog"
	"warroom/sources/nginx"
)

// TestKeyIndicatorsLeadTheDisplayOrder: the first access log's requests,
// slow responses and 499s (with several access logs, their sum's) and the
// first app log's database errors are the key indicators, whatever the
// sources are called; without one of those
// sources the next shown indicators take the free places.
func TestKeyIndicatorsLeadTheDisplayOrder(t *testing.T) {
	access := func(name string) nginx.SourceConfig {
		c := nginx.DefaultSourceConfig
		c.Name, c.Paths = name, []string{"/var/log/" + name + ".log"}
		return c
	}
	app := func(name string) applog.SourceConfig {
		c := applog.DefaultSourceConfig
		c.Name, c.Paths = name, []string{"/var/log/" + name + ".log"}
		return c
	}
	for _, tc := range []struct {
		name   string
		access []nginx.SourceConfig
		apps   []applog.SourceConfig
		want   []string
	}{
		{"both", []nginx.SourceConfig{access("nginx")}, []applog.SourceConfig{app("app")},
			[]string{"nginx.qps", "nginx.slow_ratio", "nginx.499_rate", "app.db"}},
		{"named otherwise, several", []nginx.SourceConfig{access("web"), access("cdn")},
			[]applog.SourceConfig{app("api"), app("worker")},
			[]string{"all.qps", "all.slow_ratio", "all.499_rate", "api.db"}},
		{"no app log", []nginx.SourceConfig{access("nginx")}, nil,
			[]string{"nginx.qps", "nginx.slow_ratio", "nginx.499_rate", "nginx.5xx_ratio"}},
		{"no access log", nil, []applog.SourceConfig{app("app")},
			[]string{"app.db"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			specs := catalogOf(tc.access, tc.apps, nil)
			var got []string
			for _, i := range displayOrder(specs, nil)[:min(keyIndicators, len(tc.want))] {
				got = append(got, specs[i].name)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("key indicators %v, want %v", got, tc.want)
			}
		})
	}
}
