package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// TestEnginesRender: without a GPU the page names the CPU and says why
// the GPU is not offered; with one it offers the choice and, once both
// engines have a profile, draws GPU against CPU latency.
func TestEnginesRender(t *testing.T) {
	app := state.New(nopPlatform{}, nasbench201.Space{})
	app.Apply(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "nasbench201", NoGPU: "the browser offers WebGPU but no GPU adapter"}})
	html := render(t, app)
	if !strings.Contains(html, `id="no-gpu"`) || !strings.Contains(html, "no GPU adapter") || strings.Contains(html, `id="engine"`) {
		t.Errorf("without a GPU: want the reason and no choice")
	}

	gpuReady := &protocol.Ready{Space: "nasbench201", GPU: &protocol.GPU{Adapter: "google swiftshader", Spaces: []string{"nasbench201"}}}
	app = state.New(nopPlatform{}, nasbench201.Space{})
	app.Apply(protocol.Event{Kind: protocol.KindReady, Ready: gpuReady})
	res := func(engine string, ms func(i int) float64) *protocol.Result {
		r := &protocol.Result{Space: "nasbench201", Mode: "quick", Engine: engine, Seed: 1}
		for i := range 10 {
			r.Reference = append(r.Reference, protocol.ArchMS{Arch: nasbench201.FromIndex(i * 100).String(), MS: ms(i)})
		}
		return r
	}
	app.Apply(protocol.Event{Kind: protocol.KindResult, Result: res(protocol.EngineCPU, func(i int) float64 { return float64(10 + i) })})
	html = render(t, app)
	if !strings.Contains(html, `id="engine"`) || !strings.Contains(html, "GPU (WebGPU)") || !strings.Contains(html, "google swiftshader") || strings.Contains(html, `id="no-gpu"`) {
		t.Errorf("with a GPU: want the choice and the adapter, no reason")
	}
	if strings.Contains(html, `id="engine-pair"`) {
		t.Error("a CPU-GPU comparison with only a CPU profile")
	}
	gpuReady.Engine = protocol.EngineGPU
	app.Apply(protocol.Event{ID: 0, Kind: protocol.KindReady, Ready: gpuReady})
	gpu := res(protocol.EngineGPU, func(i int) float64 { return float64(100 - i) })
	gpu.Adapter = "google swiftshader"
	app.Apply(protocol.Event{Kind: protocol.KindResult, Result: gpu})
	html = render(t, app)
	if !strings.Contains(html, "Your device&#39;s GPU (google swiftshader)") && !strings.Contains(html, "Your device's GPU (google swiftshader)") {
		t.Error("the GPU profile's device card does not name the GPU")
	}
	if !strings.Contains(html, `id="engine-pair-plot"`) {
		t.Fatal("no CPU-GPU comparison with both profiles")
	}
	pair := html[strings.Index(html, `id="engine-pair"`):]
	if n := len(regexp.MustCompile(`<circle class="dot"`).FindAllString(pair, -1)); n != 10 {
		t.Errorf("the comparison draws %d dots, want 10", n)
	}
	if !strings.Contains(pair, "rank correlation -1.000: they order the networks quite differently") {
		t.Errorf("summary of opposite orders missing: %s", pair[:min(len(pair), 2000)])
	}
	if n := strings.Count(pair, `<td class="arch">`); n != 6 {
		t.Errorf("%d rows where they differ most, want 6", n)
	}
}
