// Package clip shortens values quoted in error messages, so that an
// oversized field of a file (a 10 MB CSV cell, a 3 MB architecture string)
// gives a one-line error rather than echoing the whole value.
package clip

import (
	"fmt"
	"unicode/utf8"
)

// Max is the number of bytes of a value an error message shows: every
// real architecture string fits whole (FBNet's longest has 169 bytes,
// NAS-Bench-201's 95), a 10 MB field gives a line of about 230 bytes.
const Max = 200

// String returns s if it is at most Max bytes long, else its first Max
// bytes (cut at a rune boundary) followed by "..." and the full length.
func String(s string) string {
	if len(s) <= Max {
		return s
	}
	n := Max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:n], len(s))
}

// Quote is String with the value in Go quotes: %q of the kept part, so
// that the marker stays outside the quotes.
func Quote(s string) string {
	if len(s) <= Max {
		return fmt.Sprintf("%q", s)
	}
	n := Max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:n], len(s))
}
