package predictor

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// torchZip packs a pickle and one storage file ("0") as torch.save does.
func torchZip(t *testing.T, pkl string, storage []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range map[string][]byte{"archive/data.pkl": []byte(pkl), "archive/data/0": storage} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestTorchBudgets: a small file must not make the loader allocate what
// its pickle claims. The pickles are {'model': {'w': tensor}} written by
// Python's pickle (protocol 2) with torch's persistent ids, for a tensor
// of the given storage size, shape and stride.
func TestTorchBudgets(t *testing.T) {
	const (
		// storage of 1 float, tensor of 2^26 elements (J\x00\x00\x00\x04) with stride 0
		broadcast = "\x80\x02}q\x00X\x05\x00\x00\x00modelq\x01ccollections\nOrderedDict\nq\x02)Rq\x03X\x01\x00\x00\x00wq\x04ctorch._utils\n_rebuild_tensor_v2\nq\x05((X\x07\x00\x00\x00storageq\x06ctorch\nFloatStorage\nq\x07X\x01\x00\x00\x000q\x08X\x03\x00\x00\x00cpuq\tK\x01tq\nQK\x00J\x00\x00\x00\x04\x85q\x0bK\x00\x85q\x0c\x89h\x02)Rq\rtq\x0eRq\x0fss."
		// storage claiming 2^40 floats, tensor of 4
		hugeStorage = "\x80\x02}q\x00X\x05\x00\x00\x00modelq\x01ccollections\nOrderedDict\nq\x02)Rq\x03X\x01\x00\x00\x00wq\x04ctorch._utils\n_rebuild_tensor_v2\nq\x05((X\x07\x00\x00\x00storageq\x06ctorch\nFloatStorage\nq\x07X\x01\x00\x00\x000q\x08X\x03\x00\x00\x00cpuq\t\x8a\x06\x00\x00\x00\x00\x00\x01tq\nQK\x00K\x04\x85q\x0bK\x01\x85q\x0c\x89h\x02)Rq\rtq\x0eRq\x0fss."
		// storage of 4 floats, a 2x2 tensor over it
		small = "\x80\x02}q\x00X\x05\x00\x00\x00modelq\x01ccollections\nOrderedDict\nq\x02)Rq\x03X\x01\x00\x00\x00wq\x04ctorch._utils\n_rebuild_tensor_v2\nq\x05((X\x07\x00\x00\x00storageq\x06ctorch\nFloatStorage\nq\x07X\x01\x00\x00\x000q\x08X\x03\x00\x00\x00cpuq\tK\x04tq\nQK\x00K\x02K\x02\x86q\x0bK\x02K\x01\x86q\x0c\x89h\x02)Rq\rtq\x0eRq\x0fss."
	)
	for _, tc := range []struct {
		name, pkl string
		storage   []byte
		want      string
	}{
		{"oversized tensor", broadcast, make([]byte, 4), "elements"},
		// The same with 2^20 elements: within the size budget, but more
		// elements than the storage holds.
		{"stride-0 broadcast", strings.Replace(broadcast, "J\x00\x00\x00\x04", "J\x00\x00\x10\x00", 1), make([]byte, 4), "elements in storage"},
		{"huge storage", hugeStorage, make([]byte, 16), "exceeds the budget"},
		// A storage file far longer than the pickle says (it deflates to
		// a few kB): a zip bomb.
		{"storage longer than declared", small, make([]byte, 32<<20), "the pickle says 4 elements"},
		{"storage shorter than declared", small, make([]byte, 8), "the pickle says 4 elements"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := torchZip(t, tc.pkl, tc.storage)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ReadHELPTorchCheckpoint(b)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTorch) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrTorch saying %q", err, tc.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*maxTorchStorageBytes/2 {
				t.Errorf("allocated %d MB for a %d kB file", alloc>>20, len(b)>>10)
			}
		})
	}
	// The well-formed small tensor passes the budgets; the file is still
	// no HELP checkpoint.
	_, err := ReadHELPTorchCheckpoint(torchZip(t, small, make([]byte, 16)))
	if err == nil || strings.Contains(err.Error(), "budget") || strings.Contains(err.Error(), "pickle says") {
		t.Errorf("small valid tensor: %v, want an error about the missing HELP tensors", err)
	}
}
