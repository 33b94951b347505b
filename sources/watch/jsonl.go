package watch

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"warroom/sources"
	"warroom/sources/schedule"
)

// jsonTransition is the record shape: one object per line with keys at,
// indicator, from, to, value, threshold, phase, milestone, reason. Value
// and threshold are null when there is none (JSON has no NaN).
type jsonTransition struct {
	At        string         `json:"at"`
	Indicator string         `json:"indicator"`
	From      sources.State  `json:"from"`
	To        sources.State  `json:"to"`
	Value     *float64       `json:"value"`
	Threshold *float64       `json:"threshold"`
	Phase     schedule.Phase `json:"phase"`
	Milestone string         `json:"milestone"`
	Reason    string         `json:"reason"`
}

// timeLayout keeps milliseconds and the offset of At as given, so the log
// reads in whatever zone the caller chose (usually the event's).
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// MarshalJSON writes the record shape. Names and reasons come from the
// config, the schedule and the servers: sources.MarshalJSON keeps them
// exact but escapes the characters a terminal showing the line would act
// on or hide.
func (t Transition) MarshalJSON() ([]byte, error) {
	return sources.MarshalJSON(jsonTransition{
		At: t.At.Format(timeLayout), Indicator: t.Indicator, From: t.From, To: t.To,
		Value: finite(t.Value), Threshold: finite(t.Threshold),
		Phase: t.Phase, Milestone: t.Milestone, Reason: t.Reason,
	})
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// JSONLWriter writes transitions as JSON lines to an injected writer
// (a file, stdout for `warroom watch`).
type JSONLWriter struct {
	enc *json.Encoder
}

// NewJSONLWriter returns a writer onto w.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSONLWriter{enc: enc}
}

// Write writes one line per transition.
func (j *JSONLWriter) Write(trs ...Transition) error {
	for _, tr := range trs {
		if err := j.enc.Encode(tr); err != nil {
			return fmt.Errorf("watch: write transition of %s at %s: %w", tr.Indicator, tr.At.Format(time.RFC3339), err)
		}
	}
	return nil
}
