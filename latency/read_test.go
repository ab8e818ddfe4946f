package latency

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

const (
	nbA = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
	nbB = "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|"
	nbC = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"
	fbA = "k3_e1-skip-k5_e6"
)

var goodLatency = "index,arch,dev1,dev2\n" +
	"0," + nbA + ",1.5,2\n" +
	"1," + nbB + ",2.5,1e-3\n" +
	"2," + nbC + ",3,4\n"

func TestReadCSV(t *testing.T) {
	tab, err := ReadCSV(strings.NewReader(goodLatency), "latency.csv")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Space() != NASBench201 || tab.Len() != 3 {
		t.Fatalf("space %q, %d rows", tab.Space(), tab.Len())
	}
	if d := tab.Devices(); len(d) != 2 || d[0] != "dev1" || d[1] != "dev2" {
		t.Fatalf("Devices = %v", d)
	}
	if l := tab.Latency("dev2"); len(l) != 3 || l[1] != 1e-3 || l[2] != 4 {
		t.Fatalf("Latency(dev2) = %v", l)
	}
	if tab.Latency("nope") != nil || !errors.Is(tab.CheckDevices("dev1", "nope"), ErrUnknownDevice) || tab.CheckDevices("dev1", "dev2") != nil {
		t.Fatal("unknown device handling")
	}
	if r, ok := tab.RowOfArch(nbC); !ok || r != 2 || tab.Arch(r) != nbC || tab.Index(r) != 2 {
		t.Fatalf("RowOfArch(%q) = %d, %v", nbC, r, ok)
	}
	if r, ok := tab.RowOfIndex(1); !ok || r != 1 {
		t.Fatalf("RowOfIndex(1) = %d, %v", r, ok)
	}
	if _, ok := tab.RowOfIndex(7); ok {
		t.Fatal("RowOfIndex(7) found")
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, csv string
		want      error
		line, col int
		field     string
	}{
		{"empty file", "", ErrEmpty, 1, 1, ""},
		{"header only", "index,arch,dev1\n", ErrEmpty, 2, 1, ""},
		{"no devices", "index,arch\n0," + nbA + "\n", ErrHeader, 1, 1, ""},
		{"wrong first column", "idx,arch,dev1\n", ErrHeader, 1, 1, "idx"},
		{"wrong second column", "index,archs,dev1\n", ErrHeader, 1, 7, "archs"},
		{"duplicate device", "index,arch,a,b,a\n", ErrDuplicate, 1, 16, "a"},
		{"device named arch", "index,arch,arch\n", ErrDuplicate, 1, 12, "arch"},
		{"empty device", "index,arch,a,\n", ErrEmpty, 1, 14, ""},
		{"device with space", "index,arch,a b\n", ErrBadName, 1, 12, "a b"},
		{"field count", "index,arch,d\n0," + nbA + ",1,2\n", nil, 2, 0, ""},
		{"bad index", "index,arch,d\nx," + nbA + ",1\n", ErrSyntax, 2, 1, "index"},
		{"negative index", "index,arch,d\n-1," + nbA + ",1\n", ErrSyntax, 2, 1, "index"},
		{"empty index", "index,arch,d\n," + nbA + ",1\n", ErrEmpty, 2, 1, "index"},
		{"duplicate index", "index,arch,d\n0," + nbA + ",1\n0," + nbB + ",1\n", ErrDuplicate, 3, 1, "index"},
		{"empty arch", "index,arch,d\n0,,1\n", ErrEmpty, 2, 3, "arch"},
		{"duplicate arch", "index,arch,d\n0," + nbA + ",1\n1," + nbA + ",1\n", ErrDuplicate, 3, 3, "arch"},
		{"unknown space", "index,arch,d\n0,resnet50,1\n", ErrUnknownSpace, 2, 3, "arch"},
		{"mixed spaces", "index,arch,d\n0," + nbA + ",1\n1," + fbA + ",1\n", ErrMixedSpace, 3, 3, "arch"},
		{"NaN", "index,arch,d\n0," + nbA + ",NaN\n", ErrNaN, 2, 51, "d"},
		{"Inf", "index,arch,d\n0," + nbA + ",+Inf\n", ErrInf, 2, 51, "d"},
		{"overflow", "index,arch,d\n0," + nbA + ",1e999\n", ErrInf, 2, 51, "d"},
		{"zero", "index,arch,d\n0," + nbA + ",0\n", ErrNonPositive, 2, 51, "d"},
		{"negative", "index,arch,d\n0," + nbA + ",-3\n", ErrNonPositive, 2, 51, "d"},
		{"empty latency", "index,arch,d\n0," + nbA + ",\n", ErrEmpty, 2, 51, "d"},
		{"not a number", "index,arch,d\n0," + nbA + ",fast\n", ErrSyntax, 2, 51, "d"},
		{"second device", "index,arch,d,e\n0," + nbA + ",1,0x\n", ErrSyntax, 2, 53, "e"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.csv), "latency.csv")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if pe.File != "latency.csv" || pe.Line != tc.line || (tc.col != 0 && pe.Column != tc.col) || pe.Field != tc.field {
				t.Errorf("error at %s:%d:%d field %q, want latency.csv:%d:%d field %q (%v)", pe.File, pe.Line, pe.Column, pe.Field, tc.line, tc.col, tc.field, err)
			}
			if !strings.HasPrefix(err.Error(), "latency.csv:") {
				t.Errorf("message %q does not start with the file name", err)
			}
		})
	}
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"s/latency.csv":            {Data: []byte(goodLatency)},
		"s/reference_archs.csv":    {Data: []byte("index,arch\n2," + nbC + "\n0," + nbA + "\n")},
		"s/metad2a_candidates.csv": {Data: []byte("arch,cifar100_accuracy,score\n" + nbB + ",70.5,0.01\n")},
	}
	tab, err := LoadFS(fsys, "s")
	if err != nil {
		t.Fatal(err)
	}
	if ref := tab.ReferenceRows(); len(ref) != 2 || ref[0] != 2 || ref[1] != 0 {
		t.Errorf("ReferenceRows = %v, want [2 0]", ref)
	}
	if c := tab.Candidates(); len(c) != 1 || c[0] != (Candidate{Row: 1, Arch: nbB, Accuracy: 70.5, Score: 0.01}) {
		t.Errorf("Candidates = %+v", c)
	}

	delete(fsys, "s/metad2a_candidates.csv")
	tab, err = LoadFS(fsys, "s")
	if err != nil || tab.Candidates() != nil {
		t.Errorf("without candidates: %v, %v", tab, err)
	}
	delete(fsys, "s/reference_archs.csv")
	if _, err := LoadFS(fsys, "s"); err == nil {
		t.Error("missing reference_archs.csv accepted")
	}
}

func TestLoadFSErrors(t *testing.T) {
	tests := []struct {
		name, ref, cand string
		want            error
		file            string
		line            int
	}{
		{"reference unknown index", "index,arch\n9," + nbA + "\n", "", ErrUnknownIndex, ReferenceFile, 2},
		{"reference mismatch", "index,arch\n0," + nbB + "\n", "", ErrMismatch, ReferenceFile, 2},
		{"reference duplicate", "index,arch\n0," + nbA + "\n0," + nbA + "\n", "", ErrDuplicate, ReferenceFile, 3},
		{"reference empty", "index,arch\n", "", ErrEmpty, ReferenceFile, 2},
		{"reference header", "arch,index\n", "", ErrHeader, ReferenceFile, 1},
		{"candidate unknown", "index,arch\n0," + nbA + "\n", "arch,cifar100_accuracy,score\n|x~0|,1,2\n", ErrUnknownArch, CandidatesFile, 2},
		{"candidate NaN", "index,arch\n0," + nbA + "\n", "arch,cifar100_accuracy,score\n" + nbA + ",nan,2\n", ErrNaN, CandidatesFile, 2},
		{"candidate duplicate", "index,arch\n0," + nbA + "\n", "arch,cifar100_accuracy,score\n" + nbA + ",1,2\n" + nbA + ",1,2\n", ErrDuplicate, CandidatesFile, 3},
		{"candidate header", "index,arch\n0," + nbA + "\n", "arch,acc,score\n", ErrHeader, CandidatesFile, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"latency.csv": {Data: []byte(goodLatency)},
				ReferenceFile: {Data: []byte(tc.ref)},
			}
			if tc.cand != "" {
				fsys[CandidatesFile] = &fstest.MapFile{Data: []byte(tc.cand)}
			}
			_, err := LoadFS(fsys, ".")
			var pe *ParseError
			if !errors.Is(err, tc.want) || !errors.As(err, &pe) || pe.File != tc.file || pe.Line != tc.line {
				t.Errorf("error %v, want %v at %s:%d", err, tc.want, tc.file, tc.line)
			}
		})
	}
}

const ofaA = "r=204;d=2,2,2,2,3;ks=7,5,5,5,7,7,5,7,5,7,3,7,5,3,7,3,5,3,5,3;e=6,4,4,6,6,3,4,3,3,6,3,3,3,6,3,4,6,4,3,6"

func TestDetectSpace(t *testing.T) {
	for arch, want := range map[string]string{
		nbA:              NASBench201,
		fbA:              FBNet,
		"skip":           FBNet,
		"":               "",
		"k3_e1--skip":    "",
		"resnet":         "",
		"|a|":            "",
		"k3_e1-|none~0|": "",
		ofaA:             OFA,
		"r=204":          "",
	} {
		if got := DetectSpace(arch); got != want {
			t.Errorf("DetectSpace(%q) = %q, want %q", arch, got, want)
		}
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	tab, err := ReadCSV(strings.NewReader(goodLatency), "a")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tab.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(&buf, "b")
	if err != nil {
		t.Fatal(err)
	}
	if err := sameTable(tab, back); err != nil {
		t.Fatal(err)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add(goodLatency)
	f.Add("index,arch,d\n0," + fbA + ",1\n1,skip,2.25\n")
	f.Add("index,arch,d\n0," + nbA + ",\"1\"\n")
	f.Add("index,arch,d\n0,\"" + ofaA + "\",1\n")
	f.Add("index,arch,a,b\n0," + nbA + ",1,2\n\n1," + nbB + ",3,4\n")
	f.Fuzz(func(t *testing.T, s string) {
		tab, err := ReadCSV(strings.NewReader(s), "fuzz")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := tab.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSV(bytes.NewReader(buf.Bytes()), "rewritten")
		if err != nil {
			t.Fatalf("re-reading %q: %v", buf.String(), err)
		}
		if err := sameTable(tab, back); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzLoadFS fuzzes the reference and candidate files beside a valid
// table: any error must be a located *ParseError, and what loads must
// point at matching rows.
func FuzzLoadFS(f *testing.F) {
	f.Add("index,arch\n2,"+nbC+"\n0,"+nbA+"\n", "arch,cifar100_accuracy,score\n"+nbB+",70.5,0.01\n")
	f.Add("index,arch\n1,"+nbB+"\n", "arch,cifar100_accuracy,score\n")
	f.Fuzz(func(t *testing.T, ref, cand string) {
		fsys := fstest.MapFS{
			LatencyFile:    {Data: []byte(goodLatency)},
			ReferenceFile:  {Data: []byte(ref)},
			CandidatesFile: {Data: []byte(cand)},
		}
		tab, err := LoadFS(fsys, ".")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		for _, r := range tab.ReferenceRows() {
			if r < 0 || r >= tab.Len() {
				t.Fatalf("reference row %d out of range", r)
			}
		}
		for _, c := range tab.Candidates() {
			if tab.Arch(c.Row) != c.Arch {
				t.Fatalf("candidate %+v points at %q", c, tab.Arch(c.Row))
			}
		}
	})
}

// TestErrorsClipValues: an oversized field is shown clipped, so a 10 MB
// cell gives a short error line (it used to echo all 10 MB), still naming
// the place and the cause.
func TestErrorsClipValues(t *testing.T) {
	huge := strings.Repeat("9", 10<<20)
	hugeName := strings.Repeat("d", 10<<20)
	tests := []struct {
		name, csv string
		want      error
	}{
		{"latency", "index,arch,dev1\n0," + nbA + "," + huge + "x\n", ErrSyntax},
		{"index", "index,arch,dev1\n" + huge + "x," + nbA + ",1\n", ErrSyntax},
		{"arch", "index,arch,dev1\n0," + huge + ",1\n", ErrUnknownSpace},
		{"bad arch", "index,arch,dev1\n0,|" + huge + " ,1\n", ErrBadName},
		{"device", "index,arch," + hugeName + " \n", ErrBadName},
		{"header", "index," + hugeName + ",x\n", ErrHeader},
		{"duplicate device", "index,arch," + hugeName + "," + hugeName + "\n", ErrDuplicate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.csv), "latency.csv")
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %.300v, want %v", err, tc.want)
			}
			if msg := err.Error(); len(msg) > 600 || !strings.Contains(msg, "latency.csv:") || !strings.Contains(msg, "bytes)") {
				t.Errorf("error of %d bytes, want a clipped one naming the file: %.300s", len(msg), msg)
			}
		})
	}
	tab, err := ReadCSV(strings.NewReader(goodLatency), "latency.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := tab.CheckDevices(hugeName); err == nil || len(err.Error()) > 600 {
		t.Errorf("CheckDevices(10 MB name): error of %d bytes", len(fmt.Sprint(err)))
	}
}
