package nasbench201

import (
	"errors"
	"fmt"
	"strings"
)

// Op is the operation on one edge of the cell.
type Op uint8

// The five operations, in the order NAS-Bench-201 lists them.
const (
	None Op = iota
	SkipConnect
	Conv1x1
	Conv3x3
	AvgPool3x3
	NumOps
)

var opNames = [NumOps]string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}

// String returns the operation's name as it appears in architecture strings.
func (o Op) String() string {
	if o < NumOps {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// ParseOp returns the operation named s.
func ParseOp(s string) (Op, error) {
	for i, n := range opNames {
		if s == n {
			return Op(i), nil
		}
	}
	return 0, fmt.Errorf("unknown operation %q (want one of %s)", s, strings.Join(opNames[:], ", "))
}

// NumEdges is the number of edges in a cell.
const NumEdges = 6

// NumArchs is the size of the search space, NumOps^NumEdges.
const NumArchs = 15625

// Edge describes where edge i of the cell runs: from node From to node To.
type Edge struct{ From, To int }

// Edges lists the cell's edges in string order.
var Edges = [NumEdges]Edge{{0, 1}, {0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 3}}

// Arch is one cell: the operation on each edge, in string order.
type Arch [NumEdges]Op

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("malformed NAS-Bench-201 architecture")

// Parse reads an architecture string in the canonical form. The error names
// the node and edge at fault.
func Parse(s string) (Arch, error) {
	var a Arch
	if len(s) > 256 {
		return a, fmt.Errorf("%w: %d bytes is longer than any valid string", ErrSyntax, len(s))
	}
	nodes := strings.Split(s, "+")
	if len(nodes) != 3 {
		return a, fmt.Errorf("%w %q: want 3 node groups joined by '+', got %d", ErrSyntax, s, len(nodes))
	}
	e := 0
	for n, group := range nodes {
		node := n + 1
		if len(group) < 2 || group[0] != '|' || group[len(group)-1] != '|' {
			return a, fmt.Errorf("%w %q: node %d group %q must start and end with '|'", ErrSyntax, s, node, group)
		}
		edges := strings.Split(group[1:len(group)-1], "|")
		if len(edges) != node {
			return a, fmt.Errorf("%w %q: node %d wants %d incoming edges, got %d", ErrSyntax, s, node, node, len(edges))
		}
		for src, edge := range edges {
			name, from, ok := strings.Cut(edge, "~")
			if !ok {
				return a, fmt.Errorf("%w %q: node %d edge %q lacks '~source'", ErrSyntax, s, node, edge)
			}
			if from != fmt.Sprint(src) {
				return a, fmt.Errorf("%w %q: node %d edge %d must come from node %d, got %q", ErrSyntax, s, node, src, src, from)
			}
			op, err := ParseOp(name)
			if err != nil {
				return a, fmt.Errorf("%w %q: node %d edge from %d: %v", ErrSyntax, s, node, src, err)
			}
			a[e] = op
			e++
		}
	}
	return a, nil
}

// MustParse is Parse for strings known to be valid, such as constants in
// tests; it panics on error.
func MustParse(s string) Arch {
	a, err := Parse(s)
	if err != nil {
		panic("nasbench201: " + err.Error())
	}
	return a
}

// String formats a in the canonical form accepted by Parse.
func (a Arch) String() string {
	var b strings.Builder
	for e, edge := range Edges {
		if e > 0 && edge.From == 0 {
			b.WriteString("+")
		}
		fmt.Fprintf(&b, "|%s~%d", a[e], edge.From)
		if e == NumEdges-1 || Edges[e+1].From == 0 {
			b.WriteString("|")
		}
	}
	return b.String()
}

// Index is a's position in Enumerate's order: the edges read as a base-5
// number, edge 0 most significant. It is not HELP's or NAS-Bench-201's
// index; latency tables carry their own.
func (a Arch) Index() int {
	i := 0
	for _, op := range a {
		i = i*int(NumOps) + int(op)
	}
	return i
}

// FromIndex is the inverse of Index.
func FromIndex(i int) Arch {
	if i < 0 || i >= NumArchs {
		panic(fmt.Sprintf("nasbench201: index %d out of range [0,%d)", i, NumArchs))
	}
	var a Arch
	for e := NumEdges - 1; e >= 0; e-- {
		a[e] = Op(i % int(NumOps))
		i /= int(NumOps)
	}
	return a
}

// Enumerate returns all NumArchs cells in Index order.
func Enumerate() []Arch {
	all := make([]Arch, NumArchs)
	for i := range all {
		all[i] = FromIndex(i)
	}
	return all
}
