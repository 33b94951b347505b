package vlogs

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/config"
	"warroom/sources/nginx"
)

func loadFile(t *testing.T, path string) (Config, error) {
	t.Helper()
	var c Config
	err := config.LoadFile(path, &c)
	return c, err
}

func TestConfigGood(t *testing.T) {
	c, err := loadFile(t, "testdata/good/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Servers[0]; s.Timeout != modelSeconds(8) || s.HTTP.BasicAuth == nil || s.HTTP.HTTPHeaders.Headers["AccountID"].Values[0] != "12" {
		t.Errorf("server %+v", s)
	}
	if s := c.Servers[1]; time.Duration(s.Timeout) != DefaultTimeout {
		t.Errorf("default timeout %v", s.Timeout)
	}
	if g := c.Streams[1].Groups; len(g) != 2 || g[0] != (nginx.GroupConfig{Name: "pay", Prefix: "/pay/", Slow: modelMillis(300)}) || g[1] != (nginx.GroupConfig{Name: "rank", Glob: "/yearend-api/v?/rank*"}) {
		t.Errorf("edge's groups %+v", g)
	}
	nginx, edge, api, gw := c.Streams[0], c.Streams[1], c.Streams[2], c.Streams[3]
	if nginx.Server != "fleet" || nginx.Kind != KindAccess || nginx.Fields != DefaultFields || time.Duration(nginx.Slow) != time.Second {
		t.Errorf("defaults %+v", nginx)
	}
	if edge.Fields != (Fields{Status: "http_status", RequestTime: "duration", Path: "uri", Client: "client_ip", Host: "hostname"}) || edge.Slow != modelMillis(500) {
		t.Errorf("edge %+v", edge)
	}
	if api.Kind != KindApp || len(api.Packs) != 1 || api.Packs[0] != "db" || api.Keep != 100 || api.Fields.Host != "host" {
		t.Errorf("api %+v", api)
	}
	if len(gw.Packs) != 1 || gw.Packs[0] != "upstream" || gw.Keep != DefaultKeep || gw.Fields.Host != "node" {
		t.Errorf("gw %+v", gw)
	}
	if _, err := loadFile(t, "testdata/good/minimal.yaml"); err != nil {
		t.Error(err)
	}
	c.SetDirectory("/etc/warroom")
	if got := c.Servers[0].HTTP.BasicAuth.PasswordFile; got != "/etc/warroom/secrets/vl-pass" {
		t.Errorf("SetDirectory: %q", got)
	}
}

func TestConfigBad(t *testing.T) {
	cases := map[string]string{
		"unknown_field":   "line 4: tenant: unknown field",
		"bad_url":         `line 3: url: scheme must be http or https, got "ftp"`,
		"dup_server":      `line 3: servers[1].name: duplicate server name "vl"`,
		"no_servers":      "servers: streams need at least one server",
		"unknown_server":  `line 6: streams[0].server: unknown server "vl2" (known: vl)`,
		"dup_stream":      `line 4: streams[1].name: duplicate stream name "nginx"`,
		"bad_name":        `line 3: name: must be letters, digits, _ or - (it prefixes the indicators), got "fleet.web"`,
		"no_filter":       "line 3: filter: stream \"nginx\": must not be empty",
		"filter_pipe":     "line 4: filter: stream \"nginx\": a filter, not a query: no pipes (|) outside quotes",
		"filter_quote":    "line 4: filter: stream \"nginx\": unterminated \" quote",
		"bad_kind":        `line 5: kind: stream "nginx": "accesslog" is not one of access, app`,
		"field_typo":      "line 7: reqtime: unknown field",
		"empty_field":     `line 6: fields.client: stream "nginx": must be a field name, got " "`,
		"bad_slow":        `line 5: slow: not a valid duration string: "quick"`,
		"access_patterns": "line 6: patterns: stream \"nginx\": only app streams have patterns (this one is kind access)",
		"app_fields":      "line 6: fields: stream \"api\": an app stream's lines have only a host field",
		"bad_pack":        `line 6: packs[1]: stream "api": unknown pack "dbs"`,
		"bad_regexp":      `line 8: patterns[1]: stream "api": pattern "lock": error parsing regexp: missing closing )`,
		"pattern_both":    `line 7: patterns[0]: stream "api": pattern "oom": give exactly one of substring or regexp`,
		"pattern_dup":     `line 7: patterns[0]: stream "api": name "econnreset" is already used`,
		"no_patterns":     "line 6: packs: stream \"api\": no patterns (add packs: [db] or patterns)",
		"bad_keep":        "line 6: keep: stream \"api\": must be between 1 and 1000, got 5000",
		"bad_timeout":     "line 4: timeout: must be between 0 (the default, 5s) and 1m, got 5m",
		"basic_auth_both": `line 4: basic_auth: server "vl": at most one of basic_auth password, password_file`,
		"group_dup":       `line 7: groups[1].name: stream "nginx": duplicate group "pay"`,
		"group_both":      `line 6: groups[0]: stream "nginx": group "rank": give exactly one of prefix or glob`,
		"group_query":     `line 7: groups[0].prefix: stream "nginx": group "rank": prefix "/rank?stage=3" has a '?', but paths are matched without their query`,
		"group_name":      `line 6: groups[0].name: stream "nginx": must be non-empty without spaces or dots, got "pay.v2"`,
		"group_key":       "line 6: prefx: unknown field",
		"app_groups":      `line 7: groups: stream "api": only access streams have groups (this one is kind app)`,
	}
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) != len(cases) {
		t.Errorf("%d bad files, %d cases: keep them in step", len(files), len(cases))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			want, ok := cases[name]
			if !ok {
				t.Fatalf("no expected error for %s", f)
			}
			_, err := loadFile(t, f)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error shows a secret: %v", err)
			}
		})
	}
}

func TestConfigStringHidesSecrets(t *testing.T) {
	const secret = "s3cret-in-config"
	in := fmt.Sprintf(`
servers:
  - name: main
    url: http://admin:%[1]s@127.0.0.1:9428
    basic_auth: {username: u, password: %[1]s}
streams: [{name: nginx, filter: "app:=nginx"}]
`, secret)
	var c Config
	if err := config.Load(strings.NewReader(in), &c); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{c.String(), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), c.Servers[0].String()} {
		if strings.Contains(s, secret) {
			t.Fatalf("secret shown in %q", s)
		}
	}
}

// The indicators a config gives, as the collector and the config check
// see them: names, units, titles, which show and which are key.
func TestIndicators(t *testing.T) {
	c, err := loadFile(t, "testdata/good/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	specs := Indicators(c, true, true)
	byName := map[string]int{}
	for i, s := range specs {
		byName[s.Name] = i
	}
	for _, w := range []struct {
		name, title string
		unit        sources.Unit
		show, key   bool
	}{
		{"nginx.qps", "QPS", sources.UnitPerSecond, true, true},
		{"nginx.slow_ratio", "slow ‱", sources.UnitRatio, true, true},
		{"nginx.499_rate", "499/s", sources.UnitPerSecond, true, true},
		{"nginx.5xx_ratio", "5xx ‱", sources.UnitRatio, true, false},
		{"nginx.304_rate", "304/s", sources.UnitPerSecond, true, false},
		{"nginx.5xx_rate", "5xx/s", sources.UnitPerSecond, false, false},
		{"edge.qps", "edge QPS", sources.UnitPerSecond, true, false},
		// a group's QPS and slow ratio show, as an access log's groups'
		{"edge.pay.qps", "edge pay QPS", sources.UnitPerSecond, true, false},
		{"edge.pay.slow_ratio", "edge pay slow ‱", sources.UnitRatio, true, false},
		{"edge.pay.499_rate", "edge pay 499/s", sources.UnitPerSecond, false, false},
		{"edge.rank.5xx_ratio", "edge rank 5xx ‱", sources.UnitRatio, false, false},
		{"edge.rank.404_rate", "edge rank 404/s", sources.UnitPerSecond, false, false},
		{"api.db", "DB err/min", sources.UnitCount, true, true},
		{"api.econnreset", "econnreset /min", sources.UnitCount, false, false},
		{"api.oom", "oom /min", sources.UnitCount, true, false},
		{"gw.upstream", "gw UPSTREAM err/min", sources.UnitCount, true, false},
		{"gw.no_live_upstreams", "gw no_live_upstreams /min", sources.UnitCount, false, false},
	} {
		i, ok := byName[w.name]
		if !ok {
			t.Errorf("%s missing", w.name)
			continue
		}
		s := specs[i]
		if s.Title != w.title || s.Unit != w.unit || s.Show != w.show || s.Key != w.key {
			t.Errorf("%s: %+v", w.name, s)
		}
	}
	if n := len(specsOf(specs, "edge")); n != 3*len(accessMetrics) {
		t.Errorf("edge has %d indicators, want its own and its 2 groups' %d each", n, len(accessMetrics))
	}
	// a rule may name a group's indicator (config checks rules so)
	known := collect.Known(nil, nil, nil, specs...)
	if !known("edge.rank.5xx_rate") || known("edge.rank.p99") || known("nginx.pay.qps") {
		t.Error("collect.Known does not know the groups' indicators as they are")
	}
	// without keys: every title names its stream
	for _, s := range Indicators(c, false, false) {
		if s.Key || !strings.HasPrefix(s.Title, strings.SplitN(s.Name, ".", 2)[0]+" ") {
			t.Errorf("unkeyed %+v", s)
		}
	}
}

func TestNewChecksItsConfig(t *testing.T) {
	c := Config{Servers: []ServerConfig{{Name: "a", URL: "http://127.0.0.1:1"}},
		Streams: []StreamConfig{{Name: "s", Filter: "x", Server: "b"}}}
	if _, err := New(c, Options{Now: time.Now}); err == nil || !strings.Contains(err.Error(), `streams[0].server: unknown server "b"`) {
		t.Fatalf("New = %v", err)
	}
	c.Streams[0].Server = "a"
	if _, err := New(c, Options{}); err == nil || !strings.Contains(err.Error(), "Now") {
		t.Fatalf("New without a clock = %v", err)
	}
	srcs, err := New(c, Options{Now: time.Now})
	if err != nil || len(srcs) != 1 || srcs[0].Name() != "s" {
		t.Fatalf("New = %v, %v", srcs, err)
	}
}

func modelSeconds(n int) model.Duration { return model.Duration(time.Duration(n) * time.Second) }
func modelMillis(n int) model.Duration  { return model.Duration(time.Duration(n) * time.Millisecond) }
