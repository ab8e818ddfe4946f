package predictor

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/internal/shareddata"
)

// TestTorchCheckpointMatchesJSON loads the authors' original .pt files and
// requires the same configuration and parameters as their JSON export.
func TestTorchCheckpointMatchesJSON(t *testing.T) {
	data := shareddata.Dir(t)
	for _, space := range []string{"nasbench201", "fbnet"} {
		pt := filepath.Join(data, "help-original", space, "checkpoint", "help_max_corr.pt")
		if _, err := os.Stat(pt); err != nil {
			t.Skipf("no original checkpoint: %v", err)
		}
		fromPT, err := LoadFile(pt)
		if err != nil {
			t.Fatal(err)
		}
		fromJSON, err := LoadHELPCheckpoint(filepath.Join(data, space, "help_reference_checkpoint.json"))
		if err != nil {
			t.Fatal(err)
		}
		if fromPT.Config != fromJSON.Config || fromPT.Meta.Episode != fromJSON.Meta.Episode {
			t.Errorf("%s: .pt config %+v episode %d, JSON %+v episode %d", space, fromPT.Config, fromPT.Meta.Episode, fromJSON.Config, fromJSON.Meta.Episode)
			continue
		}
		approx.Slices(t, space+" parameters from .pt", fromPT.params, fromJSON.params, approx.Float32)
		t.Logf("%s: %d parameters, max difference %.3g", space, len(fromPT.params), approx.MaxRelErr(fromPT.params, fromJSON.params))
	}
}

func TestTorchErrors(t *testing.T) {
	if _, err := ReadHELPTorchCheckpoint([]byte("PK\x03\x04 not a zip")); !errors.Is(err, ErrTorch) {
		t.Errorf("bad zip: %v", err)
	}
	for _, tc := range []struct{ name, pkl string }{
		{"opcode", "\x80\x02\xff"},
		{"truncated", "\x80\x02X\x10\x00\x00\x00ab"},
		{"underflow", "\x80\x02."},
		{"exec", "\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R."},
	} {
		if _, err := unpickle([]byte(tc.pkl)); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func FuzzUnpickle(f *testing.F) {
	f.Add([]byte("\x80\x02}q\x00(X\x03\x00\x00\x00epiq\x01M\xa3\x06u."))
	f.Add([]byte("\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01."))
	f.Add([]byte("\x80\x02(X\x07\x00\x00\x00storageccollections\nFloatStorage\nX\x01\x00\x00\x001X\x03\x00\x00\x00cpuK\x04tQ."))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := unpickle(b)
		if err == nil {
			_ = v
		}
	})
}
