package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
)

// Issue 12 item 15: an unknown flag is reported once, with a hint and
// without the whole usage; CMD -h is help, not an error.
func TestFlagErrorsOnce(t *testing.T) {
	for _, cmd := range []string{"predict", "profile", "eval", "train", "bench"} {
		var out, errOut bytes.Buffer
		err := run([]string{cmd, "-bogus"}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "-bogus") || !strings.Contains(err.Error(), "helpwasm "+cmd+" -h") {
			t.Errorf("%s -bogus: error %v, want it named with a hint to -h", cmd, err)
		}
		if errOut.Len() != 0 {
			t.Errorf("%s -bogus printed %q besides the error", cmd, errOut.String())
		}
		errOut.Reset()
		err = run([]string{cmd, "-h"}, &out, &errOut)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), cmd) || !strings.Contains(errOut.String(), "-data") {
			t.Errorf("%s -h: error %v, output %q; want the flags and flag.ErrHelp (exit 0)", cmd, err, errOut.String())
		}
	}
}
