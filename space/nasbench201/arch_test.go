package nasbench201

import (
	"errors"
	"testing"
)

func TestParseRoundTrip(t *testing.T) {
	for _, a := range Enumerate() {
		s := a.String()
		b, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if b != a {
			t.Fatalf("Parse(%q) = %v, want %v", s, b, a)
		}
		if FromIndex(a.Index()) != a {
			t.Fatalf("FromIndex(Index(%v)) differs", a)
		}
	}
}

func TestParseKnown(t *testing.T) {
	s := "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
	want := Arch{Conv3x3, Conv3x3, AvgPool3x3, SkipConnect, Conv3x3, SkipConnect}
	got, err := Parse(s)
	if err != nil || got != want {
		t.Fatalf("Parse = %v, %v; want %v", got, err, want)
	}
	if got.String() != s {
		t.Fatalf("String = %q, want %q", got.String(), s)
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		"",
		"|none~0|",
		"|none~0|+|none~0|none~1|+|none~0|none~1|",
		"|none~0|+|none~0|none~1|+|none~0|none~1|none~3|",
		"|none~0|+|none~0|none~1|+|none~0|none~1|conv~2|",
		"|none~0|+|none~0|none~1|+|none~0|none~1|none2|",
		"none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
		"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|+|none~0|",
	} {
		if _, err := Parse(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) error = %v, want ErrSyntax", s, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
	f.Add("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		b, err := Parse(a.String())
		if err != nil || b != a {
			t.Fatalf("round trip of %q: %v, %v", s, b, err)
		}
	})
}
