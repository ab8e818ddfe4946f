package predictor

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"

	"github.com/helpwasm/helpwasm/internal/clip"
)

// The weights file format (version 1), all integers little-endian:
//
//	magic    8 bytes  "HELPWASM"
//	version  uint32   1
//	hlen     uint32   length of the JSON header in bytes (at most 1 MiB)
//	header   hlen bytes of JSON: {"config": Config, "meta": Metadata,
//	         "tensors": [{"name", "shape", "dtype": "f32" or "f16"}...]}
//	data     each tensor's values in header order, row-major, float32 or
//	         IEEE binary16 as its dtype says
//	crc      uint32   CRC-32 (IEEE) of every preceding byte
//
// Tensor names are "model/meta_learner.<name>", "task_lr/meta_learner.<name>"
// and "inference_network/z_encoder.<k>.<weight|bias>", the PyTorch names of
// HELP's checkpoint. Save writes model and inference-network parameters as
// float32 and the Meta-SGD inner rates as binary16 (the page downloads this
// file: about 0.8 MB for NAS-Bench-201); Load widens them to float64.

// WeightsMagic starts every weights file.
const WeightsMagic = "HELPWASM"

// WeightsVersion is the format version Save writes and Load accepts.
const WeightsVersion = 1

const maxHeader = 1 << 20

// ErrWeights is wrapped by every error about a malformed weights file.
var ErrWeights = errors.New("malformed weights file")

type weightsTensor struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
}

type weightsHeader struct {
	Config  Config          `json:"config"`
	Meta    Metadata        `json:"meta"`
	Tensors []weightsTensor `json:"tensors"`
}

// namedTensors lists the model's tensors with their storage in m.params.
func (m *Model) namedTensors() (names []weightsTensor, data [][]float64) {
	add := func(group, prefix string, ts []tensor, buf []float64) {
		for _, t := range ts {
			dtype := "f32"
			if group == "task_lr" {
				dtype = "f16"
			}
			names = append(names, weightsTensor{Name: group + "/" + prefix + t.Name, Shape: t.Shape, DType: dtype})
			data = append(data, buf[t.Off:t.Off+t.size()])
		}
	}
	add("model", torchPrefix, m.l.model, m.base)
	if m.taskLR != nil {
		add("task_lr", torchPrefix, m.l.model, m.taskLR)
	}
	if m.zenc != nil {
		add("inference_network", "", m.l.zenc, m.zenc)
	}
	return names, data
}

// Save writes m in the weights format.
func (m *Model) Save(w io.Writer) error {
	names, data := m.namedTensors()
	hdr, err := json.Marshal(weightsHeader{Config: m.Config, Meta: m.Meta, Tensors: names})
	if err != nil {
		return fmt.Errorf("predictor: save weights: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(WeightsMagic)
	var u4 [4]byte
	binary.LittleEndian.PutUint32(u4[:], WeightsVersion)
	buf.Write(u4[:])
	binary.LittleEndian.PutUint32(u4[:], uint32(len(hdr)))
	buf.Write(u4[:])
	buf.Write(hdr)
	for i, d := range data {
		for _, v := range d {
			if names[i].DType == "f16" {
				buf.Write(binary.LittleEndian.AppendUint16(nil, float16bits(float32(v))))
				continue
			}
			binary.LittleEndian.PutUint32(u4[:], math.Float32bits(float32(v)))
			buf.Write(u4[:])
		}
	}
	binary.LittleEndian.PutUint32(u4[:], crc32.ChecksumIEEE(buf.Bytes()))
	buf.Write(u4[:])
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("predictor: save weights: %w", err)
	}
	return nil
}

// SaveFile writes m to path.
func (m *Model) SaveFile(path string) error {
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("predictor: %w", err)
	}
	return nil
}

// Load reads a model in the weights format. Errors wrap ErrWeights and name
// the tensor and shape at fault.
func Load(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<30))
	if err != nil {
		return nil, fmt.Errorf("predictor: load weights: %w", err)
	}
	return parseWeights(b)
}

func weightsErr(format string, args ...any) error {
	return fmt.Errorf("predictor: %w: "+format, append([]any{ErrWeights}, args...)...)
}

func parseWeights(b []byte) (*Model, error) {
	if len(b) < len(WeightsMagic) || string(b[:len(WeightsMagic)]) != WeightsMagic {
		return nil, weightsErr("does not start with %q", WeightsMagic)
	}
	if len(b) < 16+4 {
		return nil, weightsErr("truncated: %d bytes is shorter than the fixed header", len(b))
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != WeightsVersion {
		return nil, weightsErr("version %d, this build reads version %d", v, WeightsVersion)
	}
	hlen := int(binary.LittleEndian.Uint32(b[12:]))
	if hlen > maxHeader || 16+hlen+4 > len(b) {
		return nil, weightsErr("header length %d does not fit in the %d-byte file", hlen, len(b))
	}
	body := b[:len(b)-4]
	if want, got := binary.LittleEndian.Uint32(b[len(b)-4:]), crc32.ChecksumIEEE(body); want != got {
		return nil, weightsErr("checksum %08x, computed %08x: the file is corrupt or truncated", want, got)
	}
	var hdr weightsHeader
	dec := json.NewDecoder(bytes.NewReader(b[16 : 16+hlen]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hdr); err != nil {
		return nil, weightsErr("header: %v", err)
	}
	if err := hdr.Config.Validate(); err != nil {
		return nil, weightsErr("header: %v", err)
	}
	// Check the size before allocating: a header may claim a huge model.
	if n, have := paramCount(hdr.Config), len(body)-16-hlen; have < 2*n || have > 4*n {
		return nil, weightsErr("config %s/%s needs %d to %d bytes of tensor data, the file has %d", short(hdr.Config.Space), hdr.Config.Encoder, 2*n, 4*n, have)
	}
	m, err := newModel(hdr.Config)
	if err != nil {
		return nil, weightsErr("header: %v", err)
	}
	m.Meta = hdr.Meta
	names, data := m.namedTensors()
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n.Name] = i
	}
	seen := make([]bool, len(names))
	off := 16 + hlen
	for _, t := range hdr.Tensors {
		i, ok := index[t.Name]
		if !ok {
			return nil, weightsErr("tensor %s is not part of a %s model with this config", short(t.Name), m.Config.Encoder)
		}
		if seen[i] {
			return nil, weightsErr("tensor %s appears twice", short(t.Name))
		}
		seen[i] = true
		if !slices.Equal(t.Shape, names[i].Shape) {
			return nil, weightsErr("tensor %s has shape %s, the config needs %v", short(t.Name), short(t.Shape), names[i].Shape)
		}
		width := 4
		switch t.DType {
		case "f32":
		case "f16":
			width = 2
		default:
			return nil, weightsErr("tensor %s has dtype %s, want \"f32\" or \"f16\"", short(t.Name), clip.Quote(t.DType))
		}
		dst := data[i]
		need := width * len(dst)
		if off+need > len(body) {
			return nil, weightsErr("tensor %s (shape %s) needs %d bytes at offset %d, file body has %d", short(t.Name), short(t.Shape), need, off, len(body))
		}
		for j := range dst {
			if width == 2 {
				dst[j] = float64(float16frombits(binary.LittleEndian.Uint16(body[off+2*j:])))
			} else {
				dst[j] = float64(math.Float32frombits(binary.LittleEndian.Uint32(body[off+4*j:])))
			}
		}
		if err := checkFinite(t.Name, dst); err != nil {
			return nil, weightsErr("%v", err)
		}
		off += need
	}
	for i, s := range seen {
		if !s {
			return nil, weightsErr("tensor %s (shape %v) is missing", names[i].Name, names[i].Shape)
		}
	}
	if off != len(body) {
		return nil, weightsErr("%d unexpected bytes after the last tensor", len(body)-off)
	}
	return m, nil
}

// paramCount is the number of scalars a model with config c holds.
func paramCount(c Config) int {
	l := newLayout(c)
	n := l.nModel
	if c.MetaSGD {
		n += l.nModel
	}
	if c.Modulator {
		n += l.nZenc
	}
	return n
}

// LoadFile reads weights from path, in this package's format or as the
// authors' HELP checkpoint: JSON (LoadHELPCheckpoint) or the original
// PyTorch zip (LoadHELPTorchCheckpoint).
func LoadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("predictor: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(len(WeightsMagic))
	if string(head) == WeightsMagic {
		m, err := Load(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return m, nil
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		b, err := io.ReadAll(br)
		if err != nil {
			return nil, fmt.Errorf("predictor: %s: %w", path, err)
		}
		m, err := ReadHELPTorchCheckpoint(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		m.Meta.Source = "HELP checkpoint " + path
		return m, nil
	}
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '{' || len(head) > 0 && head[0] == '{' {
		m, err := ReadHELPCheckpoint(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		m.Meta.Source = "HELP checkpoint " + path
		return m, nil
	}
	return nil, fmt.Errorf("predictor: %s: %w: neither a %s weights file nor a JSON HELP checkpoint", path, ErrWeights, WeightsMagic)
}
