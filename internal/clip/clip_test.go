package clip

import (
	"strings"
	"testing"
)

func TestClip(t *testing.T) {
	if got := Quote("abc"); got != `"abc"` {
		t.Errorf("Quote(abc) = %s", got)
	}
	if got := String("abc"); got != "abc" {
		t.Errorf("String(abc) = %s", got)
	}
	long := strings.Repeat("x", 10<<20)
	for _, got := range []string{Quote(long), String(long)} {
		if len(got) > Max+30 || !strings.Contains(got, "... (10485760 bytes)") {
			t.Errorf("clipped 10 MB to %d bytes: %.120s", len(got), got)
		}
	}
	// A cut inside a multi-byte rune backs off to its start.
	s := strings.Repeat("a", Max-1) + "é" + "tail"
	if got := String(s); !strings.HasPrefix(got, strings.Repeat("a", Max-1)+"...") {
		t.Errorf("String cut a rune: %q", got)
	}
	if got := Quote(strings.Repeat("a", Max)); got != `"`+strings.Repeat("a", Max)+`"` {
		t.Errorf("Quote of exactly Max bytes clipped: %s", got)
	}
}
