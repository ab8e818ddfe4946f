package predictor

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/helpwasm/helpwasm/internal/clip"
)

// Reading the authors' original PyTorch checkpoint (help_max_corr.pt): a
// zip archive holding data.pkl, a pickle (protocol 2) of
// {"epi", "model", "inference_network", "task_lr"} whose tensors refer by
// persistent id to raw little-endian storages under data/. The pickle
// machine below implements only what torch.save emits for such state
// dicts, and refuses any other callable: it never executes code.

// ErrTorch is wrapped by every error about a malformed PyTorch checkpoint.
var ErrTorch = errors.New("malformed PyTorch checkpoint")

// LoadHELPTorchCheckpoint reads the authors' checkpoint in its original
// PyTorch format (see LoadHELPCheckpoint for how the config is inferred).
func LoadHELPTorchCheckpoint(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("predictor: %w", err)
	}
	m, err := ReadHELPTorchCheckpoint(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.Meta.Source = "HELP checkpoint " + path
	return m, nil
}

// ReadHELPTorchCheckpoint is LoadHELPTorchCheckpoint from the file's bytes.
func ReadHELPTorchCheckpoint(b []byte) (*Model, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, torchErr("%v", err)
	}
	var pkl *zip.File
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
		if strings.HasSuffix(f.Name, "/data.pkl") || f.Name == "data.pkl" {
			pkl = f
		}
	}
	if pkl == nil {
		return nil, torchErr("no data.pkl in the archive")
	}
	prefix := strings.TrimSuffix(pkl.Name, "data.pkl")
	src, err := readZipFile(pkl, 16<<20)
	if err != nil {
		return nil, torchErr("data.pkl: %v", err)
	}
	top, err := unpickle(src)
	if err != nil {
		return nil, torchErr("data.pkl: %v", err)
	}
	root, ok := top.(*pyDict)
	if !ok {
		return nil, torchErr("data.pkl holds %T, want a dict", top)
	}
	storages := map[string][]float64{}
	var storageBytes, elements int64 // spent of the budgets below
	load := func(t *pyTensor) ([]float64, error) {
		n, err := t.numel()
		if err != nil {
			return nil, torchErr("tensor: %v", err)
		}
		// A real checkpoint's tensor never has more elements than its
		// storage (stride-0 broadcasts would let a small file ask for
		// gigabytes), and a HELP model is far below the total budget.
		if w := int64(t.storage.width); t.storage.numel < 0 || t.storage.numel > maxTorchStorageBytes/w {
			return nil, torchErr("storage %s of %d elements exceeds the budget of %d bytes", short(t.storage.key), t.storage.numel, maxTorchStorageBytes)
		}
		if n > t.storage.numel {
			return nil, torchErr("tensor of %d elements in storage %s of %d", n, short(t.storage.key), t.storage.numel)
		}
		if elements += n; elements > maxTorchElements {
			return nil, torchErr("tensors hold more than %d elements in all: not a HELP checkpoint", maxTorchElements)
		}
		data, ok := storages[t.storage.key]
		if !ok {
			f := files[prefix+"data/"+t.storage.key]
			if f == nil {
				return nil, torchErr("storage %s missing from the archive", short(t.storage.key))
			}
			raw, err := readZipFile(f, maxTorchStorageBytes-storageBytes)
			if err != nil {
				return nil, torchErr("storage %s: %v", short(t.storage.key), err)
			}
			storageBytes += int64(len(raw))
			if int64(len(raw)) != t.storage.numel*int64(t.storage.width) {
				return nil, torchErr("storage %s: %d bytes, the pickle says %d elements of %d bytes", short(t.storage.key), len(raw), t.storage.numel, t.storage.width)
			}
			w := t.storage.width
			if len(raw)%w != 0 {
				return nil, torchErr("storage %s: %d bytes is not a multiple of %d", short(t.storage.key), len(raw), w)
			}
			data = make([]float64, len(raw)/w)
			for i := range data {
				if w == 4 {
					data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
				} else {
					data[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
				}
			}
			storages[t.storage.key] = data
		}
		return t.gather(data)
	}
	group := func(name string) (map[string]jsonTensor, error) {
		v, ok := root.get(name)
		if !ok || v == nil {
			return nil, nil
		}
		d, ok := v.(*pyDict)
		if !ok {
			return nil, torchErr("%s is %T, want a dict", name, v)
		}
		out := map[string]jsonTensor{}
		for i, k := range d.keys {
			ks, ok := k.(string)
			if !ok {
				return nil, torchErr("%s: key %s is not a string", name, short(k))
			}
			t, ok := d.vals[i].(*pyTensor)
			if !ok {
				return nil, torchErr("%s: %s is %T, want a tensor", name, short(ks), d.vals[i])
			}
			data, err := load(t)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", name, short(ks), err)
			}
			out[ks] = jsonTensor{Shape: t.size, Data: data}
		}
		return out, nil
	}
	var ck jsonCheckpoint
	if ck.Model, err = group("model"); err != nil {
		return nil, err
	}
	if ck.InferenceNetwork, err = group("inference_network"); err != nil {
		return nil, err
	}
	if ck.TaskLR, err = group("task_lr"); err != nil {
		return nil, err
	}
	if v, ok := root.get("epi"); ok {
		if e, ok := v.(int64); ok {
			ep := int(e)
			ck.Episode = &ep
		}
	}
	return fromCheckpoint(&ck)
}

// short is v as an error shows it: clipped (internal/clip), so a pickled
// value of megabytes (a tensor's arguments, a key, a module name) gives a
// short error.
func short(v any) string { return clip.String(fmt.Sprint(v)) }

func torchErr(format string, args ...any) error {
	return fmt.Errorf("predictor: %w: "+format, append([]any{ErrTorch}, args...)...)
}

func readZipFile(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%d bytes exceeds the limit of %d", f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit))
}

// Python values the pickle machine builds.
type (
	pyDict struct {
		keys, vals []any
	}
	pyGlobal  struct{ module, name string }
	pyStorage struct {
		key   string
		width int // bytes per element
		numel int64
	}
	pyTensor struct {
		storage *pyStorage
		offset  int64
		size    []int
		stride  []int64
	}
	pyMark struct{}
)

func (d *pyDict) get(k string) (any, bool) {
	for i, key := range d.keys {
		if s, ok := key.(string); ok && s == k {
			return d.vals[i], true
		}
	}
	return nil, false
}

func (d *pyDict) set(k, v any) {
	for i, key := range d.keys {
		if key == k {
			d.vals[i] = v
			return
		}
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
}

// Budgets of the .pt loader, far above HELP's checkpoints (under 10^6
// parameters) and far below what would exhaust memory.
const (
	maxTorchElements     = 1 << 23  // elements of all tensors together
	maxTorchStorageBytes = 64 << 20 // decompressed storage bytes together
)

// numel is the tensor's element count.
func (t *pyTensor) numel() (int64, error) {
	n := int64(1)
	for _, s := range t.size {
		if s < 0 {
			return 0, fmt.Errorf("bad size %s", short(t.size))
		}
		if n *= int64(s); n > maxTorchElements || s > maxTorchElements {
			return 0, fmt.Errorf("size %s: more than %d elements", short(t.size), maxTorchElements)
		}
	}
	return n, nil
}

// gather copies the tensor's elements out of its storage in row-major order.
func (t *pyTensor) gather(data []float64) ([]float64, error) {
	n, err := t.numel()
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	idx := make([]int, len(t.size))
	for i := range out {
		pos := t.offset
		for d, k := range idx {
			pos += int64(k) * t.stride[d]
		}
		if pos < 0 || pos >= int64(len(data)) {
			return nil, fmt.Errorf("element %d at storage position %d is outside the storage of %d", i, pos, len(data))
		}
		out[i] = data[pos]
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < t.size[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out, nil
}

// unpickle runs the subset of the pickle machine torch.save uses.
func unpickle(b []byte) (any, error) {
	var stack []any
	memo := map[uint32]any{}
	pos := 0
	need := func(n int) ([]byte, error) {
		if n < 0 || pos+n > len(b) {
			return nil, fmt.Errorf("truncated at byte %d", pos)
		}
		s := b[pos : pos+n]
		pos += n
		return s, nil
	}
	// arg reads an opcode's unsigned argument: 4 bytes little-endian for
	// the LONG_/BIN forms (long), else 1 byte.
	arg := func(long bool) (uint32, error) {
		if !long {
			v, err := need(1)
			if err != nil {
				return 0, err
			}
			return uint32(v[0]), nil
		}
		v, err := need(4)
		if err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint32(v), nil
	}
	pop := func() (any, error) {
		if len(stack) == 0 {
			return nil, fmt.Errorf("stack underflow at byte %d", pos)
		}
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		return v, nil
	}
	popMark := func() ([]any, error) {
		for i := len(stack) - 1; i >= 0; i-- {
			if _, ok := stack[i].(pyMark); ok {
				items := append([]any(nil), stack[i+1:]...)
				stack = stack[:i]
				return items, nil
			}
		}
		return nil, fmt.Errorf("no mark at byte %d", pos)
	}
	line := func() (string, error) {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			return "", fmt.Errorf("unterminated line at byte %d", pos)
		}
		s := string(b[pos : pos+i])
		pos += i + 1
		return s, nil
	}
	for steps := 0; ; steps++ {
		if steps > 1<<22 {
			return nil, errors.New("pickle too long")
		}
		op, err := need(1)
		if err != nil {
			return nil, err
		}
		at := pos - 1
		switch op[0] {
		case 0x80: // PROTO
			if _, err := need(1); err != nil {
				return nil, err
			}
		case 0x95: // FRAME
			if _, err := need(8); err != nil {
				return nil, err
			}
		case '.': // STOP
			return pop()
		case '}': // EMPTY_DICT
			stack = append(stack, &pyDict{})
		case ']': // EMPTY_LIST
			stack = append(stack, &[]any{})
		case ')': // EMPTY_TUPLE
			stack = append(stack, []any{})
		case '(': // MARK
			stack = append(stack, pyMark{})
		case 'N':
			stack = append(stack, nil)
		case 0x88:
			stack = append(stack, true)
		case 0x89:
			stack = append(stack, false)
		case 'K': // BININT1
			v, err := arg(false)
			if err != nil {
				return nil, err
			}
			stack = append(stack, int64(v))
		case 'M': // BININT2
			v, err := need(2)
			if err != nil {
				return nil, err
			}
			stack = append(stack, int64(binary.LittleEndian.Uint16(v)))
		case 'J': // BININT
			v, err := arg(true)
			if err != nil {
				return nil, err
			}
			stack = append(stack, int64(int32(v)))
		case 0x8a: // LONG1
			n, err := need(1)
			if err != nil {
				return nil, err
			}
			v, err := need(int(n[0]))
			if err != nil {
				return nil, err
			}
			if len(v) > 8 {
				return nil, fmt.Errorf("LONG1 of %d bytes at byte %d", len(v), at)
			}
			var x int64
			for i := len(v) - 1; i >= 0; i-- {
				x = x<<8 | int64(v[i])
			}
			if len(v) > 0 && len(v) < 8 && v[len(v)-1]&0x80 != 0 {
				x -= 1 << (8 * len(v))
			}
			stack = append(stack, x)
		case 'G': // BINFLOAT (big-endian)
			v, err := need(8)
			if err != nil {
				return nil, err
			}
			stack = append(stack, math.Float64frombits(binary.BigEndian.Uint64(v)))
		case 'X', 0x8c: // BINUNICODE, SHORT_BINUNICODE
			n, err := arg(op[0] == 'X')
			if err != nil {
				return nil, err
			}
			s, err := need(int(n))
			if err != nil {
				return nil, err
			}
			stack = append(stack, string(s))
		case 'q', 'r': // BINPUT, LONG_BINPUT
			k, err := arg(op[0] == 'r')
			if err != nil {
				return nil, err
			}
			if len(stack) == 0 {
				return nil, fmt.Errorf("memo put on an empty stack at byte %d", at)
			}
			memo[k] = stack[len(stack)-1]
		case 0x94: // MEMOIZE
			if len(stack) == 0 {
				return nil, fmt.Errorf("memoize on an empty stack at byte %d", at)
			}
			memo[uint32(len(memo))] = stack[len(stack)-1]
		case 'h', 'j': // BINGET, LONG_BINGET
			k, err := arg(op[0] == 'j')
			if err != nil {
				return nil, err
			}
			v, ok := memo[k]
			if !ok {
				return nil, fmt.Errorf("memo %d undefined at byte %d", k, at)
			}
			stack = append(stack, v)
		case 'c': // GLOBAL
			mod, err := line()
			if err != nil {
				return nil, err
			}
			name, err := line()
			if err != nil {
				return nil, err
			}
			stack = append(stack, pyGlobal{mod, name})
		case 't': // TUPLE
			items, err := popMark()
			if err != nil {
				return nil, err
			}
			stack = append(stack, items)
		case 0x85, 0x86, 0x87: // TUPLE1..3
			n := int(op[0] - 0x84)
			if len(stack) < n {
				return nil, fmt.Errorf("stack underflow at byte %d", at)
			}
			items := append([]any(nil), stack[len(stack)-n:]...)
			stack = append(stack[:len(stack)-n], items)
		case 'a', 'e': // APPEND, APPENDS
			var items []any
			if op[0] == 'a' {
				v, err := pop()
				if err != nil {
					return nil, err
				}
				items = []any{v}
			} else if items, err = popMark(); err != nil {
				return nil, err
			}
			if len(stack) == 0 {
				return nil, fmt.Errorf("append to nothing at byte %d", at)
			}
			l, ok := stack[len(stack)-1].(*[]any)
			if !ok {
				return nil, fmt.Errorf("append to %T at byte %d", stack[len(stack)-1], at)
			}
			*l = append(*l, items...)
		case 's', 'u': // SETITEM, SETITEMS
			var items []any
			if op[0] == 's' {
				v, err := pop()
				if err != nil {
					return nil, err
				}
				k, err := pop()
				if err != nil {
					return nil, err
				}
				items = []any{k, v}
			} else if items, err = popMark(); err != nil {
				return nil, err
			}
			if len(items)%2 != 0 || len(stack) == 0 {
				return nil, fmt.Errorf("bad SETITEMS at byte %d", at)
			}
			d, ok := stack[len(stack)-1].(*pyDict)
			if !ok {
				return nil, fmt.Errorf("setitem on %T at byte %d", stack[len(stack)-1], at)
			}
			for i := 0; i < len(items); i += 2 {
				switch items[i].(type) {
				case string, int64, bool, nil:
				default:
					return nil, fmt.Errorf("unhashable key %T at byte %d", items[i], at)
				}
				d.set(items[i], items[i+1])
			}
		case 'b': // BUILD: object state; state dicts only carry _metadata.
			if _, err := pop(); err != nil {
				return nil, err
			}
			if len(stack) == 0 {
				return nil, fmt.Errorf("build on an empty stack at byte %d", at)
			}
		case 'Q': // BINPERSID
			v, err := pop()
			if err != nil {
				return nil, err
			}
			s, err := persistentStorage(v)
			if err != nil {
				return nil, fmt.Errorf("persistent id at byte %d: %w", at, err)
			}
			stack = append(stack, s)
		case 'R': // REDUCE
			args, err := pop()
			if err != nil {
				return nil, err
			}
			fn, err := pop()
			if err != nil {
				return nil, err
			}
			v, err := reduce(fn, args)
			if err != nil {
				return nil, fmt.Errorf("at byte %d: %w", at, err)
			}
			stack = append(stack, v)
		default:
			return nil, fmt.Errorf("unsupported pickle opcode 0x%02x at byte %d", op[0], at)
		}
	}
}

func persistentStorage(v any) (*pyStorage, error) {
	t, ok := v.([]any)
	if !ok || len(t) != 5 {
		return nil, fmt.Errorf("want ('storage', type, key, location, numel), got %s", short(v))
	}
	if s, _ := t[0].(string); s != "storage" {
		return nil, fmt.Errorf("kind %s, want storage", short(t[0]))
	}
	g, ok := t[1].(pyGlobal)
	if !ok {
		return nil, fmt.Errorf("storage type %s", short(t[1]))
	}
	st := &pyStorage{}
	switch g.name {
	case "FloatStorage":
		st.width = 4
	case "DoubleStorage":
		st.width = 8
	default:
		return nil, fmt.Errorf("unsupported storage type %s", short(g.module+"."+g.name))
	}
	if st.key, ok = t[2].(string); !ok {
		return nil, fmt.Errorf("storage key %s", short(t[2]))
	}
	if strings.ContainsAny(st.key, "/\\.") {
		return nil, fmt.Errorf("storage key %s", clip.Quote(st.key))
	}
	if st.numel, ok = t[4].(int64); !ok {
		return nil, fmt.Errorf("storage size %s", short(t[4]))
	}
	return st, nil
}

// reduce applies one of the few callables torch state dicts use.
func reduce(fn, args any) (any, error) {
	g, ok := fn.(pyGlobal)
	if !ok {
		return nil, fmt.Errorf("call of %T", fn)
	}
	a, ok := args.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: arguments are %T", short(g.module+"."+g.name), args)
	}
	switch g.module + "." + g.name {
	case "collections.OrderedDict":
		if len(a) != 0 {
			return nil, errors.New("OrderedDict with arguments")
		}
		return &pyDict{}, nil
	case "torch._utils._rebuild_tensor_v2":
		if len(a) < 4 {
			return nil, fmt.Errorf("_rebuild_tensor_v2 with %d arguments", len(a))
		}
		st, ok := a[0].(*pyStorage)
		off, ok2 := a[1].(int64)
		size, ok3 := a[2].([]any)
		stride, ok4 := a[3].([]any)
		if !ok || !ok2 || !ok3 || !ok4 || len(size) != len(stride) {
			return nil, fmt.Errorf("_rebuild_tensor_v2%s", short(a))
		}
		t := &pyTensor{storage: st, offset: off}
		for i := range size {
			s, ok := size[i].(int64)
			d, ok2 := stride[i].(int64)
			if !ok || !ok2 || s < 0 || s > 1<<28 {
				return nil, fmt.Errorf("tensor size %s stride %s", short(size), short(stride))
			}
			t.size = append(t.size, int(s))
			t.stride = append(t.stride, d)
		}
		return t, nil
	case "torch._utils._rebuild_parameter":
		if len(a) < 1 {
			return nil, errors.New("_rebuild_parameter without data")
		}
		t, ok := a[0].(*pyTensor)
		if !ok {
			return nil, fmt.Errorf("_rebuild_parameter of %T", a[0])
		}
		return t, nil
	}
	return nil, fmt.Errorf("refusing to call %s", short(g.module+"."+g.name))
}
