package nasbench201

import (
	"errors"
	"fmt"
	"strings"
)

// Sizes of the encoding.
const (
	NumNodes     = 9 // input, 6 operations, output, global
	NumNodeTypes = 7 // input, output and the 5 operations
	NumFeatures  = NumNodeTypes + 1
	FeaturesLen  = NumNodes * NumFeatures
	AdjacencyLen = NumNodes * NumNodes
	EncodedLen   = FeaturesLen + AdjacencyLen
	GlobalNode   = NumNodes - 1
)

// NodeType is the type of a node of the encoded graph: one of the five
// operations (NodeType(op) for an Op), InputNode or OutputNode.
type NodeType uint8

// The two node types that are not operations.
const (
	InputNode  = NodeType(NumOps)
	OutputNode = NodeType(NumOps) + 1
)

// String returns "input", "output" or the operation's name.
func (t NodeType) String() string {
	switch {
	case t < NodeType(NumOps):
		return Op(t).String()
	case t == InputNode:
		return "input"
	case t == OutputNode:
		return "output"
	}
	return fmt.Sprintf("NodeType(%d)", uint8(t))
}

// ParseNodeType returns the node type named s.
func ParseNodeType(s string) (NodeType, error) {
	switch s {
	case "input":
		return InputNode, nil
	case "output":
		return OutputNode, nil
	}
	op, err := ParseOp(s)
	if err != nil {
		return 0, fmt.Errorf("unknown node type %q (want input, output or an operation)", s)
	}
	return NodeType(op), nil
}

// TypeOrder assigns the node types to feature columns: column c holds the
// one-hot of type TypeOrder[c]. A valid TypeOrder is a permutation of the
// seven node types.
//
// HELP's original encoding file is not published, so the order is a
// finding, not a given: see DefaultTypeOrder.
type TypeOrder [NumNodeTypes]NodeType

// DefaultTypeOrder is input, avg_pool_3x3, nor_conv_1x1, nor_conv_3x3,
// none, skip_connect, output: NASLib's NAS-Bench-201 graph-encoding order,
// which scored best of all 5,040 orders with the authors' checkpoint in the
// data README's measurement.
var DefaultTypeOrder = TypeOrder{InputNode, NodeType(AvgPool3x3), NodeType(Conv1x1), NodeType(Conv3x3), NodeType(None), NodeType(SkipConnect), OutputNode}

// ErrTypeOrder is wrapped by every error ParseTypeOrder returns.
var ErrTypeOrder = errors.New("invalid node type order")

// ParseTypeOrder reads a comma-separated list of the seven node type
// names, e.g. "input,avg_pool_3x3,nor_conv_1x1,nor_conv_3x3,none,skip_connect,output".
// Spaces around names are ignored.
func ParseTypeOrder(s string) (TypeOrder, error) {
	var o TypeOrder
	names := strings.Split(s, ",")
	if len(names) != NumNodeTypes {
		return o, fmt.Errorf("%w %q: want %d comma-separated node types, got %d", ErrTypeOrder, s, NumNodeTypes, len(names))
	}
	var seen [NumNodeTypes]bool
	for c, name := range names {
		t, err := ParseNodeType(strings.TrimSpace(name))
		if err != nil {
			return o, fmt.Errorf("%w: position %d: %v", ErrTypeOrder, c+1, err)
		}
		if seen[t] {
			return o, fmt.Errorf("%w %q: %s appears twice", ErrTypeOrder, s, t)
		}
		seen[t] = true
		o[c] = t
	}
	return o, nil
}

// String formats o as ParseTypeOrder reads it.
func (o TypeOrder) String() string {
	names := make([]string, NumNodeTypes)
	for c, t := range o {
		names[c] = t.String()
	}
	return strings.Join(names, ",")
}

// Valid reports whether o is a permutation of the seven node types.
func (o TypeOrder) Valid() bool {
	_, ok := o.columns()
	return ok
}

// columns inverts o: the feature column of each node type.
func (o TypeOrder) columns() (col [NumNodeTypes]int, ok bool) {
	var seen [NumNodeTypes]bool
	for c, t := range o {
		if t >= NumNodeTypes || seen[t] {
			return col, false
		}
		seen[t] = true
		col[t] = c
	}
	return col, true
}

// AllTypeOrders returns all 5,040 permutations of DefaultTypeOrder in
// lexicographic order of positions within it, starting with
// DefaultTypeOrder itself.
func AllTypeOrders() []TypeOrder {
	var perm [NumNodeTypes]int
	for i := range perm {
		perm[i] = i
	}
	orders := make([]TypeOrder, 0, 5040)
	for {
		var o TypeOrder
		for c, p := range perm {
			o[c] = DefaultTypeOrder[p]
		}
		orders = append(orders, o)
		if !nextPermutation(perm[:]) {
			return orders
		}
	}
}

// nextPermutation advances p to its lexicographic successor, reporting
// false (and leaving p unchanged) at the last permutation.
func nextPermutation(p []int) bool {
	i := len(p) - 2
	for i >= 0 && p[i] >= p[i+1] {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(p) - 1
	for p[j] <= p[i] {
		j--
	}
	p[i], p[j] = p[j], p[i]
	for l, r := i+1, len(p)-1; l < r; l, r = l+1, r-1 {
		p[l], p[r] = p[r], p[l]
	}
	return true
}

// dagEdges lists the op-node DAG's edges (from, to), derived from Edges
// once: the graph does not depend on the operations.
var dagEdges = func() [][2]int {
	var e [][2]int
	for k, ek := range Edges {
		if ek.From == 0 {
			e = append(e, [2]int{0, k + 1})
		}
	}
	for k, ek := range Edges {
		for m, em := range Edges {
			if em.From == ek.To {
				e = append(e, [2]int{k + 1, m + 1})
			}
		}
	}
	for k, ek := range Edges {
		if ek.To == 3 {
			e = append(e, [2]int{k + 1, 7})
		}
	}
	return e
}()

// DAGEdges returns the edges (from, to) of the op-node DAG over nodes
// 0..7, without the global node and self loops.
func DAGEdges() [][2]int {
	return append([][2]int(nil), dagEdges...)
}

// Encode writes the GCN input of a under order into dst[:EncodedLen]
// (allocated if dst is shorter; every element is overwritten) and returns
// it. The layout is in the package comment. It panics if order is not a permutation of the node
// types (ParseTypeOrder and DefaultTypeOrder always are).
func Encode(dst []float64, a Arch, order TypeOrder) []float64 {
	col, ok := order.columns()
	if !ok {
		panic(fmt.Sprintf("nasbench201: Encode: type order %v is not a permutation of the %d node types", [NumNodeTypes]NodeType(order), NumNodeTypes))
	}
	if cap(dst) < EncodedLen {
		dst = make([]float64, EncodedLen)
	}
	dst = dst[:EncodedLen]
	clear(dst)
	x, adj := dst[:FeaturesLen], dst[FeaturesLen:]

	x[0*NumFeatures+col[InputNode]] = 1
	for k, op := range a {
		x[(k+1)*NumFeatures+col[op]] = 1
	}
	x[7*NumFeatures+col[OutputNode]] = 1
	x[GlobalNode*NumFeatures+NumNodeTypes] = 1

	for i := range NumNodes {
		adj[i*NumNodes+i] = 1
		adj[GlobalNode*NumNodes+i] = 1
	}
	for _, e := range dagEdges {
		adj[e[1]*NumNodes+e[0]] = 1
	}
	return dst
}
