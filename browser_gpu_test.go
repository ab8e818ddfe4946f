package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpwasm/helpwasm/internal/chromium"
)

// onEngine is a JS condition: the page is idle on engine (the device
// choice shows it).
func onEngine(engine string) string {
	return fmt.Sprintf(`document.querySelector("#engine")?.value === %q && `, engine) + profileReady
}

// gpuProfile profiles the device on the page's current engine and
// returns how long the page said it took (s) and the validation shown.
func gpuProfile(t *testing.T, p *page, what string) (seconds float64, v validation) {
	t.Helper()
	click(t, p, "#profile")
	waitFor(t, p, what+" profiling", profileBusy)
	waitWithin(t, p, profileDeadline, what+" profile result", `/Profile finished/.test(document.querySelector("#notice")?.textContent) && !(`+profileBusy+`)`)
	notice := text(t, p, "#notice")
	return number(t, what+" profile time", strings.TrimPrefix(notice, "Profile finished in ")), validationOf(t, p)
}

// TestBrowserGPU profiles the GPU on SwiftShader (issue 11 item 5): its
// own Chromium with WebGPU switched on, no --disable-gpu. The page offers
// the GPU, profiles it with the same protocol as the CPU, reports its
// validation, records the engine and adapter in the exported profile,
// then profiles the CPU with the same networks and draws the two side by
// side.
func TestBrowserGPU(t *testing.T) {
	p := openDist(t, chromium.WebGPU...)
	p.do(t, 30*time.Second, chromedp.Navigate(p.url))
	waitFor(t, p, "interactive page with a device choice", onEngine("cpu"))
	if a := text(t, p, "#gpu-adapter"); !strings.Contains(a, "swiftshader") {
		t.Errorf("adapter shown as %q, want SwiftShader's", a)
	}
	if eval[bool](t, p, 5*time.Second, `!!document.querySelector("#no-gpu")`) {
		t.Errorf("a GPU is offered and the page still says why not: %q", text(t, p, "#no-gpu"))
	}

	setValue(t, p, "#engine", "gpu-webgpu", "change")
	waitFor(t, p, "the GPU chosen", onEngine("gpu-webgpu"))
	secs, v := gpuProfile(t, p, "GPU")
	t.Logf("GPU quick profile: %s; %s (load %s)", text(t, p, "#notice"), v, loadAvg())
	// Every method's validation (find fails the test if one is missing);
	// the adaptation steps' plots follow them.
	for _, m := range []string{"auto", "HELP", "the op-cost model", "FLOPs", "nearest device"} {
		if rho := v.rho(t, m); !(rho > -1 && rho <= 1) {
			t.Errorf("GPU %s: Spearman %v", m, rho)
		}
	}
	// No bound on the time: on SwiftShader it is the engine's (a forward
	// pass takes 0.3-6 s), and docs/RESULTS.md records it.
	t.Logf("GPU quick profile: %.0f s", secs)
	if st := eval[string](t, p, 5*time.Second, `document.querySelector("#page").dataset.state`); st != "done" {
		t.Errorf("data-state %q after the GPU profile", st)
	}
	t.Logf("GPU nearest devices: %s", text(t, p, "#nearest"))
	var prof struct {
		Runtime struct {
			Engine  string `json:"engine"`
			Adapter struct {
				Vendor, Architecture string
			} `json:"adapter"`
		} `json:"runtime"`
		Validation *struct {
			Samples []struct{ Arch string } `json:"samples"`
		} `json:"validation"`
		Protocol struct {
			Warmup int `json:"warmup"`
		} `json:"protocol"`
	}
	doc := eval[string](t, p, 10*time.Second, `helpwasm.profile().then(p => JSON.stringify(p))`)
	if err := json.Unmarshal([]byte(doc), &prof); err != nil {
		t.Fatalf("the GPU profile: %v", err)
	}
	if prof.Runtime.Engine != "gpu-webgpu" || prof.Runtime.Adapter.Architecture != "swiftshader" || prof.Validation == nil {
		t.Errorf("the GPU profile records engine %q, adapter %+v, validation %v", prof.Runtime.Engine, prof.Runtime.Adapter, prof.Validation != nil)
	}
	p.screenshot(t, "gpu-1-profiled")

	// The CPU, with the same networks: the two side by side.
	setValue(t, p, "#engine", "cpu", "change")
	waitFor(t, p, "the CPU chosen", onEngine("cpu"))
	if eval[bool](t, p, 5*time.Second, `!!document.querySelector("#validation")`) {
		t.Error("the GPU's validation is still shown on the CPU before a CPU profile")
	}
	_, cv := gpuProfile(t, p, "CPU")
	t.Logf("CPU quick profile beside it: %s; %s", text(t, p, "#notice"), cv)
	waitFor(t, p, "CPU-GPU comparison", `document.querySelector("#engine-pair-plot")`)
	n := eval[int](t, p, 5*time.Second, `document.querySelectorAll("#engine-pair-plot circle.dot").length`)
	if want := 12 + 10 + len(prof.Validation.Samples); n != want {
		t.Errorf("the comparison draws %d networks, want %d (reference, anchors, support, validation: one seed)", n, want)
	}
	t.Logf("CPU against GPU: %s", text(t, p, "#engine-pair-summary"))
	p.shot(t, "gpu-2-pair", "#engine-pair")
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"1280", 1280, 720}, {"390", 390, 844}} {
		p.do(t, 5*time.Second, chromedp.EmulateViewport(vp.w, vp.h), chromedp.ScrollIntoView("#engine-pair"))
		p.save(t, "gpu-3-pair-"+vp.name, chromedp.CaptureScreenshot())
	}
}
