package dataset

import (
	"fmt"
	"math"

	"github.com/helpwasm/helpwasm/internal/orderstat"
	"github.com/helpwasm/helpwasm/rank"
)

// Scores are one device's scores, one per seed.
type Scores struct {
	Spearman, Kendall []float64
	// MdAPE is the median absolute percentage error of the predicted
	// milliseconds over the query pool, for rankers that predict ms (nil
	// otherwise).
	MdAPE []float64
}

// Evaluate scores rk on each device over seeds seed..seed+seeds-1:
// Spearman and Kendall tau-b of the predictions against the measured
// latencies of the device's trimmed query pool, and the MdAPE where the
// predictions are milliseconds.
func Evaluate(d *Data, rk Ranker, devices []string, seed uint64, seeds int) (map[string]Scores, error) {
	if err := d.Table.CheckDevices(devices...); err != nil {
		return nil, err
	}
	out := make(map[string]Scores, len(devices))
	var ws rank.Workspace
	for _, name := range devices {
		dev, err := d.Device(name)
		if err != nil {
			return nil, err
		}
		truth := make([]float64, len(dev.Query))
		for i, r := range dev.Query {
			truth[i] = dev.Latency[r]
		}
		var st Scores
		for s := range uint64(seeds) {
			p, err := rk(dev, seed+s)
			if err != nil {
				return nil, err
			}
			if len(p.Values) != len(truth) {
				panic(fmt.Sprintf("dataset: ranker gave %d values for %d query architectures", len(p.Values), len(truth)))
			}
			st.Spearman = append(st.Spearman, ws.Spearman(p.Values, truth))
			st.Kendall = append(st.Kendall, ws.Kendall(p.Values, truth))
			if p.MS {
				st.MdAPE = append(st.MdAPE, MdAPE(p.Values, truth))
			}
		}
		out[name] = st
	}
	return out, nil
}

// MdAPE is the median over i of 100*|pred[i]-truth[i]|/truth[i].
func MdAPE(pred, truth []float64) float64 {
	e := make([]float64, len(truth))
	for i := range truth {
		e[i] = 100 * math.Abs(pred[i]-truth[i]) / truth[i]
	}
	return orderstat.Median(e)
}

// MeanStd returns the mean and the sample standard deviation (n-1; 0 for a
// single value, NaN for none).
func MeanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)-1))
}
