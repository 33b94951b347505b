package sources

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"clean ASCII", "plain /pay/order", "plain /pay/order"},
		{"clean CJK", "微信 MicroMessenger", "微信 MicroMessenger"},
		{"clean Latin-1 and symbols", "café · 5 ‰ → ✔", "café · 5 ‰ → ✔"},
		{"C0 escape sequences", "\x1b[2J\x1b]0;pwned\x07", `\x1b[2J\x1b]0;pwned\x07`},
		{"C0 CR BS NUL", "a\rb\bc\x00", `a\x0db\x08c\x00`},
		{"tab and newline", "tab\there\nnl", "tab here nl"},
		{"DEL", "del\x7f", `del\x7f`},
		{"C1 CSI and NEL", "\u009b31m\u0085", `\x9b31m\x85`},
		{"invalid byte", "bad\xffutf8", `bad\xffutf8`},
		{"truncated sequence", "cut\xe2\x80", `cut\xe2\x80`},
		{"encoded surrogate", "s\xed\xa0\x80", `s\xed\xa0\x80`},
		{"zero-width space", "/admin\u200b", `/admin\u200b`},
		{"zero-width non-joiner, joiner, marks", "\u200c\u200d\u200e\u200f", `\u200c\u200d\u200e\u200f`},
		{"word joiner and invisible operators", "a\u2060b\u2062c\u2064", `a\u2060b\u2062c\u2064`},
		{"BOM", "\ufeffGET", `\ufeffGET`},
		{"soft hyphen", "pay\u00adment", `pay\u00adment`},
		{"Arabic letter mark", "x\u061cy", `x\u061cy`},
		{"bidi override", "rtl\u202eevil", `rtl\u202eevil`},
		{"bidi embeddings and isolates", "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069", `\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069`},
		{"line and paragraph separators", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"tag characters", "x\U000e0001\U000e0041\U000e007f", `x\U000e0001\U000e0041\U000e007f`},
		{"other default-ignorables", "\u3164name\u034f\u115f", `\u3164name\u034f\u115f`},
		// glue terminals measure differently is dropped, joiners and tags
		// (format characters) are shown: a skin tone, a ZWJ family, a heart
		// and a keycap with VS16, a flag tag sequence
		{"emoji", "ok 👍🏽 👨\u200d👩\u200d👧 ❤\ufe0f 1\ufe0f\u20e3 🏴\U000e0067\U000e0062\U000e007f",
			`ok 👍 👨\u200d👩\u200d👧 ❤ 1` + "\u20e3" + ` 🏴\U000e0067\U000e0062\U000e007f`},
		{"long mixed", strings.Repeat("GET /pay?id=1 ", 20) + "\x1b[31m\u202e\u200b\xc0微信\x7f\u0090" + strings.Repeat("ok", 50),
			strings.Repeat("GET /pay?id=1 ", 20) + `\x1b[31m\u202e\u200b\xc0微信\x7f\x90` + strings.Repeat("ok", 50)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Sanitize(c.in); got != c.want {
				t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestSanitizeCleanDoesNotAllocate(t *testing.T) {
	for _, s := range []string{
		`203.0.113.9 - - [31/Dec/2026:23:59:59 +0800] "GET /pay/order?id=1 HTTP/1.1" 200 512 "-" "curl/8.5"`,
		"微信 MicroMessenger 8.0 · café",
	} {
		var out string
		if n := testing.AllocsPerRun(100, func() { out = Sanitize(s) }); n != 0 {
			t.Errorf("Sanitize(%q): %v allocations", s, n)
		}
		if out != s {
			t.Errorf("Sanitize(%q) = %q", s, out)
		}
	}
}

// TestHiddenShortcuts checks hidden's shortcuts against the Unicode tables
// they stand for, over every code point.
func TestHiddenShortcuts(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := r < 0x20 || (r >= 0x7f && r <= 0x9f) ||
			unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point)
		if got := hidden(r); got != want {
			t.Fatalf("hidden(%U) = %v, want %v", r, got, want)
		}
		if hidden(r) && glue(r) {
			t.Fatalf("%U is both hidden and glue", r)
		}
	}
}

func BenchmarkSanitize(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"clean", `203.0.113.9 - - [31/Dec/2026:23:59:59 +0800] "GET /pay/order?id=1 HTTP/1.1" 200 512 "-" "curl/8.5"`},
		{"cjk", "微信 MicroMessenger 8.0 支付 订单 查询 结果 页面"},
		{"hostile", "GET /admin\u200b\u202e\x1b]0;t\x07 \xff"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Sanitize(c.s)
			}
		})
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"\x1b[31mred\x1b[0m", "\xc2\x9b\xe2\x80\xae", "/admin\u200b", "👨\u200d👩\ufe0f🏽",
		"\U000e0041\u3164", "a\tb\nc\x7f", "plain", "微信"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", s, out)
		}
		for _, r := range out {
			if hidden(r) || glue(r) {
				t.Fatalf("%U passed raw: %q out of %q", r, out, s)
			}
		}
		if again := Sanitize(out); again != out {
			t.Fatalf("not stable: %q then %q", out, again)
		}
		clean := utf8.ValidString(s)
		for _, r := range s {
			clean = clean && !hidden(r) && !glue(r)
		}
		if clean && out != s {
			t.Fatalf("clean %q came out as %q", s, out)
		}
	})
}
