package prom

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// hostile is what a proxy or an exporter might put in its text: a C1 CSI,
// DEL, a bidi override, a zero-width space and a BOM.
const hostile = "a\u009b2Jb\x7fc\u202ed\u200be\ufeff"

// hostileShown is hostile as the one policy shows it: nothing dropped.
const hostileShown = `a\x9b2Jb\x7fc\u202ed\u200be\ufeff`

// TestServerTextShownByThePolicy: an error message, a warning, label values
// and a legend reach the Result escaped, not dropped.
func TestServerTextShownByThePolicy(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(map[string]string{"status": "error", "errorType": "execution", "error": hostile})
	}))
	defer failing.Close()
	labelled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeData(w, "vector", []map[string]any{{
			"metric": map[string]string{"pod": hostile},
			"value":  [2]any{float64(now.Unix()), "1"},
		}}, []string{hostile})
	}))
	defer labelled.Close()
	urls := map[string]string{"failing": failing.URL, "labelled": labelled.URL}
	q := mustNew(t, testConfig(urls,
		QueryConfig{Name: "failing", Server: "failing"},
		QueryConfig{Name: "legend", Server: "labelled", Legend: "pod\u200d {{pod}}"},
		QueryConfig{Name: "plain", Server: "labelled"},
	), Options{Now: newClock(now).Now})
	snap, _ := q.EvaluateAll(context.Background())

	if r := get(t, snap, "failing"); !strings.Contains(r.Err, "execution: "+hostileShown) {
		t.Errorf("error %q, want it to contain %q", r.Err, hostileShown)
	}
	lg := get(t, snap, "legend")
	if len(lg.Series) != 1 || lg.Series[0].Name != `pod\u200d `+hostileShown {
		t.Errorf("legend series %+v", lg.Series)
	}
	if len(lg.Warnings) != 1 || lg.Warnings[0] != hostileShown {
		t.Errorf("warnings %q", lg.Warnings)
	}
	plain := get(t, snap, "plain")
	if len(plain.Series) != 1 || plain.Series[0].Labels["pod"] != hostileShown {
		t.Errorf("labels %+v", plain.Series)
	}
	for _, s := range append(plain.Series, lg.Series...) {
		if strings.ContainsAny(s.Name, "\u009b\x7f\u202e\u200b\ufeff\u200d") {
			t.Errorf("raw character in series name %q", s.Name)
		}
	}
}

func TestSanitizeBoundsAtACharacter(t *testing.T) {
	long := strings.Repeat("x", maxMessage-1) + "微信" + strings.Repeat("y", 50)
	got := sanitize(long)
	if want := strings.Repeat("x", maxMessage-1) + "…"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !utf8.ValidString(got) {
		t.Errorf("invalid UTF-8: %q", got)
	}
}
