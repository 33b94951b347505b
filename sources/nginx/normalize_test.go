package nginx

import (
	"hash/maphash"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"/":                                   "/",
		"":                                    "/",
		"/yearend-api/v1/rank?stage=3&page=1": "/yearend-api/v1/rank",
		"/yearend-api/v1/user/12345/progress": "/yearend-api/v1/user/:id/progress",
		"/static/js/beanPay-77cc09a6.js":      "/static/js/beanPay-:hash.js",
		"/static/css/app.3f2a9c1d.chunk.css":  "/static/css/app.:hash.chunk.css",
		"/pay/order/9f1c2d3e-1111-2222-3333-444455556666": "/pay/order/:uuid",
		"/t/0123456789abcdef0123":                         "/t/:hex",
		"/order-1234567/detail":                           "/order-:id/detail",
		"/static/img/banner_2.png":                        "/static/img/banner_2.png",
		"/v1/deadbeef.js":                                 "/v1/deadbeef.js", // no digit: a word, not a hash
		"/a//b/#frag":                                     "/a//b/",
		"/index.html":                                     "/index.html",
	}
	var n Normalizer
	for in, want := range cases {
		if got := string(n.Normalize([]byte(in))); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"/static/*", "/static/js/a.js", true},
		{"*.js", "/static/js/a.js", true},
		{"*.js", "/static/js/a.css", false},
		{"/pay/?rder/*", "/pay/order/1", true},
		{"/pay/*", "/payx/1", false},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	}
	for _, c := range cases {
		if got := globMatch(c.pattern, []byte(c.s)); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
}

func TestPathCacheAgreesWithNormalize(t *testing.T) {
	var c pathCache
	var n, ref Normalizer
	seed := maphash.MakeSeed()
	paths := []string{"/a/123", "/a/123?x=1", "/a/123#f?x", "/static/js/beanPay-77cc09a6.js", "", "?", "/x?", "/" + strings.Repeat("b", 70) + "/1",
		"/pay/order/9f1c2d3e-1111-2222-3333-444455556666?y", "/" + strings.Repeat("9", 300)}
	for round := 0; round < 3; round++ {
		for _, p := range paths {
			got, gh := c.normalize(&n, seed, []byte(p))
			want := string(ref.Normalize([]byte(p)))
			if string(got) != want || gh != maphash.String(seed, want) {
				t.Fatalf("%q: cache gave %q, Normalize %q", p, got, want)
			}
		}
	}
}
