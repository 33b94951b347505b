package vlogs

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

var testCols = map[string]int{"total": 0, "s499": 1}

func TestParseMatrix(t *testing.T) {
	ok := `{"status":"success","data":{"resultType":"matrix","result":[
		{"metric":{"__name__":"total"},"values":[[100,"5"],[102,"7"]]},
		{"metric":{"__name__":"s499"},"values":[[102,"1"]]},
		{"metric":{"__name__":"other"},"values":[[101,"9"]]}]}}`
	c, err := parseMatrix([]byte(ok), testCols, 2, 100, 103, 1)
	if err != nil {
		t.Fatal(err)
	}
	// the bucket left out (101) is zero; an unknown series is ignored
	want := [][]uint32{{5, 0}, {0, 0}, {7, 1}}
	for i, w := range want {
		if r := c.row(i); r[0] != w[0] || r[1] != w[1] {
			t.Errorf("row %d = %v, want %v", i, r, w)
		}
	}
	if c, err := parseMatrix([]byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`), testCols, 2, 100, 110, 5); err != nil || c.n != 2 {
		t.Errorf("empty result: %v, %+v", err, c)
	}
}

func TestParseMatrixBad(t *testing.T) {
	for body, want := range map[string]string{
		"":                               "empty answer",
		"  \n":                           "empty answer",
		"<html><title>Login</title>":     "not VictoriaLogs JSON (an HTML page?)",
		`{"status":"success","data":{`:   "truncated JSON answer",
		`[1,2]`:                          "not VictoriaLogs JSON",
		`{"status":"error","error":"x"}`: "server error: x",
		`{"status":"weird"}`:             `unexpected status "weird"`,
		`{"status":"success"}`:           `no "data" in the answer`,
		`{"status":"success","data":{"resultType":"vector","result":[]}}`:                                                       "result type \"vector\", want matrix",
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"total"},"values":[[99,"1"]]}]}}`:    "bucket at 99 is outside the range asked [100, 103)",
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"total"},"values":[[100.5,"1"]]}]}}`: "is not a whole second",
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"total"},"values":[[100,"-1"]]}]}}`:  `count "-1" is not a count`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"total"},"values":[[100,"NaN"]]}]}}`: `count "NaN" is not a count`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"total"},"values":[[100,7]]}]}}`:     "count 7 is not a string",
	} {
		_, err := parseMatrix([]byte(body), testCols, 2, 100, 103, 1)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.60q: %v, want %q", body, err, want)
		}
	}
}

func TestParseRows(t *testing.T) {
	rows, err := parseRows([]byte("{\"n\":\"3\",\"path\":\"/a\"}\n\n{\"n\":4,\"x\":null,\"y\":[1]}\n"))
	if err != nil || len(rows) != 2 || rows[0]["path"] != "/a" || rows[1]["n"] != "4" || rows[1]["x"] != "" || rows[1]["y"] != "[1]" {
		t.Fatalf("%v %v", rows, err)
	}
	if rows, err := parseRows(nil); err != nil || len(rows) != 0 {
		t.Errorf("no rows: %v %v", rows, err)
	}
	for body, want := range map[string]string{
		"<!DOCTYPE html>":  "an HTML page",
		"{\"n\":\"3\"}\n{": "truncated JSON answer",
		"[1]":              "not VictoriaLogs JSON",
	} {
		if _, err := parseRows([]byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
	if _, err := uintOf(map[string]string{"n": "1e3"}, "n"); err == nil {
		t.Error("1e3 read as a count")
	}
}

func TestReasonOf(t *testing.T) {
	for body, want := range map[string]string{
		`{"status":"error","errorType":"422","error":"cannot parse ` + "`query`" + ` arg [(x) | stats]: unknown pipe \"stats\""}`: `unknown pipe "stats"`,
		"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>":                                              "502 Bad Gateway",
		"<p>no\n  title</p>": "no title",
		"":                   "empty answer",
		"plain\ttext":        "plain text",
	} {
		if got := reasonOf([]byte(body)); got != want {
			t.Errorf("%q: %q, want %q", body, got, want)
		}
	}
}

func FuzzParseMatrix(f *testing.F) {
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"total"},"values":[[100,"5"]]}]}}`))
	f.Add([]byte(`{"status":"error","error":"x"}`))
	f.Add([]byte(`<html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseMatrix(body, testCols, 2, 100, 110, 2)
		if err == nil && (c.n != 5 || len(c.c) != 10) {
			t.Fatalf("shape %+v", c)
		}
	})
}

func FuzzParseRows(f *testing.F) {
	f.Add([]byte("{\"n\":\"3\"}\n{\"n\":4}"))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, body []byte) {
		rows, err := parseRows(body)
		if err != nil && rows != nil {
			t.Fatal("rows with an error")
		}
	})
}

// The ring holds a second only once set, keeps running totals over what
// it holds, and forgets a second whose slot is reused.
func TestRing(t *testing.T) {
	r := newRing(4, 2)
	r.set(10, []uint32{3, 1})
	r.set(11, nil)
	r.set(12, []uint32{2, 0})
	if _, ok := r.get(13); ok {
		t.Error("13 held before it was set")
	}
	out := make([]uint64, 2)
	if held := r.sum(9, 14, 0, out); held != 3 || out[0] != 5 || out[1] != 1 {
		t.Errorf("sum = %d %v", held, out)
	}
	one := make([]uint64, 1)
	if held := r.sum(9, 14, 1, one); held != 3 || one[0] != 1 {
		t.Errorf("sum of column 1 = %d %v", held, one)
	}
	r.set(10, []uint32{4, 0}) // asked again: late lines
	r.set(14, []uint32{1, 1}) // reuses 10's slot
	if _, ok := r.get(10); ok || r.total[0] != 3 || r.total[1] != 1 || r.last[1] != 14 || r.newest != 14 {
		t.Errorf("after reuse: total %v last %v newest %d", r.total, r.last, r.newest)
	}
}

// The quick reader of values agrees with encoding/json wherever it
// accepts them, and leaves the rest to the careful one.
func FuzzScanPairs(f *testing.F) {
	for _, s := range []string{`[[100,"5"],[102,"7"]]`, `[]`, ` [ [ 100 , "5" ] ]`, `[[100,"4294967296"]]`, `[[100.5,"1"]]`,
		`[[100,"-1"]]`, `[[100,7]]`, `[[100,"5"]`, `[[100,"5"]] x`, `[[100,"5",1]]`, `[[1e2,"5"]]`, `[["100","5"]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		type pair struct {
			sec int64
			n   uint32
		}
		var fast []pair
		if !scanPairs(b, func(sec int64, n uint32) error { fast = append(fast, pair{sec, n}); return nil }) {
			return
		}
		var vals [][2]json.RawMessage
		if err := json.Unmarshal(b, &vals); err != nil {
			t.Fatalf("%q read quickly, but not JSON: %v", b, err)
		}
		if len(vals) != len(fast) {
			t.Fatalf("%q: %d pairs, encoding/json %d", b, len(fast), len(vals))
		}
		for i, v := range vals {
			var str string
			sec, err1 := strconv.ParseInt(string(v[0]), 10, 64)
			err2 := json.Unmarshal(v[1], &str)
			n, err3 := strconv.ParseUint(str, 10, 32)
			if err1 != nil || err2 != nil || err3 != nil || sec != fast[i].sec || uint32(n) != fast[i].n {
				t.Fatalf("%q pair %d: %+v, encoding/json %s %s", b, i, fast[i], v[0], v[1])
			}
		}
	})
}

func TestParseMatrixSpacesAndLimits(t *testing.T) {
	body := "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[\n {\"metric\":{\"__name__\":\"total\"},\"values\":[ [100, \"4294967295\"] ,\n[101,\"0\"]]}]}}"
	c, err := parseMatrix([]byte(body), testCols, 2, 100, 102, 1)
	if err != nil || c.row(0)[0] != 4294967295 || c.row(1)[0] != 0 {
		t.Fatalf("%v %+v", err, c)
	}
	body = `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"total"},"values":[[100,"4294967296"]]}]}}`
	if _, err := parseMatrix([]byte(body), testCols, 2, 100, 102, 1); err == nil || !strings.Contains(err.Error(), `count "4294967296" is not a count`) {
		t.Errorf("a count over 32 bits: %v", err)
	}
}

// The quick reader of rows agrees with encoding/json wherever it accepts
// one.
func FuzzScanStrings(f *testing.F) {
	for _, s := range []string{`{"n":"16","remote_addr":"10.1.233.201"}`, `{}`, ` { "a" : "b" } `, `{"a":"b\"c"}`, `{"a":1}`,
		`{"a":"b",}`, `{"a":"b"} x`, `{"a":"b","a":"c"}`, "{\"a\":\"\xff\"}", `{"a":"\u00e9"}`, `{"a":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		row, ok := scanStrings(b)
		if !ok {
			return
		}
		var want map[string]string
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%q read quickly, but not JSON: %v", b, err)
		}
		if len(want) != len(row) {
			t.Fatalf("%q: %v, encoding/json %v", b, row, want)
		}
		for k, v := range want {
			if row[k] != v {
				t.Fatalf("%q: %v, encoding/json %v", b, row, want)
			}
		}
	})
}
