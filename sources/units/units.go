// Package units formats indicator values for a person glancing at a
// terminal: short, fixed-ish width, with the unit a reader expects
// (1.2k/s, 12‱, 250ms, 23M). Stat panes, chart axes and the timeline all
// format through here so one number always reads the same everywhere.
package units

import (
	"math"
	"strconv"
	"strings"

	"warroom/sources"
)

// Format renders v with its unit suffix, e.g. "1.23k/s", "12.5‱", "250ms".
// NaN and ±Inf become "—" so a gap never looks like a zero.
func Format(v float64, u sources.Unit) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	switch u {
	case sources.UnitPerSecond:
		return si(v, 3) + "/s"
	case sources.UnitRatio:
		return decimal(v*10000, 3) + "‱"
	case sources.UnitBasisPt:
		return decimal(v, 3) + "‱"
	case sources.UnitPercent:
		return decimal(v, 3) + "%"
	case sources.UnitSeconds:
		return duration(v)
	case sources.UnitBytes:
		return bytes(v)
	case sources.UnitCount, "":
		return si(v, 3)
	}
	// An unknown unit comes from config: show it, but never raw.
	return si(v, 3) + " " + sources.Sanitize(string(u))
}

// Axis renders v for a y-axis label: the same scale as Format but with
// fewer digits and no "/s" (the legend says it), so labels stay ≤ 6 cells.
func Axis(v float64, u sources.Unit) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	switch u {
	case sources.UnitRatio:
		return decimal(v*10000, 2) + "‱"
	case sources.UnitBasisPt:
		return decimal(v, 2) + "‱"
	case sources.UnitPercent:
		return decimal(v, 2) + "%"
	case sources.UnitSeconds:
		return duration(v)
	case sources.UnitBytes:
		return bytes(v)
	}
	return si(v, 2)
}

// si abbreviates with k/M/G/T, keeping about sig significant digits.
func si(v float64, sig int) string {
	neg := v < 0
	a := math.Abs(v)
	suffix := ""
	for _, s := range []string{"k", "M", "G", "T"} {
		if a < 999.5 {
			break
		}
		a /= 1000
		suffix = s
	}
	out := decimal(a, sig) + suffix
	if neg {
		return "-" + out
	}
	return out
}

// decimal prints a with up to sig significant digits but never more
// decimals than needed: 1234 → "1234", 12.34 → "12.3", 0.05 → "0.05".
func decimal(a float64, sig int) string {
	neg := a < 0
	a = math.Abs(a)
	var s string
	switch {
	case a == 0:
		s = "0"
	case a >= math.Pow(10, float64(sig-1)):
		s = strconv.FormatFloat(math.Round(a), 'f', 0, 64)
	default:
		digits := sig - 1 - int(math.Floor(math.Log10(a)))
		if digits > 4 {
			digits = 4
		}
		s = strconv.FormatFloat(a, 'f', digits, 64)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
	}
	if neg && s != "0" {
		return "-" + s
	}
	return s
}

func duration(sec float64) string {
	a := math.Abs(sec)
	sign := ""
	if sec < 0 {
		sign = "-"
	}
	switch {
	case a == 0:
		return "0s"
	case a < 0.001:
		return sign + decimal(a*1e6, 3) + "µs"
	case a < 1:
		return sign + decimal(a*1000, 3) + "ms"
	case a < 60:
		return sign + decimal(a, 3) + "s"
	case a < 3600:
		return sign + decimal(a/60, 2) + "m"
	}
	return sign + decimal(a/3600, 2) + "h"
}

func bytes(v float64) string {
	a := math.Abs(v)
	sign := ""
	if v < 0 {
		sign = "-"
	}
	suffix := "B"
	for _, s := range []string{"K", "M", "G", "T"} {
		if a < 1023.5 {
			break
		}
		a /= 1024
		suffix = s
	}
	return sign + decimal(a, 3) + suffix
}
