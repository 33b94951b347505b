package sources

import (
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// MarshalJSON is json.Marshal for output that people read as well as
// scripts (scan --json, watch's JSON lines, the timeline file, snapshot
// --json, webhook bodies). Strings keep their exact value, but every rune
// Sanitize would not show raw (DEL, C1 controls, format characters such as
// bidi overrides and zero-width spaces, the line separators) is written as
// a \u escape, so the document decodes to the same strings while a
// terminal showing it (cat, tail -f, a pager) is not driven or fooled by
// it. encoding/json already escapes C0 controls; invalid UTF-8 becomes
// U+FFFD as there. HTML characters are not escaped: "<" stays "<".
func MarshalJSON(v any) ([]byte, error) {
	b, err := marshalJSON(v, "")
	if err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b, []byte{'\n'}), nil
}

// EncodeJSON writes v as MarshalJSON does, indented by indent ("" for one
// line), and a newline, like json.Encoder.Encode.
func EncodeJSON(w io.Writer, v any, indent string) error {
	b, err := marshalJSON(v, indent)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func marshalJSON(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return escapeJSON(buf.Bytes()), nil
}

// escapeJSON rewrites the hidden runes of encoded JSON as \u escapes. Every
// byte at or above 0x7f in encoder output is inside a string (the rest of
// the syntax is ASCII), so the rewrite is safe anywhere in the document.
func escapeJSON(b []byte) []byte {
	var out []byte
	done := 0 // b[:done] is in out
	for i := 0; i < len(b); {
		if b[i] < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if hidden(r) {
			if out == nil {
				out = make([]byte, 0, len(b)+32)
			}
			out = append(out, b[done:i]...)
			if r > 0xffff {
				hi, lo := utf16.EncodeRune(r)
				out = appendJSONEscape(appendJSONEscape(out, hi), lo)
			} else {
				out = appendJSONEscape(out, r)
			}
			done = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[done:]...)
}

func appendJSONEscape(out []byte, r rune) []byte {
	return append(out, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
