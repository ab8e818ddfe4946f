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
//	// Weights: our format (weights.go), or the authors' checkpoint as JSON or
//	// the original PyTorch .pt; LoadFile sniffs which.
//	m, err := predictor.LoadFile(path)
//	m, err := predictor.Load(r)                       // HELPWASM format only
//	m, err := predictor.LoadHELPCheckpoint(path)      // help_reference_checkpoint.json
//	m, err := predictor.LoadHELPTorchCheckpoint(path) // help-original/.../help_max_corr.pt
//	err = m.Save(w)                                   // or m.SaveFile(path)
//
//	// Adapt to a device from ~10 measured (architecture, latency) pairs.
//	ad, err := m.Adapt(embedding, xs, ys, predictor.AdaptOptions{Seed: 1})          // HELP: 10 z samples
//	ad, err := m.Adapt(embedding, xs, ys, predictor.AdaptOptions{Mode: predictor.ZMean}) // 10x cheaper, ranks the same
//	ad, err := m.Adapt(embedding, xs, ys, predictor.AdaptOptions{Steps: predictor.NoSteps}) // the prior (teaching view)
//	dst = ad.PredictTo(dst, xs)  // normalised latency per row of xs; no allocation once dst is big enough
//	y := ad.Predict(x)
//
//	// Bulk: plan the whole space once, predict it after every adaptation.
//	all := m.NewBatch(xs)           // GCN: distinct node states; keep and reuse
//	dst = ad.PredictBatchTo(dst, all)
//
//	// Meta-training (helpwasm train builds the sampler from the latency tables).
//	m := predictor.New(predictor.NASBench201Config(), seed)
//	res, err := predictor.Train(ctx, m, &predictor.PoolSampler{Pools: pools, Support: 10, Query: 200},
//		predictor.TrainOptions{Episodes: 2000, Seed: seed, Validate: func(m *predictor.Model) (float64, error) {
//			return predictor.MeanSpearman(m, validTasks, predictor.AdaptOptions{Seed: seed})
//		}})
//
// Variants for baselines: Config.HWEmbed (hardware branch), Config.Modulator
// (z), Config.MetaSGD (learned inner rates; off = MAML with Config.InnerLR).
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
// At test time predictions are the mean over the z samples' adapted models,
// as the paper describes (the authors' evaluation loop happens to score the
// last sample's predictions). With Modulator on and HWEmbed off, z has
// 3*Hidden+3 dimensions so it matches the narrower head (the authors' code
// does not support that combination).
//
// # Speed
//
// The inner loop and meta-gradient use gonum's Dgemm (called tile by tile so
// it stays serial; Train parallelises across tasks). Query batches and bulk
// prediction evaluate the GCN over distinct node states: a graph
// convolution is linear before its ReLU, so nodes (in any architectures)
// whose inputs aggregate the same weighted states share their output. Bulk
// prediction (PredictBatchTo, and PredictTo from 512 architectures) runs
// in float32 on internal/affine32, which skips the zeros ReLU leaves in
// every activation row (about half) and has an AVX2/FMA kernel on amd64:
// 10 z samples of all 15,625 cells take under a second natively. It agrees
// with the float64 pass to about 1e-7 (TestBulkFloat32KeepsRanking).
//
// # Weights file
//
// "HELPWASM", version, a JSON header (Config, Metadata: type order, command,
// seed, episode, validation score; tensor names, shapes and dtypes), the
// tensors (float32; Meta-SGD rates binary16) and a CRC-32; see weights.go.
// About 0.79 MB for NAS-Bench-201. Load rejects corrupt, truncated or
// mismatched files naming the tensor and shape at fault.
//
// # Ownership and concurrency
//
// Functions ending in To write into dst (grown with append semantics when
// too short) and return it. Inputs are never modified or retained, except
// that an Adapted keeps its own copies of the adapted parameters and a
// Batch keeps references to its architectures (do not modify them). A
// *Model is safe for concurrent Adapt calls once loaded (Train modifies
// it); an *Adapted and a *Batch are NOT safe for concurrent use (they own
// reusable scratch buffers so prediction does not allocate). Programmer errors (wrong encoding length) panic with a
// "predictor:" prefix; data errors (NaN, corrupt files) are returned.
package predictor
