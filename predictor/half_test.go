package predictor

import (
	"math"
	"testing"
)

// TestFloat16 checks every binary16 value round-trips, and that rounding
// picks the nearest representable value (ties to even) for values between.
func TestFloat16(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := float16frombits(uint16(h))
		if math.IsNaN(float64(f)) {
			if g := float16bits(f); g&0x7c00 != 0x7c00 || g&0x3ff == 0 {
				t.Fatalf("NaN %04x -> %04x", h, g)
			}
			continue
		}
		if g := float16bits(f); g != uint16(h) {
			t.Fatalf("%04x -> %v -> %04x", h, f, g)
		}
	}
	// Nearest: compare with a brute-force search over finite halves.
	for _, f := range []float32{1e-3, 3.14159, -2.5e-5, 6e-8, 65504, 65520, 1e-9, 0.1, -0.0007, 2049, 2051} {
		best, bestErr := uint16(0), math.Inf(1)
		for h := 0; h < 1<<16; h++ {
			v := float64(float16frombits(uint16(h)))
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			if e := math.Abs(v - float64(f)); e < bestErr || e == bestErr && h&1 == 0 {
				best, bestErr = uint16(h), e
			}
		}
		got := float16bits(f)
		if f >= 65520 {
			if got != 0x7c00 {
				t.Errorf("%v -> %04x, want +Inf", f, got)
			}
			continue
		}
		if math.Abs(float64(float16frombits(got))-float64(f)) != bestErr {
			t.Errorf("%v -> %04x (%v), nearest is %04x (%v)", f, got, float16frombits(got), best, float16frombits(best))
		}
	}
}
