package sources

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain /pay/order", "plain /pay/order"},
		{"\x1b[2J\x1b]0;pwned\x07", `\x1b[2J\x1b]0;pwned\x07`},
		{"a\rb\bc", `a\x0db\x08c`},
		{"tab\there\nnl", "tab here nl"},
		{"\u009b31m", `\x9b31m`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"微信 MicroMessenger", "微信 MicroMessenger"},
		{"rtl\u202eevil", `rtl\u202eevil`},
		{"del\x7f", `del\x7f`},
		// sequences terminals measure differently lose their glue: a
		// skin tone, a ZWJ family, a heart and a keycap with VS16, a flag
		// tag sequence
		{"ok 👍🏽 👨\u200d👩\u200d👧 ❤\ufe0f 1\ufe0f\u20e3 🏴\U000e0067\U000e0062\U000e007f", "ok 👍 👨👩👧 ❤ 1\u20e3 🏴"},
	}
	for _, c := range cases {
		if got := Sanitize(c.in); got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	f.Add("\x1b[31mred\x1b[0m")
	f.Add("\xc2\x9b\xe2\x80\xae")
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		for i := 0; i < len(out); i++ {
			if c := out[i]; c < 0x20 || c == 0x7f {
				t.Fatalf("control byte %#x in %q", c, out)
			}
		}
		if strings.ContainsRune(out, 0x9b) || strings.ContainsRune(out, 0x1b) {
			t.Fatalf("escape in %q", out)
		}
	})
}
