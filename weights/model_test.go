package weights

import (
	"path/filepath"
	"testing"

	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

func TestModelShipped(t *testing.T) {
	m, err := Model("nasbench201")
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Space != "nasbench201" || !m.Config.HWEmbed || !m.Config.Modulator || !m.Config.MetaSGD {
		t.Errorf("config %+v: want HELP's full nasbench201 model", m.Config)
	}
	if _, err := nasbench201.ParseTypeOrder(m.Meta.Encoding); err != nil {
		t.Errorf("metadata type order %q: %v", m.Meta.Encoding, err)
	}
	if m.Meta.Command == "" || m.Meta.Episode == 0 {
		t.Errorf("metadata %+v lacks the training command or the kept episode", m.Meta)
	}
}

// TestModelShippedRanks adapts the shipped model to one meta-test device
// with 10 support samples and checks it ranks the query pool well (gold_6226:
// about 0.99 with the authors' checkpoint); docs/RESULTS.md has the full
// evaluation.
func TestModelShippedRanks(t *testing.T) {
	dir := shareddata.Dir(t)
	tab, err := latency.Load(filepath.Join(dir, latency.NASBench201))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := latency.Standard(latency.NASBench201)
	m, err := Model("nasbench201")
	if err != nil {
		t.Fatal(err)
	}
	order, err := nasbench201.ParseTypeOrder(m.Meta.Encoding)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := tab.Device("gold_6226", p.Pools)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(rows []int) [][]float64 {
		xs := make([][]float64, len(rows))
		for i, r := range rows {
			xs[i] = nasbench201.Encode(nil, nasbench201.MustParse(tab.Arch(r)), order)
		}
		return xs
	}
	// Train is sorted by latency: take 10 spread over the range.
	var support []int
	for i := range 10 {
		support = append(support, dev.Train[i*len(dev.Train)/10])
	}
	ad, err := m.Adapt(dev.Embedding, enc(support), dev.Normalised(nil, support), predictor.AdaptOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	pred := ad.PredictTo(nil, enc(dev.Query))
	if rho := rank.Spearman(pred, dev.Normalised(nil, dev.Query)); rho < 0.95 {
		t.Errorf("gold_6226 Spearman %.4f, want >= 0.95", rho)
	} else {
		t.Logf("gold_6226 Spearman %.4f", rho)
	}
}
