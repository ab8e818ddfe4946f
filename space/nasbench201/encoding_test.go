package nasbench201

import (
	"errors"
	"slices"
	"testing"
)

func TestDAGEdges(t *testing.T) {
	// The op-node graph as HELP/NASLib draw it (see the data README).
	want := [][2]int{{0, 1}, {0, 2}, {0, 4}, {1, 3}, {1, 5}, {2, 6}, {3, 6}, {4, 7}, {5, 7}, {6, 7}}
	got := DAGEdges()
	less := func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	}
	slices.SortFunc(got, less)
	if !slices.Equal(got, want) {
		t.Fatalf("DAGEdges = %v, want %v", got, want)
	}
}

func TestEncodeKnown(t *testing.T) {
	a := MustParse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
	enc := Encode(nil, a, DefaultTypeOrder)
	if len(enc) != EncodedLen || EncodedLen != 9*8+9*9 {
		t.Fatalf("len = %d, EncodedLen = %d, want %d", len(enc), EncodedLen, 9*8+9*9)
	}
	// Columns: input, avg_pool, conv1x1, conv3x3, none, skip, output, global.
	wantX := [NumNodes][NumFeatures]float64{
		{1, 0, 0, 0, 0, 0, 0, 0}, // input
		{0, 0, 0, 1, 0, 0, 0, 0}, // edge 1<-0 nor_conv_3x3
		{0, 0, 0, 1, 0, 0, 0, 0}, // edge 2<-0 nor_conv_3x3
		{0, 1, 0, 0, 0, 0, 0, 0}, // edge 2<-1 avg_pool_3x3
		{0, 0, 0, 0, 0, 1, 0, 0}, // edge 3<-0 skip_connect
		{0, 0, 0, 1, 0, 0, 0, 0}, // edge 3<-1 nor_conv_3x3
		{0, 0, 0, 0, 0, 1, 0, 0}, // edge 3<-2 skip_connect
		{0, 0, 0, 0, 0, 0, 1, 0}, // output
		{0, 0, 0, 0, 0, 0, 0, 1}, // global
	}
	// A[i][j] = 1 iff j->i or i == j; row 8 all ones.
	wantA := [NumNodes][NumNodes]float64{
		{1, 0, 0, 0, 0, 0, 0, 0, 0},
		{1, 1, 0, 0, 0, 0, 0, 0, 0},
		{1, 0, 1, 0, 0, 0, 0, 0, 0},
		{0, 1, 0, 1, 0, 0, 0, 0, 0},
		{1, 0, 0, 0, 1, 0, 0, 0, 0},
		{0, 1, 0, 0, 0, 1, 0, 0, 0},
		{0, 0, 1, 1, 0, 0, 1, 0, 0},
		{0, 0, 0, 0, 1, 1, 1, 1, 0},
		{1, 1, 1, 1, 1, 1, 1, 1, 1},
	}
	for i := range NumNodes {
		if got := enc[i*NumFeatures : (i+1)*NumFeatures]; !slices.Equal(got, wantX[i][:]) {
			t.Errorf("X row %d = %v, want %v", i, got, wantX[i])
		}
		if got := enc[FeaturesLen+i*NumNodes : FeaturesLen+(i+1)*NumNodes]; !slices.Equal(got, wantA[i][:]) {
			t.Errorf("A row %d = %v, want %v", i, got, wantA[i])
		}
	}
}

// TestEncodeAddGlobalNode rebuilds A the way HELP's add_global_node does
// (pad M with a ones column and zero row, set the diagonal, transpose) and
// checks features are one-hot, for every architecture and a few orders.
func TestEncodeAddGlobalNode(t *testing.T) {
	var m [NumNodes][NumNodes]float64
	for _, e := range DAGEdges() {
		m[e[0]][e[1]] = 1
	}
	for i := range NumNodes - 1 {
		m[i][GlobalNode] = 1
	}
	for i := range NumNodes {
		m[i][i] = 1
	}
	orders := AllTypeOrders()
	enc := make([]float64, EncodedLen)
	for _, a := range Enumerate() {
		order := orders[a.Index()%len(orders)]
		enc = Encode(enc, a, order)
		for i := range NumNodes {
			for j := range NumNodes {
				if got := enc[FeaturesLen+i*NumNodes+j]; got != m[j][i] {
					t.Fatalf("%v: A[%d][%d] = %v, want %v", a, i, j, got, m[j][i])
				}
			}
			row := enc[i*NumFeatures : (i+1)*NumFeatures]
			var sum float64
			for _, v := range row {
				sum += v
			}
			if sum != 1 {
				t.Fatalf("%v: feature row %d = %v is not one-hot", a, i, row)
			}
			var want NodeType
			switch i {
			case 0:
				want = InputNode
			case 7:
				want = OutputNode
			case GlobalNode:
				if row[NumNodeTypes] != 1 {
					t.Fatalf("%v: global node row = %v", a, row)
				}
				continue
			default:
				want = NodeType(a[i-1])
			}
			c := slices.Index(order[:], want)
			if row[c] != 1 {
				t.Fatalf("%v order %v: node %d row %v, want column %d set", a, order, i, row, c)
			}
		}
	}
}

func TestEncodeReuse(t *testing.T) {
	a := MustParse("|none~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|")
	b := MustParse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	fresh := Encode(nil, a, DefaultTypeOrder)
	buf := Encode(nil, b, DefaultTypeOrder)
	for i := range buf {
		buf[i] = 7 // garbage must be overwritten
	}
	got := Encode(buf, a, DefaultTypeOrder)
	if &got[0] != &buf[0] || !slices.Equal(got, fresh) {
		t.Fatalf("Encode into reused dst = %v, want %v in the same buffer", got, fresh)
	}
	if n := testing.AllocsPerRun(100, func() { Encode(buf, a, DefaultTypeOrder) }); n != 0 {
		t.Errorf("Encode into a large enough dst allocates %v times", n)
	}
	// A longer dst is resliced, not reallocated.
	long := make([]float64, 2*EncodedLen)
	if got := Encode(long, a, DefaultTypeOrder); len(got) != EncodedLen || &got[0] != &long[0] {
		t.Errorf("Encode into a longer dst: len %d, reused %v", len(got), &got[0] == &long[0])
	}
}

func TestEncodeInvalidOrderPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Encode with a repeated type did not panic")
		}
	}()
	bad := DefaultTypeOrder
	bad[1] = bad[0]
	Encode(nil, Arch{}, bad)
}

func TestTypeOrder(t *testing.T) {
	const def = "input,avg_pool_3x3,nor_conv_1x1,nor_conv_3x3,none,skip_connect,output"
	if s := DefaultTypeOrder.String(); s != def {
		t.Errorf("DefaultTypeOrder = %q, want %q", s, def)
	}
	o, err := ParseTypeOrder(" input, avg_pool_3x3,nor_conv_1x1,nor_conv_3x3,none,skip_connect,output")
	if err != nil || o != DefaultTypeOrder {
		t.Errorf("ParseTypeOrder = %v, %v", o, err)
	}
	for _, s := range []string{
		"",
		"input,output",
		"input,avg_pool_3x3,nor_conv_1x1,nor_conv_3x3,none,skip_connect,output,input",
		"input,avg_pool_3x3,nor_conv_1x1,nor_conv_3x3,none,none,output",
		"input,avg_pool_3x3,nor_conv_1x1,nor_conv_3x3,none,skip,output",
	} {
		if _, err := ParseTypeOrder(s); !errors.Is(err, ErrTypeOrder) {
			t.Errorf("ParseTypeOrder(%q) error = %v, want ErrTypeOrder", s, err)
		}
	}
	all := AllTypeOrders()
	if len(all) != 5040 || all[0] != DefaultTypeOrder {
		t.Fatalf("AllTypeOrders: %d orders, first %v", len(all), all[0])
	}
	seen := map[TypeOrder]bool{}
	for _, o := range all {
		if !o.Valid() || seen[o] {
			t.Fatalf("AllTypeOrders: %v invalid or repeated", o)
		}
		seen[o] = true
		back, err := ParseTypeOrder(o.String())
		if err != nil || back != o {
			t.Fatalf("round trip of %v: %v, %v", o, back, err)
		}
	}
}

func FuzzParseTypeOrder(f *testing.F) {
	f.Add("input,avg_pool_3x3,nor_conv_1x1,nor_conv_3x3,none,skip_connect,output")
	f.Add("output,none,input,skip_connect,nor_conv_3x3,nor_conv_1x1,avg_pool_3x3")
	f.Add("input,,")
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseTypeOrder(s)
		if err != nil {
			return
		}
		if !o.Valid() {
			t.Fatalf("ParseTypeOrder(%q) accepted invalid %v", s, o)
		}
		back, err := ParseTypeOrder(o.String())
		if err != nil || back != o {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
	})
}

var sinkEnc []float64

func BenchmarkEncodeAll(b *testing.B) {
	all := Enumerate()
	buf := make([]float64, EncodedLen)
	for b.Loop() {
		for _, a := range all {
			buf = Encode(buf, a, DefaultTypeOrder)
		}
	}
	sinkEnc = buf
}
