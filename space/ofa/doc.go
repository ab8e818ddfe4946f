// Package ofa is HELP's third search space: Once-for-All MobileNetV3
// subnetworks on ImageNet (1,000 classes), as HELP measured them.
//
// # Architecture strings
//
// An architecture is an input resolution, a depth per stage and a kernel
// size and expansion ratio for each of the 20 block slots:
//
//	r=204;d=2,2,2,2,3;ks=7,5,5,5,7,7,5,7,5,7,3,7,5,3,7,3,5,3,5,3;e=6,4,4,6,6,3,4,3,3,6,3,3,3,6,3,4,6,4,3,6
//
// Resolution 128..224 in steps of 4, depths 2..4, kernels 3/5/7,
// expansions 3/4/6. Stage s runs slots 4s..4s+d[s]-1; the other slots of
// the stage are inactive. Arch keeps them (HELP's table lists them, and
// String must reproduce its strings); Canonical sets them to 3 and 3, so
// two Arch values build the same network exactly when their Canonical
// forms are equal.
//
// # Encoding (HELP's utils.arch_encoding_ofa)
//
// Encode writes EncodedLen = 145 values: a one-hot kernel size per slot
// (3 values per slot in the order 3, 5, 7: 60), a one-hot expansion per
// slot (order 3, 4, 6: 60), and a one-hot resolution ((r-128)/4 of 25).
// Inactive slots are all zero.
//
// # The network
//
// OFAMobileNetV3 of OFA's ofa_mbv3.py (vendored in HELP's repository)
// with width_mult 1.2: HELP evaluates its subnetworks with
// ofa_net('ofa_mbv3_d234_e346_k357_w1.2') (validate_imagenet.py in
// HayeonLee/HELP; the supernet with kernels 3/5/7, expansions 3/4/6 and
// depths 2/3/4 of this space). make_divisible(base*1.2, 8) of the base
// widths 16, 16, 24, 40, 80, 112, 160, 960, 1280 gives
//
//	stem      conv3x3/2 3->24 + BN + h-swish                     24 x r/2
//	block 0   dw3x3 24 + BN + ReLU, 1x1 24->24 + BN, + input     24 x r/2
//	stage 1   d[0] blocks -> 32,  first stride 2, ReLU
//	stage 2   d[1] blocks -> 48,  first stride 2, ReLU, SE
//	stage 3   d[2] blocks -> 96,  first stride 2, h-swish
//	stage 4   d[3] blocks -> 136, stride 1,       h-swish, SE
//	stage 5   d[4] blocks -> 192, first stride 2, h-swish, SE
//	final     1x1 192->1152 + BN + h-swish, global average pool,
//	          1x1 1152->1536 (no BN, no bias) + h-swish,
//	          linear 1536->1000 (with bias)
//
// A block with input In, kernel k and expansion e is MBConvLayer:
//
//	1x1 In->Mid + BN + act, Mid = make_divisible(round(In*e), 8)
//	depthwise kxk/stride Mid + BN + act (same padding k/2)
//	[SE: mean over pixels, 1x1 Mid->SEMid + bias, ReLU,
//	     1x1 SEMid->Mid + bias, h-sigmoid, scale the channels;
//	     SEMid = make_divisible(Mid/4, 8)]
//	1x1 Mid->Out + BN
//	+ the input when stride 1 and In == Out
//
// Strided layers give ceil(size/2), so r = 204 runs at 102, 51, 26, 13,
// 13, 7. Blocks lists the active blocks' shapes.
//
// # Cost and features
//
// FLOPs and Params follow OFA's flops_counter.py (conventions in FLOPs).
// Features gives NumFeatures analytic quantities (1x1 MACs by expansion,
// depthwise MACs by kernel, SE MACs, activation sizes, h-swish and
// residual elements, parameters, block count, the resolution-only stem
// and head, pixels, resolution and a constant) for a linear latency
// model; FeatureScales gives each one's exact maximum over the space.
package ofa
