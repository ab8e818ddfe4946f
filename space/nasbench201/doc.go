// Package nasbench201 is the NAS-Bench-201 search space: a cell of 4 nodes
// whose 6 edges each carry one of 5 operations, stacked into the CIFAR
// macro skeleton. It parses, validates, formats and enumerates architecture
// strings and derives what other packages need from a cell (graph
// encoding, FLOPs, parameter count).
//
// # Architecture strings
//
// The canonical form lists the edges into node 1, node 2 and node 3, each
// edge as op~source:
//
//	|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
//
// Edge i of an Arch is the i-th edge in that string: (1<-0), (2<-0),
// (2<-1), (3<-0), (3<-1), (3<-2).
//
// # Graph encoding (HELP's GCN input)
//
// Encode turns a cell into an operation-on-node DAG of 8 nodes plus a
// global node:
//
//	node 0      input
//	nodes 1..6  the operations of edges 0..5 (string order)
//	node 7      output
//	node 8      global node, linked from every node
//
// Node k (1..6) feeds node m when edge k-1 ends where edge m-1 starts; the
// input feeds the edges leaving cell node 0, and the edges entering cell
// node 3 feed the output: input->{1,2,4}, 1->{3,5}, 2->6, 3->6,
// {4,5,6}->output (DAGEdges).
//
// The result is one flat []float64 of EncodedLen = 153 values, both parts
// row-major:
//
//	[0, FeaturesLen)           X, NumNodes x NumFeatures (9x8): X[i][c] = 1
//	                           iff node i has type TypeOrder[c] (c < 7);
//	                           X[8][7] = 1 marks the global node, whose
//	                           type one-hot is empty.
//	[FeaturesLen, EncodedLen)  A, NumNodes x NumNodes (9x9): A[i][j] = 1 iff
//	                           node i aggregates from node j, that is j->i
//	                           is a DAG edge or i == j. Row 8 is all ones.
//
// This is HELP's add_global_node: the DAG adjacency M (M[i][j] = 1 for
// i->j) with a column of ones appended, a zero row, ones on the diagonal,
// transposed. The node type order is not published with HELP; see
// DefaultTypeOrder.
//
// Encode writes into a caller's dst and allocates only when dst is too
// short, so encoding all 15,625 cells can reuse one buffer.
//
// # Cost
//
// FLOPs and Params count the CIFAR-10 network (batch 1, 3x32x32 input) the
// way NAS-Bench-201 does; FLOPs documents exactly what is counted.
package nasbench201
