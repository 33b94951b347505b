package tail

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "plain text", "plain text"},
		{"SGR colours", "\x1b[1;31mred\x1b[0m", "red"},
		{"OSC title ended by BEL", "a\x1b]0;evil title\x07b", "ab"},
		{"OSC 8 link ended by ST", "a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "alink"},
		{"charset designation", "\x1b(Bplain\x1b[m", "plain"},
		{"short ESC sequence", "\x1b7saved\x1b8", "saved"},
		{"C1 CSI", "c1 \u009b31m csi", "c1  csi"},
		{"C1 OSC ended by C1 ST", "a\u009d0;t\u009cb", "ab"},
		{"DCS ended by ST", "a\x1bPq#0\x1b\\b", "ab"},
		{"open string runs to the end", "a\x1b]0;never ended", "a"},
		{"ESC inside a string starts a sequence", "a\x1b]0;t\x1b[31mb", "ab"},
		{"lone ESC at the end", "end\x1b", `end\x1b`},
		{"ESC before a control", "a\x1b\x07b", `a\x1b\x07b`},
		{"CSI cut by a control", "a\x1b[3\x08b", `a\x08b`},
		{"lone controls", "tab\there\r\x08\x00", `tab here\x0d\x08\x00`},
		{"DEL and C1", "del\x7f nel\u0085", `del\x7f nel\x85`},
		{"invalid UTF-8", "bad \xff utf8", `bad \xff utf8`},
		{"bidi override", "file \u202etxt.exe", `file \u202etxt.exe`},
		{"zero-width space", "/admin\u200b", `/admin\u200b`},
		{"unicode", "ünïcode 微信 ok", "ünïcode 微信 ok"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := sanitize([]byte(c.in)); got != c.want {
				t.Errorf("sanitize(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"x\x1b[31my", "\x1b]0;t\x07", "\u009b1m", "\xff\xfe", "a\tb\r\n", "\u202e\u200b", "\x1b(B", "\x1b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := sanitize(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
		}
		for _, r := range out {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x202e || r == 0x200b {
				t.Fatalf("%U left in %q (from %q)", r, out, in)
			}
		}
	})
}

func TestStderrTailKeepsLastLines(t *testing.T) {
	var s stderrTail
	for i := range 8 {
		s.Write([]byte(strings.Repeat("x", i) + "\n"))
	}
	s.Write([]byte("unfinished \x1b[1m"))
	if got := s.String(); got != "xxx | xxxx | xxxxx | xxxxxx | xxxxxxx | unfinished" {
		t.Fatalf("got %q", got)
	}
}

func TestStderrTailCutsALongLineAtACharacter(t *testing.T) {
	var s stderrTail
	// 299 bytes, then a three-byte character that does not fit, then more
	// of the same line in a second write
	s.Write([]byte(strings.Repeat("x", stderrLineBytes-1) + "微"))
	s.Write([]byte("y\nnext\n"))
	if got, want := s.String(), strings.Repeat("x", stderrLineBytes-1)+" | next"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A real command's stderr with a title-setting OSC sequence and a bidi
// override reaches the status as text that shows both for what they are.
func TestCommandStderrIsSanitized(t *testing.T) {
	script := `printf 'deploy \033]0;owned\007failed: \342\200\256gpj.exe\342\200\213\n' >&2; exit 3`
	f, _ := start(t, commandOptions("sh", "-c", script))
	var path string
	waitFor(t, "status", func() bool {
		for _, s := range f.Status() {
			path = s.Path
		}
		return path != ""
	})
	st := statusOf(t, f, path, func(s FileStatus) bool { return strings.Contains(s.Err, "exit status 3") })
	if want := `stderr: deploy failed: \u202egpj.exe\u200b`; !strings.Contains(st.Err, want) {
		t.Fatalf("err %q, want it to contain %q", st.Err, want)
	}
	_, shown, _ := strings.Cut(st.Err, "stderr: ") // the command line before it names the title too
	if strings.ContainsAny(st.Err, "\x1b\x07\u202e\u200b") || strings.Contains(shown, "owned") {
		t.Fatalf("raw sequence or title in %q", st.Err)
	}
}
