package atlas

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Point is a position on the 2-D device map.
type Point struct{ X, Y float64 }

// MapPoint is a known device's position on the map.
type MapPoint struct {
	Name  string
	Split Split
	Point
}

// fitMap computes the first two principal directions of the devices'
// embeddings.
func fitMap(devices []Device) (Map, error) {
	n, d := len(devices), len(devices[0].Embedding)
	x := mat.NewDense(n, d, nil)
	for i, dev := range devices {
		x.SetRow(i, dev.Embedding)
	}
	var pc stat.PC
	if !pc.PrincipalComponents(x, nil) {
		return Map{}, fmt.Errorf("%w: principal components of %d embeddings did not converge", ErrInvalid, n)
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	if _, c := vecs.Dims(); c < 2 {
		return Map{}, fmt.Errorf("%w: need at least 2 principal components, got %d", ErrInvalid, c)
	}
	vars := pc.VarsTo(nil)
	total := 0.0
	for _, v := range vars {
		total += v
	}
	m := Map{Mean: make([]float64, d)}
	for j := range d {
		m.Mean[j] = stat.Mean(mat.Col(nil, j, x), nil)
	}
	for k := range 2 {
		ax := mat.Col(nil, k, &vecs)
		// An eigenvector's sign is arbitrary; fix it so the map does not
		// flip between builds or platforms.
		big := 0
		for j := range ax {
			if math.Abs(ax[j]) > math.Abs(ax[big]) {
				big = j
			}
		}
		if ax[big] < 0 {
			for j := range ax {
				ax[j] = -ax[j]
			}
		}
		m.Axes[k] = ax
		if total > 0 {
			m.Explained[k] = vars[k] / total
		}
	}
	return m, nil
}

// Project places an embedding (normalised reference latencies, as Embed
// returns) on the device map. It panics if the length is wrong.
func (a *Atlas) Project(embedding []float64) Point {
	m := a.Map
	if len(embedding) != len(m.Mean) {
		panic(fmt.Sprintf("atlas: Project: embedding has %d values, want %d", len(embedding), len(m.Mean)))
	}
	var p [2]float64
	for k := range p {
		for j, e := range embedding {
			p[k] += (e - m.Mean[j]) * m.Axes[k][j]
		}
	}
	return Point{p[0], p[1]}
}

// Map2D returns every known device's position on the map, in atlas order.
func (a *Atlas) Map2D() []MapPoint {
	pts := make([]MapPoint, len(a.Devices))
	for i, d := range a.Devices {
		pts[i] = MapPoint{Name: d.Name, Split: d.Split, Point: a.Project(d.Embedding)}
	}
	return pts
}
