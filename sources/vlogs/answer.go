package vlogs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Reading VictoriaLogs' answers. Everything in them is checked before it
// is used: a proxy's HTML page, a truncated body, a bucket outside the
// range asked or a count that is not one is an error naming what is
// wrong, never a number.

// counts is a range answer as whole seconds: n steps from `from`, width
// columns each.
type counts struct {
	from, step int64 // unix seconds
	n, width   int
	c          []uint32 // n × width
}

func (c *counts) row(i int) []uint32 { return c.c[i*c.width : (i+1)*c.width] }

// parseMatrix reads a stats_query_range answer for [from, to) at step
// whose series are named by cols (a name's column). A bucket
// VictoriaLogs left out had no lines: it stays zero.
func parseMatrix(body []byte, cols map[string]int, width int, from, to, step int64) (*counts, error) {
	var env struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   *struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Values json.RawMessage   `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := decodeJSON(body, &env); err != nil {
		return nil, err
	}
	switch {
	case env.Status == "error":
		return nil, fmt.Errorf("server error: %s", reasonOf([]byte(env.Error)))
	case env.Status != "success":
		return nil, fmt.Errorf("unexpected status %q (want \"success\")", env.Status)
	case env.Data == nil:
		return nil, errors.New(`no "data" in the answer`)
	case env.Data.ResultType != "matrix":
		return nil, fmt.Errorf("result type %q, want matrix", env.Data.ResultType)
	}
	n := int((to - from) / step)
	out := &counts{from: from, step: step, n: n, width: width, c: make([]uint32, n*width)}
	for _, s := range env.Data.Result {
		col, ok := cols[s.Metric["__name__"]]
		if !ok {
			continue
		}
		set := func(sec int64, x uint32) error {
			if sec < from || sec >= to || (sec-from)%step != 0 {
				return fmt.Errorf("bucket at %d is outside the range asked [%d, %d) by %ds", sec, from, to, step)
			}
			out.row(int((sec - from) / step))[col] = x
			return nil
		}
		if scanPairs(s.Values, set) {
			continue
		}
		// not the usual [[sec,"n"],...]: read it value by value, to say
		// what is wrong
		var vals [][2]json.RawMessage
		if err := json.Unmarshal(s.Values, &vals); err != nil {
			return nil, fmt.Errorf("values: %v", err)
		}
		for _, v := range vals {
			ts, err := strconv.ParseFloat(string(v[0]), 64)
			if err != nil || ts != math.Trunc(ts) {
				return nil, fmt.Errorf("bucket time %.40q is not a whole second", v[0])
			}
			var str string
			if err := json.Unmarshal(v[1], &str); err != nil {
				return nil, fmt.Errorf("count %.40s is not a string", v[1])
			}
			x, err := strconv.ParseUint(str, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("count %.40q is not a count", str)
			}
			if err := set(int64(ts), uint32(x)); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// scanPairs reads values as VictoriaLogs writes them, [[sec,"n"],...]
// with whole seconds and counts that fit 32 bits, calling set for each
// (a poll reads thousands a second: encoding/json's value by value was
// most of warroom's CPU). false: they are not all so (nothing is
// trusted then; set may have been called for some, and the caller reads
// them all again), or set failed.
func scanPairs(b []byte, set func(sec int64, n uint32) error) bool {
	i := 0
	ws := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
			i++
		}
	}
	eat := func(c byte) bool {
		ws()
		if i < len(b) && b[i] == c {
			i++
			return true
		}
		return false
	}
	num := func(limit uint64) (uint64, bool) {
		start, x := i, uint64(0)
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			x = x*10 + uint64(b[i]-'0')
			if x > limit {
				return 0, false
			}
			i++
		}
		// JSON has no leading zeros
		return x, i > start && i-start <= 19 && (b[start] != '0' || i-start == 1)
	}
	if !eat('[') {
		return false
	}
	if eat(']') {
		ws()
		return i == len(b)
	}
	for {
		if !eat('[') {
			return false
		}
		ws()
		sec, ok := num(math.MaxInt64 / 10)
		if !ok || !eat(',') || !eat('"') {
			return false
		}
		n, ok := num(math.MaxUint32)
		if !ok || i >= len(b) || b[i] != '"' {
			return false
		}
		i++
		if !eat(']') || set(int64(sec), uint32(n)) != nil {
			return false
		}
		if eat(']') {
			ws()
			return i == len(b)
		}
		if !eat(',') {
			return false
		}
	}
}

// parseRows reads a query's answer, one JSON object per line, each value
// as text.
func parseRows(body []byte) ([]map[string]string, error) {
	var out []map[string]string
	for line := range bytes.Lines(body) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		// VictoriaLogs writes every value as a string: read so at once,
		// anything else below
		if row, ok := scanStrings(line); ok {
			out = append(out, row)
			continue
		}
		var raw map[string]any
		if err := decodeJSON(line, &raw); err != nil {
			return nil, err
		}
		row := make(map[string]string, len(raw))
		for k, v := range raw {
			switch x := v.(type) {
			case string:
				row[k] = x
			case float64:
				row[k] = strconv.FormatFloat(x, 'f', -1, 64)
			case nil:
				row[k] = ""
			default:
				b, _ := json.Marshal(x)
				row[k] = string(b)
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// scanStrings reads a flat JSON object whose keys and values are all
// strings without escapes, as VictoriaLogs writes a row of stats (the
// tables every 5 s: encoding/json's map decoding was a fifth of
// warroom's CPU). false: the line is not so (it may still be JSON),
// and nothing of it is used.
func scanStrings(b []byte) (map[string]string, bool) {
	i := 0
	ws := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
			i++
		}
	}
	str := func() ([]byte, bool) {
		ws()
		if i >= len(b) || b[i] != '"' {
			return nil, false
		}
		i++
		start := i
		for i < len(b) && b[i] != '"' {
			if c := b[i]; c == '\\' || c < 0x20 {
				return nil, false
			}
			i++
		}
		if i >= len(b) || !utf8.Valid(b[start:i]) {
			return nil, false
		}
		i++
		return b[start : i-1], true
	}
	ws()
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	i++
	row := map[string]string{}
	ws()
	if i < len(b) && b[i] == '}' {
		i++
		ws()
		return row, i == len(b)
	}
	for {
		k, ok := str()
		if !ok {
			return nil, false
		}
		if ws(); i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i++
		v, ok := str()
		if !ok {
			return nil, false
		}
		row[string(k)] = string(v)
		ws()
		if i < len(b) && b[i] == ',' {
			i++
			continue
		}
		if i < len(b) && b[i] == '}' {
			i++
			ws()
			return row, i == len(b)
		}
		return nil, false
	}
}

// decodeJSON decodes an answer, saying what it is when it is not JSON.
func decodeJSON(body []byte, v any) error {
	t := bytes.TrimSpace(body)
	switch {
	case len(t) == 0:
		return errors.New("empty answer")
	case t[0] == '<':
		return errors.New("not VictoriaLogs JSON (an HTML page?)")
	}
	if err := json.Unmarshal(t, v); err != nil {
		if err.Error() == "unexpected end of JSON input" {
			return errors.New("truncated JSON answer")
		}
		return fmt.Errorf("not VictoriaLogs JSON: %v", err)
	}
	return nil
}

// uintOf reads a count from a row ("" is 0).
func uintOf(row map[string]string, key string) (uint64, error) {
	s := row[key]
	if s == "" {
		return 0, nil
	}
	x, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %.40q is not a count", key, s)
	}
	return x, nil
}
