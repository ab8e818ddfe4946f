package latency

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/helpwasm/helpwasm/internal/clip"
)

// File names inside a space's directory.
const (
	LatencyFile    = "latency.csv"
	ReferenceFile  = "reference_archs.csv"
	CandidatesFile = "metad2a_candidates.csv"
)

// Sentinel errors wrapped by ParseError (test with errors.Is).
var (
	ErrHeader        = errors.New("bad header")
	ErrEmpty         = errors.New("empty")
	ErrSyntax        = errors.New("not a number")
	ErrNaN           = errors.New("NaN latency")
	ErrInf           = errors.New("infinite value")
	ErrNonPositive   = errors.New("non-positive latency")
	ErrDuplicate     = errors.New("duplicate")
	ErrBadName       = errors.New("name must be printable ASCII without spaces, quotes or commas")
	ErrUnknownDevice = errors.New("unknown device")
	ErrUnknownIndex  = errors.New("unknown architecture index")
	ErrUnknownArch   = errors.New("unknown architecture")
	ErrMismatch      = errors.New("architecture does not match the latency table")
	ErrUnknownSpace  = errors.New("unrecognised search space")
	ErrMixedSpace    = errors.New("architecture from another search space")
)

// ParseError is a problem at one place in one file. Line and Column are
// 1-based as in encoding/csv (Column counts bytes); Field is the header
// name of the column at fault, if any.
type ParseError struct {
	File   string
	Line   int
	Column int
	Field  string
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: ", e.File, e.Line, e.Column)
	if e.Field != "" {
		fmt.Fprintf(&b, "field %s: ", clip.Quote(e.Field))
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Load reads the tables of one search space from directory dir (see the
// package comment). reference_archs.csv is required,
// metad2a_candidates.csv optional.
func Load(dir string) (*Table, error) {
	t, err := LoadFS(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("latency: loading %s: %w", dir, err)
	}
	return t, nil
}

// LoadFS is Load on a directory of fsys (for embedded or browser-fetched
// data).
func LoadFS(fsys fs.FS, dir string) (*Table, error) {
	t, err := readFile(fsys, path.Join(dir, LatencyFile), ReadCSV)
	if err != nil {
		return nil, err
	}
	if err := readInto(fsys, path.Join(dir, ReferenceFile), t.readReference); err != nil {
		return nil, err
	}
	err = readInto(fsys, path.Join(dir, CandidatesFile), t.readCandidates)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return t, nil
}

// readFile and readInto read a whole file before parsing it: under
// js/wasm every small read is a round trip through JavaScript, which made
// loading latency.csv from a file 3.5x slower under Node (5.2 s vs 1.5 s).
func readFile(fsys fs.FS, name string, read func(io.Reader, string) (*Table, error)) (*Table, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	return read(bytes.NewReader(b), name)
}

func readInto(fsys fs.FS, name string, read func(io.Reader, string) error) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	return read(bytes.NewReader(b), name)
}

// csvFile wraps encoding/csv to report errors as *ParseError.
type csvFile struct {
	r      *csv.Reader
	name   string
	header []string
}

func newCSVFile(r io.Reader, name string, want []string, atLeast int) (*csvFile, error) {
	c := &csvFile{r: csv.NewReader(r), name: name}
	c.r.ReuseRecord = true
	rec, err := c.r.Read()
	if err == io.EOF {
		return nil, &ParseError{File: name, Line: 1, Column: 1, Err: fmt.Errorf("%w: no header", ErrEmpty)}
	}
	if err != nil {
		return nil, c.wrap(err)
	}
	c.header = append([]string(nil), rec...)
	if len(c.header) < atLeast {
		return nil, &ParseError{File: name, Line: 1, Column: 1, Err: fmt.Errorf("%w: want %s, got %s", ErrHeader, strings.Join(want, ","), clip.Quote(strings.Join(c.header, ",")))}
	}
	for i, w := range want {
		if c.header[i] != w {
			return nil, c.errAt(i, fmt.Errorf("%w: column %d is %s, want %q", ErrHeader, i+1, clip.Quote(c.header[i]), w))
		}
	}
	return c, nil
}

// read returns the next record, io.EOF at the end, or a *ParseError.
func (c *csvFile) read() ([]string, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		return nil, c.wrap(err)
	}
	return rec, nil
}

func (c *csvFile) wrap(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: c.name, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	return fmt.Errorf("%s: %w", c.name, err)
}

// errAt reports err at field i of the record last read.
func (c *csvFile) errAt(i int, err error) error {
	line, col := c.r.FieldPos(i)
	field := ""
	if c.header != nil && i < len(c.header) {
		field = c.header[i]
	}
	return &ParseError{File: c.name, Line: line, Column: col, Field: field, Err: err}
}

// ReadCSV reads a latency table in latency.csv's format from r; name is
// used in errors. The table has no reference architectures or candidates.
func ReadCSV(r io.Reader, name string) (*Table, error) {
	c, err := newCSVFile(r, name, []string{"index", "arch"}, 3)
	if err != nil {
		return nil, err
	}
	t := &Table{
		devices:    c.header[2:],
		column:     make(map[string]int, len(c.header)-2),
		rowOfArch:  make(map[string]int),
		rowOfIndex: make(map[int]int),
	}
	for i, d := range t.devices {
		if d == "" {
			return nil, c.errAt(i+2, fmt.Errorf("%w device name", ErrEmpty))
		}
		if !goodName(d) {
			return nil, c.errAt(i+2, fmt.Errorf("device %s: %w", clip.Quote(d), ErrBadName))
		}
		if _, dup := t.column[d]; dup || d == "index" || d == "arch" {
			return nil, c.errAt(i+2, fmt.Errorf("%w column %s", ErrDuplicate, clip.Quote(d)))
		}
		t.column[d] = i
	}
	t.latency = make([][]float64, len(t.devices))
	for {
		rec, err := c.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		row := len(t.archs)
		idx, err := parseIndex(rec[0])
		if err != nil {
			return nil, c.errAt(0, err)
		}
		if prev, dup := t.rowOfIndex[idx]; dup {
			return nil, c.errAt(0, fmt.Errorf("%w index %d (first on data row %d)", ErrDuplicate, idx, prev+1))
		}
		arch := rec[1]
		if err := checkArch(arch); err != nil {
			return nil, c.errAt(1, err)
		}
		if prev, dup := t.rowOfArch[arch]; dup {
			return nil, c.errAt(1, fmt.Errorf("%w architecture %s (first on data row %d)", ErrDuplicate, clip.Quote(arch), prev+1))
		}
		sp := DetectSpace(arch)
		switch {
		case sp == "":
			return nil, c.errAt(1, fmt.Errorf("%w: %s is not a NAS-Bench-201, FBNet or OFA string", ErrUnknownSpace, clip.Quote(arch)))
		case t.space == "":
			t.space = sp
		case sp != t.space:
			return nil, c.errAt(1, fmt.Errorf("%w: %s is %s, earlier rows are %s", ErrMixedSpace, clip.Quote(arch), sp, t.space))
		}
		for d := range t.devices {
			v, err := parseLatency(rec[d+2])
			if err != nil {
				return nil, c.errAt(d+2, err)
			}
			t.latency[d] = append(t.latency[d], v)
		}
		t.index = append(t.index, idx)
		t.archs = append(t.archs, arch)
		t.rowOfIndex[idx] = row
		t.rowOfArch[arch] = row
	}
	if len(t.archs) == 0 {
		return nil, &ParseError{File: name, Line: 2, Column: 1, Err: fmt.Errorf("%w: no architectures", ErrEmpty)}
	}
	return t, nil
}

func (t *Table) readReference(r io.Reader, name string) error {
	c, err := newCSVFile(r, name, []string{"index", "arch"}, 2)
	if err != nil {
		return err
	}
	c.r.FieldsPerRecord = len(c.header)
	seen := map[int]bool{}
	var rows []int
	for {
		rec, err := c.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		idx, err := parseIndex(rec[0])
		if err != nil {
			return c.errAt(0, err)
		}
		if seen[idx] {
			return c.errAt(0, fmt.Errorf("%w reference index %d", ErrDuplicate, idx))
		}
		seen[idx] = true
		row, ok := t.rowOfIndex[idx]
		if !ok {
			return c.errAt(0, fmt.Errorf("%w %d (not in %s)", ErrUnknownIndex, idx, LatencyFile))
		}
		if rec[1] != t.archs[row] {
			return c.errAt(1, fmt.Errorf("%w: index %d is %s there, %s here", ErrMismatch, idx, clip.Quote(t.archs[row]), clip.Quote(rec[1])))
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return &ParseError{File: name, Line: 2, Column: 1, Err: fmt.Errorf("%w: no reference architectures", ErrEmpty)}
	}
	t.reference = rows
	return nil
}

func (t *Table) readCandidates(r io.Reader, name string) error {
	c, err := newCSVFile(r, name, []string{"arch", "cifar100_accuracy", "score"}, 3)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var cands []Candidate
	for {
		rec, err := c.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		row, ok := t.rowOfArch[rec[0]]
		if !ok {
			return c.errAt(0, fmt.Errorf("%w %s (not in %s)", ErrUnknownArch, clip.Quote(rec[0]), LatencyFile))
		}
		if seen[rec[0]] {
			return c.errAt(0, fmt.Errorf("%w candidate %s", ErrDuplicate, clip.Quote(rec[0])))
		}
		seen[rec[0]] = true
		acc, err := parseFinite(rec[1])
		if err != nil {
			return c.errAt(1, err)
		}
		score, err := parseFinite(rec[2])
		if err != nil {
			return c.errAt(2, err)
		}
		cands = append(cands, Candidate{Row: row, Arch: t.archs[row], Accuracy: acc, Score: score})
	}
	t.candidates = cands
	return nil
}

func parseIndex(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("%w index", ErrEmpty)
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 {
		return 0, fmt.Errorf("%w: index %s is not a non-negative integer", ErrSyntax, clip.Quote(s))
	}
	return i, nil
}

func parseFinite(s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("%w value", ErrEmpty)
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%w: %s", ErrSyntax, clip.Quote(s))
	case math.IsNaN(v):
		return 0, fmt.Errorf("%w: %s", ErrNaN, clip.Quote(s))
	case math.IsInf(v, 0):
		return 0, fmt.Errorf("%w: %s", ErrInf, clip.Quote(s))
	}
	return v, nil
}

func parseLatency(s string) (float64, error) {
	v, err := parseFinite(s)
	if err != nil {
		return 0, err
	}
	if v <= 0 {
		return 0, fmt.Errorf("%w: %s ms", ErrNonPositive, clip.Quote(s))
	}
	return v, nil
}

func checkArch(s string) error {
	if s == "" {
		return fmt.Errorf("%w architecture", ErrEmpty)
	}
	// OFA's strings separate list values with commas (CSV quotes them);
	// otherwise an architecture obeys the rule for names.
	if !goodName(strings.ReplaceAll(s, ",", "")) {
		return fmt.Errorf("architecture %s: %w", clip.Quote(s), ErrBadName)
	}
	return nil
}

// goodName accepts printable ASCII without space, quote or comma: every
// real architecture string and device name, and nothing that CSV would
// have to quote (so tables round-trip exactly).
func goodName(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b <= ' ' || b > '~' || b == '"' || b == ',' {
			return false
		}
	}
	return true
}
