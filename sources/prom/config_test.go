package prom

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/config"
)

func loadFile(t *testing.T, path string) (Config, error) {
	var c Config
	err := config.LoadFile(path, &c)
	return c, err
}

func TestConfigGood(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	if len(files) == 0 {
		t.Fatal("no good configs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, err := loadFile(t, f); err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadFile(t, "testdata/good/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	main, thanos := c.Servers[0], c.Servers[1]
	if main.HTTP.FollowRedirects || !thanos.HTTP.FollowRedirects || !thanos.HTTP.EnableHTTP2 {
		t.Errorf("follow_redirects/enable_http2 defaults wrong: main=%v thanos=%v/%v",
			main.HTTP.FollowRedirects, thanos.HTTP.FollowRedirects, thanos.HTTP.EnableHTTP2)
	}
	if main.HTTP.BasicAuth == nil || main.HTTP.BasicAuth.PasswordFile != "secrets/prom-pass" {
		t.Errorf("basic_auth not decoded: %+v", main.HTTP.BasicAuth)
	}
	if h := main.HTTP.HTTPHeaders; h == nil || h.Headers["X-Scope-OrgID"].Values[0] != "event" {
		t.Errorf("http_headers not decoded: %+v", h)
	}
	if a := thanos.HTTP.Authorization; a == nil || a.Type != "Bearer" || a.CredentialsFile != "secrets/token" {
		t.Errorf("authorization not decoded: %+v", a)
	}
	if thanos.HTTP.TLSConfig.ServerName != "thanos.internal" || thanos.HTTP.ProxyURL.URL == nil {
		t.Errorf("tls_config/proxy_url not decoded: %+v", thanos.HTTP)
	}
	rps, errs := c.Queries[0], c.Queries[1]
	if rps.Server != "main" || rps.Kind != KindInstant || rps.MaxSeries != DefaultMaxSeries || rps.Unit != sources.UnitPerSecond {
		t.Errorf("query defaults wrong: %+v", rps)
	}
	if got := rps.IntervalOr(7 * time.Second); got != 7*time.Second {
		t.Errorf("rps interval = %v, want the global refresh", got)
	}
	if errs.Server != "thanos" || errs.Kind != KindRange || errs.MaxSeries != 5 || errs.IntervalOr(time.Second) != 15*time.Second {
		t.Errorf("explicit values lost: %+v", errs)
	}
	c.SetDirectory("/etc/warroom")
	if got := c.Servers[0].HTTP.BasicAuth.PasswordFile; got != "/etc/warroom/secrets/prom-pass" {
		t.Errorf("SetDirectory: password_file = %q", got)
	}
}

func TestConfigBad(t *testing.T) {
	cases := map[string]string{
		"unknown_field":   "line 4: scrape_interval: unknown field",
		"basic_auth_typo": "line 6: pasword_file: unknown field",
		"basic_auth_both": "line 5: basic_auth: server \"main\": at most one of basic_auth password, password_file",
		"header_typo":     "line 6: value: unknown field (known: files, secrets, values)",
		"header_reserved": "line 5: http_headers: server \"main\": setting header \"Authorization\" is not allowed",
		"tls_typo":        "line 5: insecure: unknown field",
		"bad_url_scheme":  "line 3: url: scheme must be http or https, got \"ftp\"",
		"bad_url_host":    "line 3: url: missing host",
		"url_secret":      "line 3: url: not a valid URL",
		"dup_server":      "line 4: servers[1].name: duplicate server name \"main\"",
		"no_server_name":  "line 2: servers[0].name: must not be empty",
		"no_servers":      "servers: queries need at least one server",
		"unknown_server":  "line 7: queries[0].server: unknown server \"backup\" (known: main)",
		"bad_kind":        "line 7: kind: query \"up\": \"chart\" is not one of instant, range",
		"dup_query":       "line 7: queries[1].name: duplicate query name \"up\"",
		"empty_expr":      "line 6: expr: query \"up\": must not be empty",
		"bad_unit":        "line 7: unit: query \"rps\": \"rps\" is not one of count, per-second",
		"bad_interval":    "line 7: interval: not a valid duration string: \"fast\"",
		"bad_legend":      "line 7: legend: query \"rps\": \"{{\" without \"}}\"",
		"query_typo":      "line 7: maxseries: unknown field",
		"negative_cap":    "line 7: max_series: query \"rps\": must be positive, got -1",
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
			for _, secret := range []string{"hunter2-inline", "pa ss"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error shows a secret: %v", err)
				}
			}
		})
	}
}

func TestConfigStringHidesSecrets(t *testing.T) {
	const secret = "s3cret-in-config"
	in := fmt.Sprintf(`
servers:
  - name: main
    url: http://admin:%[1]s@127.0.0.1:9090
    basic_auth: {username: u, password: %[1]s}
  - name: tok
    url: http://127.0.0.1:9091
    authorization: {credentials: %[1]s}
    http_headers:
      X-Key: {secrets: [%[1]s]}
`, secret)
	var c Config
	if err := config.Load(strings.NewReader(in), &c); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), c.Servers[0].String(), fmt.Sprintf("%v", c.Servers)} {
		if strings.Contains(s, secret) {
			t.Fatalf("secret shown in %q", s)
		}
	}
	if !strings.Contains(c.String(), "<secret>") {
		t.Errorf("String() should mark where secrets are: %s", c.String())
	}
}

func TestValidateInCode(t *testing.T) {
	c := Config{
		Servers: []ServerConfig{{Name: "a", URL: "http://127.0.0.1:1"}},
		Queries: []QueryConfig{{Name: "q", Expr: "up", Server: "b", Kind: KindInstant, Unit: sources.UnitCount}},
	}
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), `queries[0].server: unknown server "b"`) {
		t.Fatalf("Validate = %v", err)
	}
	if _, err := New(c, Options{Now: time.Now}); err == nil {
		t.Fatal("New accepted an invalid config")
	}
	c.Queries[0].Server = "a"
	if _, err := New(c, Options{}); err == nil || !strings.Contains(err.Error(), "Now") {
		t.Fatalf("New without a clock = %v", err)
	}
}
