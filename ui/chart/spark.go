package chart

import (
	"math"
	"strings"

	"warroom/sources"
)

var (
	sparkRamp      = []rune("▁▂▃▄▅▆▇█")
	sparkRampASCII = []rune("_.-=+*#@")
)

// Sparkline squeezes a whole series into width cells, one bar per cell.
// Each cell shows the largest value of the points that fall into it, so a
// one-second spike in a 24 h window still shows; cells with only NaN stay
// blank. Fewer points than cells are right-aligned (newest at the right
// edge, where the eye expects "now").
func Sparkline(pts []sources.Point, width int, ascii bool) string {
	if width <= 0 {
		return ""
	}
	ramp := sparkRamp
	if ascii {
		ramp = sparkRampASCII
	}
	n := len(pts)
	cells := make([]float64, width)
	for i := range cells {
		cells[i] = math.NaN()
	}
	offset := 0
	if n < width {
		offset = width - n
	}
	for i, pt := range pts {
		if math.IsNaN(pt.V) || math.IsInf(pt.V, 0) {
			continue
		}
		c := offset + i
		if n > width {
			c = i * width / n
		}
		if math.IsNaN(cells[c]) || pt.V > cells[c] {
			cells[c] = pt.V
		}
	}
	lo, hi := 0.0, math.Inf(-1)
	for _, v := range cells {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	var b strings.Builder
	for _, v := range cells {
		switch {
		case math.IsNaN(v):
			b.WriteByte(' ')
		case hi <= lo:
			b.WriteRune(ramp[0])
		default:
			i := int(math.Round((v - lo) / (hi - lo) * float64(len(ramp)-1)))
			b.WriteRune(ramp[clamp(i, 0, len(ramp)-1)])
		}
	}
	return b.String()
}
