package predictor

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func savedBytes(t testing.TB, m *Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWeightsRoundTrip(t *testing.T) {
	for name, c := range smallConfigs() {
		t.Run(name, func(t *testing.T) {
			m := randomModel(c, 1)
			m.Meta = Metadata{Encoding: "a,b", Command: "helpwasm train -seed 1", Seed: 1, Episode: 7, ValidSpearman: 0.5, Source: "test"}
			b := savedBytes(t, m)
			got, err := Load(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got.Config != m.Config || got.Meta != m.Meta {
				t.Errorf("config/meta changed: %+v %+v", got.Config, got.Meta)
			}
			nm := m.l.nModel
			for i, v := range m.params {
				want := float64(float32(v))
				if m.taskLR != nil && i >= nm && i < 2*nm {
					want = float64(float16frombits(float16bits(float32(v))))
				}
				if got.params[i] != want {
					t.Fatalf("%s = %v, want %v", m.paramName(i), got.params[i], want)
				}
			}
			if again := savedBytes(t, got); !bytes.Equal(again, b) {
				t.Error("save(load(save(m))) differs from save(m)")
			}
		})
	}
}

// TestWeightsSizeHELP checks the full NAS-Bench-201 model stays small
// enough for the page to download.
func TestWeightsSizeHELP(t *testing.T) {
	b := savedBytes(t, New(NASBench201Config(), 1))
	t.Logf("NAS-Bench-201 weights: %d bytes", len(b))
	if len(b) > 1_000_000 {
		t.Errorf("weights file is %d bytes, want < 1 MB", len(b))
	}
}

// rewriteHeader returns b with its JSON header replaced by f(header) and a
// fresh checksum, to build files that are well-formed but wrong.
func rewriteHeader(t *testing.T, b []byte, f func(h *weightsHeader)) []byte {
	t.Helper()
	hlen := int(binary.LittleEndian.Uint32(b[12:]))
	var h weightsHeader
	if err := json.Unmarshal(b[16:16+hlen], &h); err != nil {
		t.Fatal(err)
	}
	f(&h)
	nh, _ := json.Marshal(h)
	out := append([]byte(nil), b[:12]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(nh)))
	out = append(out, nh...)
	out = append(out, b[16+hlen:len(b)-4]...)
	return binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
}

func TestWeightsErrors(t *testing.T) {
	m := randomModel(smallConfigs()["gcn"], 1)
	good := savedBytes(t, m)
	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)/2] ^= 1
	nan := append([]byte(nil), good...)
	hlen := int(binary.LittleEndian.Uint32(good[12:]))
	binary.LittleEndian.PutUint32(nan[16+hlen:], math.Float32bits(float32(math.NaN())))
	binary.LittleEndian.PutUint32(nan[len(nan)-4:], crc32.ChecksumIEEE(nan[:len(nan)-4]))
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "does not start with"},
		{"magic", []byte("NOTHELPW...."), "does not start with"},
		{"truncated", good[:len(good)-100], "checksum"},
		{"corrupt", corrupt, "checksum"},
		{"version", func() []byte {
			b := append([]byte(nil), good...)
			binary.LittleEndian.PutUint32(b[8:], 9)
			return b
		}(), "version 9"},
		{"shape", rewriteHeader(t, good, func(h *weightsHeader) { h.Tensors[2].Shape = []int{3, 3} }), "meta_learner.gc2.weight has shape [3 3]"},
		{"missing", rewriteHeader(t, good, func(h *weightsHeader) { h.Tensors = h.Tensors[:len(h.Tensors)-1] }), "is missing"},
		{"unknown", rewriteHeader(t, good, func(h *weightsHeader) { h.Tensors[0].Name = "model/x" }), "tensor model/x is not part"},
		{"config", rewriteHeader(t, good, func(h *weightsHeader) { h.Config.Hidden = 6 }), "needs"},
		{"huge", rewriteHeader(t, good, func(h *weightsHeader) { h.Config.Hidden = 4096 }), "needs"},
		{"nan", nan, "not finite"},
	}
	for _, tc := range cases {
		_, err := Load(bytes.NewReader(tc.b))
		if err == nil || !errors.Is(err, ErrWeights) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want ErrWeights mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestLoadFileSniffs(t *testing.T) {
	dir := t.TempDir()
	m := randomModel(smallConfigs()["mlp"], 2)
	p := filepath.Join(dir, "w.helpw")
	if err := m.SaveFile(p); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadFile(p); err != nil || got.Config != m.Config {
		t.Errorf("LoadFile(ours) = %v", err)
	}
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("hello"), 0o644)
	if _, err := LoadFile(junk); err == nil || !errors.Is(err, ErrWeights) {
		t.Errorf("LoadFile(junk) error %v", err)
	}
}

// tinyConfigs are the smallest models of each encoder (no hardware
// branch, modulator or per-parameter rates; width 1): about 1 kB saved,
// for fuzz seeds.
func tinyConfigs() map[string]Config {
	mlp := FBNetConfig()
	mlp.InputDim, mlp.Hidden, mlp.EmbedDim = 1, 1, 1
	mlp.HWEmbed, mlp.Modulator, mlp.MetaSGD = false, false, false
	gcn := NASBench201Config()
	gcn.NumNodes, gcn.NodeFeatures, gcn.Hidden, gcn.EmbedDim = 1, 1, 1, 1
	gcn.HWEmbed, gcn.Modulator, gcn.MetaSGD = false, false, false
	return map[string]Config{"mlp": mlp, "gcn": gcn}
}

// FuzzLoad requires every file Load accepts to save and load again to the
// same bytes, and every refusal to wrap ErrWeights.
//
// The seeds are the tiny models (about 1 kB). The fuzzer minimises each
// input that finds new coverage, in time quadratic in its length, up to
// -fuzzminimizetime (60 s) each: with the 4-8 kB seeds used before, that
// took the whole run (6-8 execs in 45 s). Each input is also tried with
// its trailing CRC recomputed, or nearly every mutation would stop at the
// checksum and the header and tensor parsing would never be reached.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"mlp", "gcn"} {
		f.Add(savedBytes(f, randomModel(tinyConfigs()[name], 1)))
	}
	f.Add([]byte(WeightsMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkLoad(t, b)
		if len(b) >= 4 {
			fixed := bytes.Clone(b)
			binary.LittleEndian.PutUint32(fixed[len(fixed)-4:], crc32.ChecksumIEEE(fixed[:len(fixed)-4]))
			checkLoad(t, fixed)
		}
	})
}

func checkLoad(t *testing.T, b []byte) {
	m, err := Load(bytes.NewReader(b))
	if err != nil {
		if !errors.Is(err, ErrWeights) {
			t.Fatalf("error does not wrap ErrWeights: %v", err)
		}
		return
	}
	again := savedBytes(t, m)
	m2, err := Load(bytes.NewReader(again))
	if err != nil {
		t.Fatalf("reload of a loaded file failed: %v", err)
	}
	if !bytes.Equal(savedBytes(t, m2), again) {
		t.Fatal("save/load not stable")
	}
}

func TestEncoderJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want EncoderKind
		ok   bool
	}{{`"gcn"`, EncoderGCN, true}, {`"mlp"`, EncoderMLP, true}, {`1`, EncoderMLP, true}, {`"cnn"`, 0, false}, {`[]`, 0, false}} {
		var k EncoderKind
		err := json.Unmarshal([]byte(tc.in), &k)
		if (err == nil) != tc.ok || tc.ok && k != tc.want {
			t.Errorf("%s: %v, %v", tc.in, k, err)
		}
	}
	b, _ := json.Marshal(NASBench201Config())
	if !strings.Contains(string(b), `"encoder":"gcn"`) {
		t.Errorf("config JSON %s", b)
	}
}
