package watch

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"warroom/sources"
	"warroom/sources/units"
)

// Record is a transition as a JSON line says it (`warroom watch`, the
// timeline file) and as the generic webhook lists it: at in the event's
// zone as RFC 3339 with milliseconds and the offset; value and threshold
// raw (null when there is none: JSON has no NaN) with their unit, and as
// the screen writes them (value_text, threshold_text: "23‱", "7.8/s").
type Record struct {
	At            string        `json:"at"`
	Indicator     string        `json:"indicator"`
	From          sources.State `json:"from"`
	To            sources.State `json:"to"`
	Value         *float64      `json:"value"`
	Threshold     *float64      `json:"threshold"`
	Unit          sources.Unit  `json:"unit"`
	ValueText     string        `json:"value_text"`
	ThresholdText string        `json:"threshold_text"`
	Phase         sources.Phase `json:"phase"`
	Milestone     string        `json:"milestone"`
	Reason        string        `json:"reason"`
	// DrivenBy, for a change of an access log's indicator into warn or
	// crit, is what drove it as the screen's where line says it:
	// "499 ← /api/yearend/result 71% · 268 IPs · top 10.99.0.5 (288)".
	DrivenBy string `json:"driven_by,omitempty"`
}

// TimeLayout is the records' time: milliseconds and the offset of At,
// which is in the event's zone.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// RecordOf is tr's record. Strings are kept exact: MarshalJSON escapes
// what a terminal showing the line would act on or hide.
func RecordOf(tr sources.Transition) Record {
	r := Record{At: tr.At.Format(TimeLayout), Indicator: tr.Indicator, From: tr.From, To: tr.To,
		Value: finite(tr.Value), Threshold: finite(tr.Threshold), Unit: tr.Unit,
		Phase: tr.Phase, Milestone: tr.Milestone, Reason: tr.Reason}
	if tr.Driver != nil {
		r.DrivenBy = tr.Driver.Line()
	}
	if r.Value != nil {
		r.ValueText = units.Format(tr.Value, tr.Unit)
	}
	if r.Threshold != nil {
		r.ThresholdText = units.Format(tr.Threshold, tr.Unit)
	}
	return r
}

// MarshalJSON writes the record with sources.MarshalJSON: names and
// reasons come from the config, the schedule and the servers.
func (r Record) MarshalJSON() ([]byte, error) {
	type plain Record
	return sources.MarshalJSON(plain(r))
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// JSONL is a sink that writes each transition as a JSON line: onto a
// writer (stdout for `warroom watch`), or appended to a file (the
// timeline file). A tick's lines go in one write. Writing is on the
// tick's goroutine, so the lines keep their order; a file is opened for
// each write, so one that was moved, removed or made writable again is
// written anew, and a failing write shows in Status until one succeeds.
type JSONL struct {
	name string
	w    io.Writer                      // nil for a file
	open func() (io.WriteCloser, error) // the file, for one write
	logf func(string, ...any)
	st   *sources.SinkState
}

// NewJSONL writes onto w; name is the status bar's name for it. logf,
// optional, is told of each failure and of the recovery.
func NewJSONL(name string, w io.Writer, logf func(string, ...any)) *JSONL {
	return &JSONL{name: name, w: w, logf: logf, st: sources.NewSinkState(name, "jsonl")}
}

// OpenJSONL appends to the file at path, created when missing. It is
// opened once now, so a path that cannot be written is an error at
// startup rather than at midnight.
func OpenJSONL(name, path string, logf func(string, ...any)) (*JSONL, error) {
	open := func() (io.WriteCloser, error) {
		return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	}
	f, err := open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &JSONL{name: name, open: open, logf: logf, st: sources.NewSinkState(name, "jsonl")}, nil
}

// Take writes trs, one line each.
func (j *JSONL) Take(trs []sources.Transition) {
	if len(trs) == 0 {
		return
	}
	var b bytes.Buffer
	for _, tr := range trs {
		if err := sources.EncodeJSON(&b, RecordOf(tr), ""); err != nil {
			j.failed(fmt.Errorf("%s: encode transition of %s at %s: %w", j.name, tr.Indicator, tr.At.Format(time.RFC3339), err))
			return
		}
	}
	if err := j.write(b.Bytes()); err != nil {
		j.failed(fmt.Errorf("%s: %w", j.name, err))
		return
	}
	if n := j.st.Delivered(trs[len(trs)-1].At); n > 0 && j.logf != nil {
		j.logf("%s: written again after %d failed writes", j.name, n)
	}
}

func (j *JSONL) write(b []byte) error {
	if j.w != nil {
		_, err := j.w.Write(b)
		return err
	}
	f, err := j.open()
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (j *JSONL) failed(err error) {
	j.st.Failed(sources.HealthError, sources.Brief(err))
	if j.logf != nil {
		j.logf("%v", err)
	}
}

// Status is the writer's one entry.
func (j *JSONL) Status() []sources.SourceStatus { return []sources.SourceStatus{j.st.Status()} }

var _ sources.Sink = (*JSONL)(nil)
