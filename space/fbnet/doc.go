// Package fbnet is the FBNet search space as HELP uses it (CIFAR-100,
// 32x32 input): 22 searchable layers, each one of 9 block choices.
//
// # Architecture strings
//
// An architecture is the 22 layer choices joined by '-':
//
//	k5_e6-skip-k3_e1_g2-skip-k5_e1-skip-skip-skip-k5_e6-k5_e1-k3_e1_g2-k5_e1-k5_e6-k3_e6-k3_e3-k5_e6-k3_e6-k3_e3-k5_e1-k3_e3-k5_e1-k5_e1_g2
//
// A choice kK_eE[_g2] is an inverted-residual block with a KxK depthwise
// kernel and expansion ratio E (g2: grouped 1x1 convolutions, 2 groups);
// skip drops the layer. Choice indices 0..8 follow HELP's metainfo.pt
// op_idx_list: k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3,
// k5_e6, skip (checked against all 5,000 published architectures).
//
// # Encoding (HELP's arch_enc)
//
// Encode writes EncodedLen = 22*6 = 132 values, 6 per layer in layer
// order: for skip all six are 0; otherwise value 0 is 1 for a 3x3 kernel,
// value 1 is 1 for a 5x5 kernel, and value 2+(index mod 4) is 1, so
// e1 -> 2, e1_g2 -> 3, e3 -> 4, e6 -> 5. Encode writes into the caller's
// dst and allocates only if dst is too short.
package fbnet
