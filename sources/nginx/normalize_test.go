package nginx

import (
	"hash/maphash"
	"math/rand/v2"
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
		"/pay/order/9f1c2d3e-1111-2222-3333-444455556666?y", "/" + strings.Repeat("9", 300),
		// one shape (digits as '0'), outputs that differ by the digits kept
		"/v1/rank", "/v2/rank", "/v0/rank", "/img/banner_12.png", "/img/banner_34.png", "/a/1b", "/a/2b",
		"/user/1234/progress", "/user/5678/progress", "/user/0000/progress", "/o/order-1234567", "/o/order-7654321",
		"/" + strings.Repeat("7", 63), "/" + strings.Repeat("7", 64), "/x/\xE4\xBD/1", "/\xff/2", "/\x90/3"}
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

// Random paths over the bytes Normalize distinguishes, many of one shape:
// the cache must give exactly Normalize's answer whatever was seen before.
func TestPathCacheRandomAgreesWithNormalize(t *testing.T) {
	var c pathCache
	var n, ref Normalizer
	seed := maphash.MakeSeed()
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789abcdefxyzABF-._/?#\x80\xff"
	for i := 0; i < 200000; i++ {
		b := make([]byte, 1+rng.IntN(70))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
			if rng.IntN(3) == 0 {
				b[j] = "0123456789"[rng.IntN(10)]
			}
		}
		b[0] = '/'
		if i%2 == 0 {
			// inside a longer line, as in the aggregator: bytes past the
			// path are in its capacity (digits too, which would extend a
			// run) and must not count
			tail := make([]byte, rng.IntN(16))
			for j := range tail {
				tail[j] = "0123456789 ?"[rng.IntN(12)]
			}
			b = append(b, tail...)[:len(b)]
		}
		got, gh := c.normalize(&n, seed, b)
		want := string(ref.Normalize(b))
		if string(got) != want || gh != maphash.String(seed, want) {
			t.Fatalf("%q: cache gave %q, Normalize %q", b, got, want)
		}
	}
}

func TestDigitBytes(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			// the other bytes are neighbours of the digit range
			x := uint64(0x2f3a2f3a2f3a2f3a) // '/' and ':'
			x = x&^(0xff<<(8*pos)) | uint64(c)<<(8*pos)
			got := digitBytes(x)
			var want uint64
			if isDigit(byte(c)) {
				want = 0x80 << (8 * pos)
			}
			if got != want {
				t.Fatalf("byte %#x at %d: mask %#x, want %#x", c, pos, got, want)
			}
		}
	}
}
