package collect

import (
	"slices"
	"testing"

	"warroom/sources/applog"
	"warroom/sources/nginx"
)

// TestKeyIndicatorsLeadTheDisplayOrder: the first access log's requests,
// slow responses and 499s and the first app log's database errors are the
// key indicators, whatever the sources are called; without one of those
// sources the next shown indicators take the free places.
func TestKeyIndicatorsLeadTheDisplayOrder(t *testing.T) {
	access := func(names ...string) []nginx.SourceConfig {
		var out []nginx.SourceConfig
		for _, n := range names {
			c := nginx.DefaultSourceConfig
			c.Name, c.Paths = n, []string{"/var/log/" + n + ".log"}
			out = append(out, c)
		}
		return out
	}
	apps := func(names ...string) []applog.SourceConfig {
		var out []applog.SourceConfig
		for _, n := range names {
			c := applog.DefaultSourceConfig
			c.Name, c.Paths = n, []string{"/var/log/" + n + ".log"}
			out = append(out, c)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		access []nginx.SourceConfig
		apps   []applog.SourceConfig
		want   []string
	}{
		{"both", access("nginx"), apps("app"),
			[]string{"nginx.qps", "nginx.slow_ratio", "nginx.499_rate", "app.db"}},
		{"named otherwise, several", access("web", "cdn"), apps("api", "worker"),
			[]string{"web.qps", "web.slow_ratio", "web.499_rate", "api.db"}},
		{"no app log", access("nginx"), nil,
			[]string{"nginx.qps", "nginx.slow_ratio", "nginx.499_rate", "nginx.5xx_ratio"}},
		{"no access log", nil, apps("app"),
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
