package watch

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// A milestone or reason with control and format characters is written
// exactly, as \u escapes: the line decodes to the same strings, and the
// file shown by cat or tail -f is not driven or fooled by it.
func TestJSONLWriterEscapesHiddenCharacters(t *testing.T) {
	a := tr(0, "nginx.qps\u200b", ok, crit)
	a.Milestone = "Day\u202e 1\u009b\x7f"
	a.Reason = "execution: \u2066boom\ufeff"
	var b bytes.Buffer
	if err := NewJSONLWriter(&b).Write(a); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\u200b\u202e\u009b\x7f\u2066\ufeff") {
		t.Fatalf("raw character in %q", b.String())
	}
	if !strings.Contains(b.String(), `"milestone":"Day\u202e 1\u009b\u007f"`) {
		t.Errorf("milestone not escaped: %s", b.String())
	}
	var back struct{ Indicator, Milestone, Reason string }
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Indicator != a.Indicator || back.Milestone != a.Milestone || back.Reason != a.Reason {
		t.Errorf("decoded %+v, want %q %q %q", back, a.Indicator, a.Milestone, a.Reason)
	}
}
