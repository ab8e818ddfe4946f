package session

import (
	"fmt"
	"math"
	"strings"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/rank"
)

// BaselineNearest is the nearest known device's key among the baselines.
const BaselineNearest = "nearest_device"

// Comparison is one method's predictions against the measured latencies
// of the validation networks.
type Comparison struct {
	// Method is the key: a Method*, BaselineNearest, or a step's name.
	Method string
	// Label names it for people: "auto (the op-cost model)", "HELP",
	// "FLOPs", "nearest device (pixel3)", "after step 1".
	Label string
	// Unit is Predicted's: "ms", or "MFLOPs" for the FLOPs ranking.
	Unit      string
	Predicted []float64
	Measured  []float64 // ms
	Spearman  float64
	Kendall   float64
	// MedianAPE is the median |pred-ms|/ms of the method's ms predictions
	// (for FLOPs, its fit a + b*FLOPs); NaN for the nearest device,
	// whose latencies are another device's.
	MedianAPE float64
	// OnScale says Predicted are meant as this device's ms.
	OnScale bool
}

// Validation is a profile's validation: every method on the same
// networks, auto first, and HELP's adaptation step by step.
type Validation struct {
	Archs       []string
	Comparisons []Comparison
	Steps       []Comparison // before adaptation, after step 1, after step 2
	// Chosen is what auto settled on (a method or "stack").
	Chosen string
	// Leads are auto's Spearman minus FLOPs's and HELP's, each with a
	// paired-bootstrap interval over the validation networks (see Lead).
	Leads []Lead
}

// Lead is auto's rank correlation minus another method's on the validation
// networks. Near Spearman 0.99 two methods differ by a pair or two of
// networks, and which networks were drawn decides that much: the
// interval (rank.SpearmanDifference, 95%, over the networks) says whether
// the check can tell the two apart.
type Lead struct {
	Method, Label string
	rank.Difference
}

// Bootstrap settings of Lead: 2,000 resamples put the 2.5% and 97.5%
// quantiles within about 0.001 of their limit on 40 networks, and take
// about a millisecond.
const (
	leadResamples = 2000
	leadLevel     = 0.95
)

// Validate compares every method on d's validation timings, records the
// result in d.Profile.Validation (auto's predictions as predicted_ms, the
// others as baselines) and returns it. Comparisons whose rank correlation
// is undefined (a constant prediction or measurement) are left out, here
// and in the profile alike.
func (s *Session) Validate(d *Device) (*Validation, error) {
	pv := d.Profile.Validation
	if pv == nil || len(pv.Samples) < 2 {
		return nil, fmt.Errorf("session: validation needs at least 2 timed networks")
	}
	archs, err := s.parseTimings(pv.Samples)
	if err != nil {
		return nil, fmt.Errorf("validation: %w", err)
	}
	measured := make([]float64, len(archs))
	v := &Validation{Chosen: d.Chosen()}
	for i, t := range pv.Samples {
		measured[i] = t.MS
		v.Archs = append(v.Archs, t.Arch)
	}
	compare := func(method, label, unit string, pred []float64, ape float64) (Comparison, bool) {
		c := Comparison{Method: method, Label: label, Unit: unit, Predicted: pred, Measured: measured,
			Spearman: rank.Spearman(pred, measured), Kendall: rank.Kendall(pred, measured), MedianAPE: ape, OnScale: unit == "ms" && method != BaselineNearest}
		return c, !math.IsNaN(c.Spearman) && !math.IsNaN(c.Kendall)
	}
	ms := func(method string) []float64 {
		p, err := d.Predict(method, archs)
		if err != nil {
			panic(err) // the methods are ours
		}
		out := make([]float64, len(p))
		for i := range p {
			out[i] = p[i].MS
		}
		return out
	}
	add := func(c Comparison, ok bool) {
		if ok {
			v.Comparisons = append(v.Comparisons, c)
		}
	}
	auto := ms(MethodAuto)
	add(compare(MethodAuto, "auto ("+MethodName(d.Chosen())+")", "ms", auto, MedianAPE(auto, measured)))
	for _, m := range []string{MethodHELP, MethodOpCost} {
		pred := ms(m)
		add(compare(m, MethodName(m), "ms", pred, MedianAPE(pred, measured)))
	}
	flops := make([]float64, len(archs))
	for i, a := range archs {
		flops[i] = float64(s.cfg.Space.FLOPs(a)) / 1e6
	}
	add(compare(MethodFLOPs, "FLOPs", "MFLOPs", flops, MedianAPE(ms(MethodFLOPs), measured)))
	if name, pred, ok := s.nearestDevice(d, v.Archs); ok {
		add(compare(BaselineNearest, "nearest device ("+name+")", "ms", pred, math.NaN()))
	}

	if a, ok := v.Find(MethodAuto); ok {
		for _, m := range []string{MethodFLOPs, MethodHELP} {
			if c, ok := v.Find(m); ok {
				v.Leads = append(v.Leads, Lead{Method: m, Label: c.Label,
					Difference: rank.SpearmanDifference(a.Predicted, c.Predicted, measured, leadResamples, leadLevel, d.Profile.Protocol.Seed)})
			}
		}
	}

	// The profile keeps auto's predictions and every comparison.
	pv.Method = MethodAuto
	pv.Spearman, pv.Kendall, pv.MedianAPE = 0, 0, MedianAPE(auto, measured)
	pv.Baselines = map[string]measure.Correlation{}
	for i := range pv.Samples {
		pv.Samples[i].PredictedMS = &auto[i]
	}
	for _, c := range v.Comparisons {
		if c.Method == MethodAuto {
			pv.Spearman, pv.Kendall = c.Spearman, c.Kendall
			continue
		}
		corr := measure.Correlation{Spearman: c.Spearman, Kendall: c.Kendall}
		if !math.IsNaN(c.MedianAPE) {
			corr.MedianAPE = c.MedianAPE
		}
		pv.Baselines[c.Method] = corr
	}

	// Teaching: HELP's prior, then after each inner step.
	sup, err := s.parseTimings(d.Profile.Support)
	if err != nil {
		return nil, fmt.Errorf("support: %w", err)
	}
	sx := s.encodeAll(sup)
	sy := make([]float64, len(sup))
	for i, t := range d.Profile.Support {
		sy[i] = d.Scale.Normalise(t.MS)
	}
	vx := s.encodeAll(archs)
	for _, step := range []int{predictor.NoSteps, 1, 2} {
		ad, err := s.cfg.Model.Adapt(d.Embedding, sx, sy, predictor.AdaptOptions{Steps: step, Seed: d.Profile.Protocol.Seed})
		if err != nil {
			return nil, fmt.Errorf("adapting step by step: %w", err)
		}
		name := fmt.Sprintf("after step %d", step)
		if step == predictor.NoSteps {
			name = "before adaptation"
		}
		pred := d.Scale.DenormaliseTo(nil, ad.PredictTo(nil, vx))
		// An undefined correlation (equal measured timings) is left out,
		// as for the comparisons.
		if c, ok := compare(name, name, "ms", pred, MedianAPE(pred, measured)); ok {
			v.Steps = append(v.Steps, c)
		}
	}
	return v, nil
}

// nearestDevice is the nearest meta-train device by correlation of
// reference latencies, and its latencies of archs, if the atlas has them
// all (an imported profile's networks may lie outside its pool).
func (s *Session) nearestDevice(d *Device, archs []string) (string, []float64, bool) {
	at := s.cfg.Atlas
	near := at.NearestBy(d.Profile.ReferenceMS(), 1, atlas.Pearson, atlas.Train)
	if len(near) != 1 {
		return "", nil, false
	}
	pool, ok := at.PoolMS(near[0].Name)
	if !ok {
		return "", nil, false
	}
	idx := make(map[string]int, len(at.PoolArchs))
	for i, a := range at.PoolArchs {
		idx[a] = i
	}
	out := make([]float64, len(archs))
	for i, a := range archs {
		j, found := idx[a]
		if !found {
			return "", nil, false
		}
		out[i] = pool[j]
	}
	return near[0].Name, out, true
}

// Find returns the comparison of method, if present.
func (v *Validation) Find(method string) (Comparison, bool) {
	for _, c := range v.Comparisons {
		if c.Method == method {
			return c, true
		}
	}
	return Comparison{}, false
}

// Summary names in words the method that ranked the validation networks
// best and how the others did: "On this device the op-cost model ranked
// best (Spearman 0.99, median error 4%); auto 0.99 (4%), HELP 0.96 (12%),
// FLOPs 0.99." Ties go to the first listed (auto).
func (v *Validation) Summary() string {
	best := -1
	for i, c := range v.Comparisons {
		if best < 0 || c.Spearman > v.Comparisons[best].Spearman {
			best = i
		}
	}
	if best < 0 {
		return "No ranking is defined on these validation networks: their measured timings are all equal."
	}
	b := v.Comparisons[best]
	var sb strings.Builder
	fmt.Fprintf(&sb, "On this device %s ranked best (Spearman %.2f%s)", b.Label, b.Spearman, apeNote(b))
	var rest []string
	for i, c := range v.Comparisons {
		if i != best {
			rest = append(rest, fmt.Sprintf("%s %.2f%s", c.Label, c.Spearman, apeShort(c)))
		}
	}
	if len(rest) > 0 {
		sb.WriteString("; " + strings.Join(rest, ", "))
	}
	sb.WriteString(".")
	return sb.String()
}

// LeadSummary says in one sentence whether auto's lead over FLOPs and
// HELP is more than the choice of the validation networks explains:
// "Auto's lead, with a 95% bootstrap interval over these 40 networks:
// over FLOPs +0.004 (-0.004 to +0.016), too close to call; over HELP
// +0.040 (+0.016 to +0.102), real." It is "" without leads.
func (v *Validation) LeadSummary() string {
	var leads []string
	for _, l := range v.Leads {
		if f := v.leadFragment(l); f != "" {
			leads = append(leads, f)
		}
	}
	if len(leads) == 0 {
		return ""
	}
	return fmt.Sprintf("Auto's lead, with a 95%% bootstrap interval over these %d networks: %s.", len(v.Archs), strings.Join(leads, "; "))
}

// leadFragment says whether auto ranked the validation networks better
// than l's method by more than the choice of networks would change:
// "over FLOPs +0.006 (+0.002 to +0.011), real".
func (v *Validation) leadFragment(l Lead) string {
	if v.Chosen == l.Method {
		return fmt.Sprintf("over %s none, auto is %s here", l.Label, l.Label)
	}
	if math.IsNaN(l.Lo) {
		return ""
	}
	iv := fmt.Sprintf("(%+.3f to %+.3f)", l.Lo, l.Hi)
	switch {
	case l.Lo > 0:
		return fmt.Sprintf("over %s %+.3f %s, real", l.Label, l.Delta, iv)
	case l.Hi < 0:
		return fmt.Sprintf("over %s %+.3f %s, %s really ranked better", l.Label, l.Delta, iv, l.Label)
	default:
		return fmt.Sprintf("over %s %+.3f %s, too close to call", l.Label, l.Delta, iv)
	}
}

func apeNote(c Comparison) string {
	if math.IsNaN(c.MedianAPE) {
		return ""
	}
	return fmt.Sprintf(", median error %.0f%%", 100*c.MedianAPE)
}

func apeShort(c Comparison) string {
	if math.IsNaN(c.MedianAPE) {
		return ""
	}
	return fmt.Sprintf(" (%.0f%%)", 100*c.MedianAPE)
}

// StepSummary says in words what HELP's adaptation changed on the
// validation networks.
func (v *Validation) StepSummary() string {
	if len(v.Steps) < 2 {
		return ""
	}
	a, b := v.Steps[0], v.Steps[len(v.Steps)-1]
	return fmt.Sprintf("Adaptation moved HELP's Spearman from %.2f before to %.2f after %d steps, and its median error from %.0f%% to %.0f%%.",
		a.Spearman, b.Spearman, len(v.Steps)-1, 100*a.MedianAPE, 100*b.MedianAPE)
}
