// Package predictor is HELP's hardware-adaptive latency predictor (Lee et
// al., NeurIPS 2021): a meta-learned regressor that, given a device's
// hardware embedding and a handful of measured latencies, adapts in two
// gradient steps and ranks architectures by predicted latency.
//
// The package never imports a search space. Architectures arrive as flat
// []float64 produced by a space's Encode function; the Config says which
// architecture encoder reads them.
//
// # API at a glance
//
//	m, err := predictor.LoadFile("weights/nasbench201.helpw") // our format or the authors' JSON checkpoint
//	m, err := predictor.Load(r)                               // our format from a reader
//	m, err := predictor.LoadHELPCheckpoint(path)              // authors' help_reference_checkpoint.json
//	err = m.Save(w)
//
//	ad, err := m.Adapt(embedding, xs, ys, predictor.AdaptOptions{Seed: 1})
//	dst = ad.PredictTo(dst[:0], xs)   // normalised latencies, one per row of xs
//	y := ad.Predict(x)                // one architecture
//
//	m := predictor.New(predictor.NASBench201Config(), seed)
//	res, err := predictor.Train(ctx, m, sampler, predictor.TrainOptions{Episodes: 2000, Seed: 1, ...})
//
// # Inputs and units
//
// embedding is the device's hardware embedding: the latencies of the space's
// reference architectures, min-max normalised among themselves (HELP's
// portion 1.0: min -> 0, max -> 1), length Config.EmbedDim (10).
//
// ys and predictions are NORMALISED latencies (dimensionless), never ms:
// y = (t-min)/(max-min)*0.9 + 0.05 with min/max chosen by the caller (the
// device's training pool in HELP's protocol, or the 12 anchor architectures
// for a new device). Converting back to milliseconds is the caller's job.
//
// # Architecture encodings (one []float64 per architecture)
//
// EncoderGCN (NAS-Bench-201): length NumNodes*NodeFeatures + NumNodes*NumNodes
// = 9*8 + 9*9 = 153. First the node features (NumNodes rows of NodeFeatures,
// row-major), then the aggregation matrix A (NumNodes x NumNodes, row-major)
// with A[i][j] = 1 iff node i aggregates from node j (self loops included).
// The model reads out the LAST node (the global node).
//
// EncoderMLP (FBNet): length InputDim (132), used as is.
//
// # Model (HELP, nasbench201 shapes)
//
//	arch: 4 x GraphConvolution  h = ReLU(A (h W) + b), W [in,out]: 8->100->100->100->100, read node 8
//	      (FBNet: fc1 132->100 ReLU, fc2 100->100 ReLU)
//	hw:   fc_hw1 10->100 ReLU, fc_hw2 100->100 ReLU on the embedding (HWEmbed)
//	head: concat[arch, hw] -> fc3 200->200 ReLU -> fc4 200->200 ReLU -> fc5 200->1
//	z:    z_encoder 10->10 ReLU ->1206; mu = out[:603], sigma = softplus(out[603:])
//	      fc3/fc4/fc5 weights scaled per INPUT column by (1 + 0.01 z_w), biases + 0.01 z_b
//	Meta-SGD: 2 inner steps theta -= task_lr .* grad MSE(support) over all model params.
//
// Linear weights are stored as PyTorch does, [out,in]; GraphConvolution
// weights [in,out]. Tensor names are the PyTorch state-dict names
// ("meta_learner.fc3.weight", "z_encoder.2.bias", ...).
//
// # Meta-objective
//
// Per episode, Tasks devices; for each, adapt on the support set, then
// loss = mean over tasks of (MSE_query(adapted) + KLScale*KL_t). The authors'
// code adds the LAST task's KL once per task (Tasks*KLScale*KL_last); this
// package uses the clean per-task mean. The meta-gradient is exact second
// order (Hessian-vector products by Pearlmutter's R-operator through both
// inner steps) unless TrainOptions.FirstOrder is set.
//
// # Ownership and concurrency
//
// Functions ending in To write into dst (grown with append semantics when
// too short) and return it. Inputs are never modified or retained, except
// that an Adapted keeps its own copies of the adapted parameters. A *Model
// is safe for concurrent Adapt calls once loaded; an *Adapted is NOT safe for
// concurrent use (it owns reusable scratch buffers so PredictTo does not
// allocate). Programmer errors (wrong encoding length) panic with a
// "predictor:" prefix; data errors (NaN, corrupt files) are returned.
package predictor
