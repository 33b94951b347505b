package applog

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// isContinuation reports whether line belongs to the entry before it: an
// indented line or a stack frame ("    at fn (file.js:1:2)", "\tat
// com.x.Y(Y.java:10)", "Caused by: ...", "... 12 more").
func isContinuation(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	if line[0] == ' ' || line[0] == '\t' {
		return true
	}
	return bytes.HasPrefix(line, []byte("at ")) || bytes.HasPrefix(line, []byte("Caused by:")) || bytes.HasPrefix(line, []byte("... "))
}

// entryTime reads the time an entry was written from common layouts: a
// leading RFC 3339 / "2006-01-02 15:04:05[.000]" stamp (optionally in
// brackets), or JSON "time" (epoch ms, as pino writes) / "timestamp" /
// "@timestamp" fields. ok is false when none is found.
func entryTime(line []byte, loc *time.Location) (time.Time, bool) {
	t, _, ok := readStamp(line, loc)
	return t, ok
}

// leadingStamp reports whether line starts like a leading date-time stamp
// ("2006-01-02T15:04", "[2006-01-02 15:04", or "2006/01/02 15:04" as Go's
// log and nginx's error.log write it), and returns it from there.
func leadingStamp(line []byte) ([]byte, bool) {
	s := line
	if len(s) > 0 && s[0] == '[' {
		s = s[1:]
	}
	return s, len(s) >= 19 && (s[4] == '-' || s[4] == '/') && s[7] == s[4] && (s[10] == 'T' || s[10] == ' ') && s[13] == ':'
}

// mayHaveTime is the cheap part of entryTime: whether line is shaped like
// one that carries a time (a leading stamp, or a JSON object).
func mayHaveTime(line []byte) bool {
	_, ok := leadingStamp(line)
	return ok || len(line) > 0 && line[0] == '{'
}

// readStamp is entryTime, also saying whether the stamp named its zone
// (or is an epoch): a time read in loc can be hours off when loc is not
// the writer's zone, a zoned one only when a clock is wrong.
func readStamp(line []byte, loc *time.Location) (t time.Time, zoned, ok bool) {
	if s, ok := leadingStamp(line); ok {
		end := 19
		for end < len(s) && end < 35 && s[end] != ' ' && s[end] != ']' && s[end] != ',' && s[end] != '"' {
			end++
		}
		v := string(s[:end])
		if s[10] == ' ' || s[4] == '/' {
			v = v[:4] + "-" + v[5:7] + "-" + v[8:10] + "T" + v[11:]
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t, true, true
		}
		if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", v, loc); err == nil {
			return t, false, true
		}
		if t, err := time.ParseInLocation("2006-01-02T15:04:05,000", v, loc); err == nil {
			return t, false, true
		}
	}
	if len(line) > 0 && line[0] == '{' {
		var j struct {
			Time      json.RawMessage `json:"time"`
			Timestamp string          `json:"timestamp"`
			At        string          `json:"@timestamp"`
		}
		if json.Unmarshal(line, &j) == nil {
			if len(j.Time) > 0 {
				var ms float64
				if json.Unmarshal(j.Time, &ms) == nil && ms > 1e11 {
					return time.UnixMilli(int64(ms)), true, true
				}
				var str string
				if json.Unmarshal(j.Time, &str) == nil {
					if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
						return t, true, true
					}
				}
			}
			for _, v := range []string{j.Timestamp, j.At} {
				if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
					return t, true, true
				}
			}
		}
	}
	return time.Time{}, false, false
}

// firstLine is an entry's first line.
func firstLine(entry []byte) []byte {
	if i := bytes.IndexByte(entry, '\n'); i >= 0 {
		return entry[:i]
	}
	return entry
}

// displayText turns an entry into one readable line: JSON logs become
// "LEVEL msg: err.type: err.message", plain text keeps its first line and
// says how many lines were joined to it (" (+3 lines)"). first is the
// length of the line before that count. One allocation: a flood of errors
// makes one of these per entry.
func displayText(entry []byte, lines int) (text string, first int) {
	line := firstLine(entry)
	if len(line) > 0 && line[0] == '{' {
		if s, ok := jsonText(line); ok {
			return s, len(s)
		}
	}
	if lines <= 1 {
		return string(line), len(line)
	}
	var buf [32]byte
	more := append(strconv.AppendInt(append(buf[:0], " (+"...), int64(lines-1), 10), " lines)"...)
	var b strings.Builder
	b.Grow(len(line) + len(more))
	b.Write(line)
	b.Write(more)
	return b.String(), len(line)
}

func jsonText(line []byte) (string, bool) {
	var j map[string]any
	if json.Unmarshal(line, &j) != nil {
		return "", false
	}
	var parts []string
	switch lv := j["level"].(type) {
	case string:
		parts = append(parts, strings.ToUpper(lv))
	case float64: // pino/bunyan numeric levels
		names := map[float64]string{10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL"}
		if n, ok := names[lv]; ok {
			parts = append(parts, n)
		}
	}
	// the error reads as a plain log writes it, "Class: message", after
	// the message and a colon, so the screen finds its class and words
	var said []string
	for _, k := range []string{"msg", "message"} {
		if m, ok := j[k].(string); ok && m != "" {
			said = append(said, m)
			break
		}
	}
	for _, k := range []string{"err", "error"} {
		switch e := j[k].(type) {
		case map[string]any:
			if s := errText(e); s != "" {
				said = append(said, s)
			}
		case string:
			if e != "" {
				said = append(said, e)
			}
		}
	}
	if len(said) > 0 {
		parts = append(parts, strings.Join(said, ": "))
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, " "), true
}

// errText is a JSON error object (pino's, winston's) as "Class: message
// (code)": its type or name, its message, and its code when the message
// does not say it.
func errText(e map[string]any) string {
	str := func(f string) string { v, _ := e[f].(string); return v }
	class := str("type")
	if class == "" {
		class = str("name")
	}
	msg, code := str("message"), str("code")
	if code != "" && !strings.Contains(msg, code) {
		msg = strings.TrimLeft(msg+" ("+code+")", " ")
	}
	switch {
	case class == "":
		return msg
	case msg == "":
		return class
	}
	return class + ": " + msg
}
