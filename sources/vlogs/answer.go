package vlogs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
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
				Metric map[string]string    `json:"metric"`
				Values [][2]json.RawMessage `json:"values"`
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
		for _, v := range s.Values {
			ts, err := strconv.ParseFloat(string(v[0]), 64)
			if err != nil || ts != math.Trunc(ts) {
				return nil, fmt.Errorf("bucket time %.40q is not a whole second", v[0])
			}
			sec := int64(ts)
			if sec < from || sec >= to || (sec-from)%step != 0 {
				return nil, fmt.Errorf("bucket at %d is outside the range asked [%d, %d) by %ds", sec, from, to, step)
			}
			var str string
			if err := json.Unmarshal(v[1], &str); err != nil {
				return nil, fmt.Errorf("count %.40s is not a string", v[1])
			}
			x, err := strconv.ParseUint(str, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("count %.40q is not a count", str)
			}
			out.row(int((sec - from) / step))[col] = uint32(x)
		}
	}
	return out, nil
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
