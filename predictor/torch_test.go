package predictor

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
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

// Pickles of {'model': {'w': tensor}} written by Python's pickle (protocol
// 2) with torch's persistent ids, for a tensor of the given storage size,
// shape and stride.
const (
	// storage of 1 float, tensor of 2^26 elements (J\x00\x00\x00\x04) with stride 0
	torchBroadcastPickle = "\x80\x02}q\x00X\x05\x00\x00\x00modelq\x01ccollections\nOrderedDict\nq\x02)Rq\x03X\x01\x00\x00\x00wq\x04ctorch._utils\n_rebuild_tensor_v2\nq\x05((X\x07\x00\x00\x00storageq\x06ctorch\nFloatStorage\nq\x07X\x01\x00\x00\x000q\x08X\x03\x00\x00\x00cpuq\tK\x01tq\nQK\x00J\x00\x00\x00\x04\x85q\x0bK\x00\x85q\x0c\x89h\x02)Rq\rtq\x0eRq\x0fss."
	// storage claiming 2^40 floats, tensor of 4
	torchHugeStoragePickle = "\x80\x02}q\x00X\x05\x00\x00\x00modelq\x01ccollections\nOrderedDict\nq\x02)Rq\x03X\x01\x00\x00\x00wq\x04ctorch._utils\n_rebuild_tensor_v2\nq\x05((X\x07\x00\x00\x00storageq\x06ctorch\nFloatStorage\nq\x07X\x01\x00\x00\x000q\x08X\x03\x00\x00\x00cpuq\t\x8a\x06\x00\x00\x00\x00\x00\x01tq\nQK\x00K\x04\x85q\x0bK\x01\x85q\x0c\x89h\x02)Rq\rtq\x0eRq\x0fss."
	// storage of 4 floats, a 2x2 tensor over it
	torchSmallPickle = "\x80\x02}q\x00X\x05\x00\x00\x00modelq\x01ccollections\nOrderedDict\nq\x02)Rq\x03X\x01\x00\x00\x00wq\x04ctorch._utils\n_rebuild_tensor_v2\nq\x05((X\x07\x00\x00\x00storageq\x06ctorch\nFloatStorage\nq\x07X\x01\x00\x00\x000q\x08X\x03\x00\x00\x00cpuq\tK\x04tq\nQK\x00K\x02K\x02\x86q\x0bK\x02K\x01\x86q\x0c\x89h\x02)Rq\rtq\x0eRq\x0fss."
)

// TestTorchBudgets: a small file must not make the loader allocate what
// its pickle claims.
func TestTorchBudgets(t *testing.T) {
	for _, tc := range []struct {
		name, pkl string
		storage   []byte
		want      string
	}{
		{"oversized tensor", torchBroadcastPickle, make([]byte, 4), "elements"},
		// The same with 2^20 elements: within the size budget, but more
		// elements than the storage holds.
		{"stride-0 broadcast", strings.Replace(torchBroadcastPickle, "J\x00\x00\x00\x04", "J\x00\x00\x10\x00", 1), make([]byte, 4), "elements in storage"},
		{"huge storage", torchHugeStoragePickle, make([]byte, 16), "exceeds the budget"},
		// A storage file far longer than the pickle says (it deflates to
		// a few kB): a zip bomb.
		{"storage longer than declared", torchSmallPickle, make([]byte, 32<<20), "the pickle says 4 elements"},
		{"storage shorter than declared", torchSmallPickle, make([]byte, 8), "the pickle says 4 elements"},
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
	_, err := ReadHELPTorchCheckpoint(torchZip(t, torchSmallPickle, make([]byte, 16)))
	if err == nil || strings.Contains(err.Error(), "budget") || strings.Contains(err.Error(), "pickle says") {
		t.Errorf("small valid tensor: %v, want an error about the missing HELP tensors", err)
	}
}

// torchAllocBudget bounds what ReadHELPTorchCheckpoint may allocate for a
// file with pkl bytes of pickle and storage bytes of storages: the pickle
// machine's values (linear in the pickle), the storages read and widened
// to float64, and the tensors gathered from them and copied into the
// model, which maxTorchElements bounds however small the file.
func torchAllocBudget(pkl, storage int) uint64 {
	return 1<<20 + 256*uint64(pkl) + 8*uint64(storage) + 4*8*maxTorchElements
}

// FuzzReadHELPTorchCheckpoint runs the .pt loader on zips holding a fuzzed
// data.pkl and two storages ("0" and "1") of fuzzed sizes filled with one
// fuzzed float32: tensor shapes, strides, offsets and storage sizes that
// disagree must be refused with ErrTorch (or a checkpoint error), never
// panic, and never allocate beyond torchAllocBudget. Storages are at most
// 4 kB and stored, not deflated, so an exec stays cheap: with storages up
// to 1 MB, execs took milliseconds and minimising each new input stalled
// the run for tens of seconds. Large declared sizes come from the pickle;
// the zip bomb is TestTorchBudgets'. Even so, minimising one input still
// pauses a 60 s run for about 30 s (411k execs); -fuzzminimizetime 5s
// gives the fuzzer that time back.
func FuzzReadHELPTorchCheckpoint(f *testing.F) {
	f.Add([]byte(torchSmallPickle), uint32(16), uint32(0), math.Float32bits(1))
	f.Add([]byte(torchSmallPickle), uint32(8), uint32(16), math.Float32bits(float32(math.NaN())))
	f.Add([]byte(torchBroadcastPickle), uint32(4), uint32(4), uint32(0))
	f.Add([]byte(torchHugeStoragePickle), uint32(16), uint32(0), uint32(0))
	f.Add([]byte(strings.Replace(torchSmallPickle, "X\x01\x00\x00\x000q\x08", "X\x01\x00\x00\x001q\x08", 1)), uint32(0), uint32(16), uint32(0))
	f.Fuzz(func(t *testing.T, pkl []byte, n0, n1, fill uint32) {
		const maxStorage = 4 << 10
		n0, n1 = n0%(maxStorage+1), n1%(maxStorage+1)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		add := func(name string, b []byte) {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(b)
		}
		add("archive/data.pkl", pkl)
		for key, n := range []uint32{n0, n1} {
			b := make([]byte, n)
			for i := 0; i+4 <= len(b); i += 4 {
				binary.LittleEndian.PutUint32(b[i:], fill)
			}
			add("archive/data/"+strconv.Itoa(key), b)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := ReadHELPTorchCheckpoint(buf.Bytes())
		runtime.ReadMemStats(&after)
		if alloc, budget := after.TotalAlloc-before.TotalAlloc, torchAllocBudget(len(pkl), int(n0+n1)); alloc > budget {
			t.Fatalf("allocated %d bytes for a %d-byte pickle and %d bytes of storage (budget %d): %v", alloc, len(pkl), n0+n1, budget, err)
		}
		if err != nil {
			return
		}
		// Whatever loads is a model our own format keeps.
		var saved bytes.Buffer
		if err := m.Save(&saved); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(&saved); err != nil {
			t.Fatalf("saved .pt model does not load: %v", err)
		}
	})
}

// TestTorchErrorsClipValues: errors quote pickled values clipped, so a
// megabyte string among a tensor's arguments or in a global's name gives a
// short error (they used to print all the arguments).
func TestTorchErrorsClipValues(t *testing.T) {
	huge := strings.Repeat("a", 1<<20)
	str := func(s string) string {
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(s)))
		return "X" + string(n[:]) + s
	}
	for _, tc := range []struct{ name, pkl, want string }{
		{"tensor arguments", "\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(" + str(huge) + "K\x00K\x00K\x00tR.", "_rebuild_tensor_v2[aaaa"},
		{"global", "\x80\x02cos\n" + huge + "\n)R.", "refusing to call os.aaaa"},
		{"storage", "\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((" + str("storage") + "ctorch\nFloatStorage\n" + str(huge+".") + str("cpu") + "K\x04tQK\x00))tR.", "storage key"},
	} {
		_, err := unpickle([]byte(tc.pkl))
		if err == nil || !strings.Contains(err.Error(), tc.want) || len(err.Error()) > 400 {
			t.Errorf("%s: error of %d bytes, want a short one containing %q: %.300v", tc.name, len(fmt.Sprint(err)), tc.want, err)
		}
	}
}
