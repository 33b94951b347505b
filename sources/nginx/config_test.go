package nginx

import (
	"strings"
	"testing"

	"warroom/sources/config"
)

func TestSourceConfigWarnings(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"paths: [a]\nformat: timed\n", nil}, // remote_addr
		{"paths: [a]\nformat: timed\nclient: x_real_ip\n", []string{"client x_real_ip but no $http_x_real_ip: clients are counted by $remote_addr"}},
		{"paths: [a]\nformat: timed\nclient: x_forwarded_for\n", []string{"client x_forwarded_for but no $http_x_forwarded_for: clients are counted by $remote_addr"}},
		{"paths: [a]\nclient: x_forwarded_for\nformat: '$remote_addr [$time_local] \"$request\" $status $request_time \"$http_x_forwarded_for\"'\n", nil},
		{"paths: [a]\nclient: x_real_ip\nformat: '$http_x_real_ip [$time_local] \"$request\" $status $request_time'\n", nil},
		{"paths: [a]\nclient: x_real_ip\nformat: '[$time_local] \"$request\" $status $request_time'\n", []string{"client x_real_ip but no $http_x_real_ip (nor $remote_addr): top talkers and distinct IPs cannot be counted"}},
		{"paths: [a]\nformat: '$http_x_forwarded_for [$time_local] \"$request\" $status $request_time'\n", []string{"client remote_addr but no $remote_addr"}},
		{"paths: [a]\nformat: combined\n", []string{"no $request_time"}},
		{"paths: [a]\nformat: '$remote_addr \"$request\" $status $request_time'\n", []string{"no $time_local, $time_iso8601 or $msec"}},
		{"paths: [a]\nstart: 30m\nformat: '$remote_addr \"$request\" $status $request_time'\n", []string{
			"no $time_local, $time_iso8601 or $msec: lines are counted when they are read, so the log is followed from its end (start 30m cannot look back); it cannot be replayed"}},
	}
	for _, c := range cases {
		var sc SourceConfig
		if err := config.Load(strings.NewReader(c.in), &sc); err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		got := sc.Warnings()
		if len(got) != len(c.want) {
			t.Errorf("%q: warnings %q, want %q", c.in, got, c.want)
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], c.want[i]) {
				t.Errorf("%q: warning %q, want %q…", c.in, got[i], c.want[i])
			}
		}
	}
}

// TestSourceConfigBadGlob: the glob the follower would refuse at start is
// a config error at its line.
func TestSourceConfigBadGlob(t *testing.T) {
	var sc SourceConfig
	err := config.Load(strings.NewReader("name: web\nformat: timed\npaths:\n  - '[a.log'\n"), &sc)
	if err == nil || !strings.HasPrefix(err.Error(), `line 4: paths[0]: bad glob "[a.log"`) {
		t.Fatalf("error %v", err)
	}
}

// An error inside a statement pasted as a YAML block names the file's
// line that holds it, not the format key's.
func TestStatementErrorNamesTheFileLine(t *testing.T) {
	in := "name: web\npaths: [a.log]\nformat: |\n  log_format main '$remote_addr - $remote_user [$time_local] '\n                  '\"$request\" $status $body_bytes_sent '\n                  '\"$http_referer\" \"$http_user_agent;\n"
	var sc SourceConfig
	err := config.Load(strings.NewReader(in), &sc)
	if err == nil || !strings.HasPrefix(err.Error(), "line 6: format: nginx: log_format main at line 3 col 17: unbalanced quote '") {
		t.Fatalf("err = %v", err)
	}
}

// Bad path groups are errors naming the group, at its line; a prefix
// with a '?' is one: paths are matched without their query, so it would
// count nothing.
func TestSourceConfigBadGroups(t *testing.T) {
	for in, want := range map[string]string{
		"groups:\n  - {name: api, prefix: /api/}\n  - {name: api, glob: '/v?/*'}\n": `line 6: groups[1].name: duplicate group "api"`,
		"groups:\n  - {name: api, prefix: /api/, glob: '/v?/*'}\n":                  `line 5: groups[0]: group "api": give exactly one of prefix or glob`,
		"groups:\n  - {name: rank, prefix: '/rank?stage=3'}\n":                      `line 5: groups[0].prefix: group "rank": prefix "/rank?stage=3" has a '?'`,
		"groups:\n  - {name: a.b, prefix: /a/}\n":                                   `line 5: groups[0].name: must be non-empty without spaces or dots, got "a.b"`,
	} {
		var sc SourceConfig
		err := config.Load(strings.NewReader("name: web\nformat: timed\npaths: [a.log]\n"+in), &sc)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v\nwant %q…", in, err, want)
		}
	}
}
