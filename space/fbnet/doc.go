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
//
// # The network
//
// The CIFAR-100 network HW-NAS-Bench measured and HELP's FBNet latencies
// come from is FBNet_Infer in RICE-EIC/HW-NAS-Bench,
// hw_nas_bench_api/fbnet_models/model_infer.py (dataset "cifar100"; the
// same skeleton drives fbnet_get_metrics in hw_nas_bench_api.py). Batch 1,
// input 3x32x32; every convolution is bias-free and followed by a BN:
//
//	stem     conv3x3 3->16 stride 1 pad 1 + BN + ReLU          16x32x32
//	stage 0  1 layer  16 ->  16, stride 1                       16x32x32
//	stage 1  4 layers 16 ->  24, stride 1                       24x32x32
//	stage 2  4 layers 24 ->  32, stride 2                       32x16x16
//	stage 3  4 layers 32 ->  64, stride 2                       64x8x8
//	stage 4  4 layers 64 -> 112, stride 1                      112x8x8
//	stage 5  4 layers 112 -> 184, stride 2                     184x4x4
//	stage 6  1 layer 184 -> 352, stride 1                      352x4x4
//	head     conv1x1 352->1504 + BN + ReLU, global average pool,
//	         linear 1504->100 (with bias)                        100
//
// Only a stage's first layer changes width and applies the stage's
// stride; the other layers keep both (Skeleton lists the 22 shapes). A
// block kK_eE[_g2] with input Cin, output Cout, stride s, E*Cin = M and
// groups g (1, or 2 for _g2) is ConvBlock:
//
//	conv1x1 Cin->M, groups g + BN + ReLU
//	channel shuffle (g > 1): view (g, M/g) -> transpose -> M channels
//	depthwise convKxK M->M, stride s, pad K/2 (1 or 2) + BN + ReLU
//	conv1x1 M->Cout, groups g + BN (no ReLU)
//	+ the block's input when s == 1 and Cin == Cout
//
// skip is the identity when s == 1 and Cin == Cout, else conv1x1
// Cin->Cout stride s + BN + ReLU (Skip; no residual around it).
//
// # Cost and features
//
// FLOPs and Params count multiply-accumulates and trainable parameters
// (conventions in FLOPs). Features gives NumFeatures analytic structural
// quantities summed over the 22 layers (MACs per convolution kind,
// activation sizes, parameters, block, shuffle, residual, 5x5 and
// projection terms, and a constant) for a linear latency model;
// FeatureScales gives each feature's exact maximum over the space, a
// positive normaliser.
package fbnet
