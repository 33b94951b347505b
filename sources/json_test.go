package sources

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestMarshalJSON(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain <b>&", `"plain <b>&"`},
		{"微信 ❤\ufe0f 👍🏽", `"微信 ❤` + "\ufe0f" + ` 👍🏽"`},
		{"\x1b[31m\x07\t", `"\u001b[31m\u0007\t"`},
		{"del\x7f c1\u009b\u0085", `"del\u007f c1\u009b\u0085"`},
		{"/admin\u200b\u202e\u2066\ufeff\u00ad", `"/admin\u200b\u202e\u2066\ufeff\u00ad"`},
		{"a\u2028b", `"a\u2028b"`},
		{"tag\U000e0041", `"tag\udb40\udc41"`},
		{"bad\xff", `"bad\ufffd"`},
	}
	for _, c := range cases {
		b, err := MarshalJSON(map[string]string{"k": c.in})
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"k":` + c.want + `}`; string(b) != want {
			t.Errorf("MarshalJSON(%q) = %s, want %s", c.in, b, want)
		}
		var back map[string]string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if utf8.ValidString(c.in) && back["k"] != c.in {
			t.Errorf("%s decodes to %q, want %q", b, back["k"], c.in)
		}
	}
}

func TestEncodeJSONIndentedWithNewline(t *testing.T) {
	var b bytes.Buffer
	if err := EncodeJSON(&b, map[string]any{"k": []string{"x\u200b"}}, "  "); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"k\": [\n    \"x\\u200b\"\n  ]\n}\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func FuzzMarshalJSON(f *testing.F) {
	for _, s := range []string{"\x1b[31m", "\u009b\u202e\u200b", "\U000e0041", "微信 <&>", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := MarshalJSON([]string{s})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range string(b) {
			if hidden(r) {
				t.Fatalf("%U raw in %q", r, b)
			}
		}
		var back []string
		if err := json.Unmarshal(b, &back); err != nil || len(back) != 1 {
			t.Fatalf("%q does not decode: %v", b, err)
		}
		if utf8.ValidString(s) && back[0] != s {
			t.Fatalf("%q decodes to %q, want %q", b, back[0], s)
		}
	})
}
