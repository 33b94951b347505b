package units

import (
	"math"
	"testing"

	"warroom/sources"
)

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		u    sources.Unit
		want string
	}{
		{1234.5, sources.UnitPerSecond, "1.23k/s"},
		{7.2, sources.UnitPerSecond, "7.2/s"},
		{0.0012, sources.UnitRatio, "12‱"},
		{62, sources.UnitBasisPt, "62‱"},
		{99.5, sources.UnitPercent, "99.5%"},
		{0.25, sources.UnitSeconds, "250ms"},
		{90, sources.UnitSeconds, "1.5m"},
		{38 << 20, sources.UnitBytes, "38M"},
		{3, sources.UnitCount, "3"},
		{-1500, sources.UnitCount, "-1.5k"},
		{math.NaN(), sources.UnitCount, "—"},
		{math.Inf(1), sources.UnitPerSecond, "—"},
		{5, sources.Unit("req\x1b[2J"), `5 req\x1b[2J`},
	} {
		if got := Format(c.v, c.u); got != c.want {
			t.Errorf("Format(%v, %q) = %q, want %q", c.v, c.u, got, c.want)
		}
	}
}

func TestAxis(t *testing.T) {
	if got := Axis(2500, sources.UnitPerSecond); got != "2.5k" {
		t.Errorf("Axis = %q", got)
	}
	if got := Axis(math.NaN(), sources.UnitCount); got != "" {
		t.Errorf("Axis(NaN) = %q", got)
	}
}
