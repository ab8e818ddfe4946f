package predictor_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/rank"
)

// HELP's meta-test devices with the lower of the independent numpy reference
// and the paper figure from the data README (authors' checkpoint, 10 samples, 2 steps, 10 z
// samples, mean over 5 seeds).
var metaTest = []struct {
	dev  string
	want float64
}{
	{"titan_rtx_256", 0.983}, {"gold_6226", 0.989}, {"fpga", 0.987},
	{"pixel2", 0.802}, {"raspi4", 0.866}, {"eyeriss", 0.891},
}

// TestReproduceHELPCheckpoint runs HELP's meta-test with the authors'
// checkpoint and checks each device against the reference figures. Seed
// noise (raspi4 varies by +-0.07 across seeds) sets the tolerances: per
// device no more than 0.06 below the lower of the reference and the paper on
// the mean of 3 seeds, and the mean over devices no more than 0.02 below the
// reference mean. (Scoring above the numpy reference is allowed: on eyeriss
// we land between it and the paper's 0.940.)
func TestReproduceHELPCheckpoint(t *testing.T) {
	d := loadNB(t)
	m, err := predictor.LoadHELPCheckpoint(filepath.Join(d.dir, "help_reference_checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	const seeds = 3
	sum, wantSum := 0.0, 0.0
	for _, mt := range metaTest {
		got := 0.0
		for s := range seeds {
			rng := rand.New(rand.NewPCG(uint64(s), 1))
			tk := d.task(mt.dev, 10, rng)
			ad, err := m.Adapt(tk.emb, tk.xs, tk.ys, predictor.AdaptOptions{Seed: uint64(s)})
			if err != nil {
				t.Fatal(err)
			}
			pred := ad.PredictTo(nil, tk.xq)
			got += rank.Spearman(pred, tk.yq) / seeds
		}
		t.Logf("%-14s spearman %.3f (reference %.3f)", mt.dev, got, mt.want)
		if got < mt.want-0.06 {
			t.Errorf("%s: spearman %.3f, reference %.3f", mt.dev, got, mt.want)
		}
		sum += got
		wantSum += mt.want
	}
	mean, want := sum/float64(len(metaTest)), wantSum/float64(len(metaTest))
	t.Logf("mean spearman %.3f (reference %.3f, paper 0.932)", mean, want)
	if mean < want-0.02 {
		t.Errorf("mean spearman %.3f, reference %.3f", mean, want)
	}
}

// TestMeanZRanksLikeSampling measures whether the cheap deterministic mode
// (z = mu, one adapted model) ranks the query pool as well as HELP's mean
// over 10 sampled z, on the meta-test devices with the authors' checkpoint.
func TestMeanZRanksLikeSampling(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: adapts 6 devices x 3 seeds twice")
	}
	d := loadNB(t)
	m, err := predictor.LoadHELPCheckpoint(filepath.Join(d.dir, "help_reference_checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	const seeds = 3
	var sumMC, sumMean float64
	for _, mt := range metaTest {
		var mc, mean float64
		for s := range seeds {
			tk := d.task(mt.dev, 10, rand.New(rand.NewPCG(uint64(s), 1)))
			for _, mode := range []predictor.ZMode{predictor.ZSample, predictor.ZMean} {
				ad, err := m.Adapt(tk.emb, tk.xs, tk.ys, predictor.AdaptOptions{Seed: uint64(s), Mode: mode})
				if err != nil {
					t.Fatal(err)
				}
				r := rank.Spearman(ad.PredictTo(nil, tk.xq), tk.yq) / seeds
				if mode == predictor.ZMean {
					mean += r
				} else {
					mc += r
				}
			}
		}
		t.Logf("%-14s 10 z samples %.3f, mean z %.3f", mt.dev, mc, mean)
		sumMC += mc / float64(len(metaTest))
		sumMean += mean / float64(len(metaTest))
	}
	t.Logf("mean over devices: 10 z samples %.3f, mean z %.3f", sumMC, sumMean)
	if sumMean < sumMC-0.01 {
		t.Errorf("mean z ranks worse than sampling by %.3f", sumMC-sumMean)
	}
}

// TestWeightsFormatKeepsRanking saves the authors' checkpoint in our format
// (float32, inner rates in binary16), loads it back and requires the
// meta-test predictions to rank the same (Spearman within 0.002 per device).
func TestWeightsFormatKeepsRanking(t *testing.T) {
	d := loadNB(t)
	m, err := predictor.LoadHELPCheckpoint(filepath.Join(d.dir, "help_reference_checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	t.Logf("authors' checkpoint in our format: %d bytes", buf.Len())
	m2, err := predictor.Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, mt := range metaTest {
		tk := d.task(mt.dev, 10, rand.New(rand.NewPCG(0, 1)))
		var r [2]float64
		for i, mm := range []*predictor.Model{m, m2} {
			ad, err := mm.Adapt(tk.emb, tk.xs, tk.ys, predictor.AdaptOptions{Mode: predictor.ZMean})
			if err != nil {
				t.Fatal(err)
			}
			r[i] = rank.Spearman(ad.PredictTo(nil, tk.xq), tk.yq)
		}
		if math.Abs(r[0]-r[1]) > 0.002 {
			t.Errorf("%s: spearman %.4f with float64 weights, %.4f after our format", mt.dev, r[0], r[1])
		}
	}
}

// TestBulkFloat32KeepsRanking compares, on every meta-test device with the
// authors' checkpoint and 10 z samples, the float32 bulk path (one call on
// the whole query pool) with the float64 forward pass (chunks below the
// bulk threshold). Tolerances: 1e-4 in normalised latency (the pool spans
// about 1) and a Spearman of at least 0.9999 between the two.
func TestBulkFloat32KeepsRanking(t *testing.T) {
	d := loadNB(t)
	m, err := predictor.LoadHELPCheckpoint(filepath.Join(d.dir, "help_reference_checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, mt := range metaTest {
		tk := d.task(mt.dev, 10, rand.New(rand.NewPCG(0, 1)))
		ad, err := m.Adapt(tk.emb, tk.xs, tk.ys, predictor.AdaptOptions{})
		if err != nil {
			t.Fatal(err)
		}
		bulk := ad.PredictTo(nil, tk.xq)
		plain := make([]float64, 0, len(tk.xq))
		for lo := 0; lo < len(tk.xq); lo += 256 {
			plain = append(plain, ad.PredictTo(nil, tk.xq[lo:min(lo+256, len(tk.xq))])...)
		}
		worst := 0.0
		for i := range bulk {
			worst = max(worst, math.Abs(bulk[i]-plain[i]))
		}
		r := rank.Spearman(bulk, plain)
		t.Logf("%-14s %d cells: max |float32 - float64| %.2g, Spearman %.6f", mt.dev, len(bulk), worst, r)
		if worst > 1e-4 || r < 0.9999 {
			t.Errorf("%s: float32 bulk path differs: max %.3g, Spearman %.6f", mt.dev, worst, r)
		}
	}
}
