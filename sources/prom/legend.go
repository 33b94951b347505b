package prom

import (
	"errors"
	"strings"

	"github.com/prometheus/common/model"
)

// legend is a parsed Grafana-style legend template: literal text with
// {{label}} holes. A missing label renders as empty text, as in Grafana.
type legend []legendPart

type legendPart struct {
	text  string // literal, when label is empty
	label string
}

func parseLegend(s string) (legend, error) {
	var out legend
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			if strings.Contains(s, "}}") {
				return nil, errors.New(`"}}" without "{{"`)
			}
			out = append(out, legendPart{text: s})
			break
		}
		if i > 0 {
			if strings.Contains(s[:i], "}}") {
				return nil, errors.New(`"}}" without "{{"`)
			}
			out = append(out, legendPart{text: s[:i]})
		}
		s = s[i+2:]
		j := strings.Index(s, "}}")
		if j < 0 {
			return nil, errors.New(`"{{" without "}}"`)
		}
		name := strings.TrimSpace(s[:j])
		if name == "" || strings.ContainsAny(name, " \t{}") {
			return nil, errors.New("{{" + s[:j] + "}} is not a label name")
		}
		out = append(out, legendPart{label: name})
		s = s[j+2:]
	}
	return out, nil
}

// render names a series: the template when there is one, else the metric
// in PromQL notation ({} for a series without labels). Label values come
// from exporters and the template from the config: the name is shown by
// the one policy for untrusted text (sanitize).
func (l legend) render(m model.Metric) string {
	if len(l) == 0 {
		return sanitize(m.String())
	}
	var b strings.Builder
	for _, p := range l {
		if p.label == "" {
			b.WriteString(p.text)
			continue
		}
		b.WriteString(string(m[model.LabelName(p.label)]))
	}
	return sanitize(b.String())
}
