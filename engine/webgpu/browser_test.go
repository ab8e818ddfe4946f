//go:build !js

package webgpu

// The GPU in a real browser: Debian's headless Chromium on SwiftShader (a
// software Vulkan driver it ships), with its own browser instance started
// with the WebGPU switches and without --disable-gpu. The test builds the
// test-only program wasm/webgputest and serves it with a one-line page.
// It skips only when Chromium is absent, like the repository's other
// browser tests.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/internal/chromium"
)

// gpuTol is the GPU's tolerance against the CPU: float32 on both sides,
// sums in a different order (tiled direct convolution on the GPU, Winograd
// and packed GEMM on the CPU), possibly fused multiply-adds. Kernels are
// compared elementwise (mixed absolute/relative), networks relative to
// their largest logit.
const gpuTol = approx.Float32

// harness builds wasm/webgputest into a directory with wasm_exec.js and a
// page that runs it, and serves that directory.
func harness(t testing.TB) string {
	t.Helper()
	goTool := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	dir := t.TempDir()
	build := exec.Command(goTool, "build", "-o", filepath.Join(dir, "test.wasm"), "../../wasm/webgputest")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building wasm/webgputest: %v\n%s", err, out)
	}
	root, err := exec.Command(goTool, "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	wasmExec, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	page := `<!doctype html><html><head><meta charset="utf-8"><title>webgpu test</title></head>
<body data-state="loading"><pre id="out"></pre>
<script src="wasm_exec.js"></script>
<script>
const go = new Go();
WebAssembly.instantiateStreaming(fetch("test.wasm"), go.importObject)
  .then(r => go.run(r.instance))
  .catch(e => { document.getElementById("out").textContent = JSON.stringify({error: String(e)}); document.body.dataset.state = "error"; });
</script></body></html>`
	for name, data := range map[string][]byte{"wasm_exec.js": wasmExec, "index.html": []byte(page)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// runHarness opens the harness at ?query in a fresh Chromium with WebGPU
// on SwiftShader and returns its JSON result. With lowPrio the browser
// runs at a lower CPU priority (correctness checks; never for timings).
func runHarness(t testing.TB, exe, base, query string, timeout time.Duration, lowPrio bool) result {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromium.Options(exe, t.TempDir(), chromium.WebGPU...)...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium (%s): %v", exe, err)
	}
	if c := chromedp.FromContext(ctx); lowPrio && c != nil && c.Browser != nil && c.Browser.Process() != nil {
		lowerPriority(c.Browser.Process().Pid)
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(base+"/?"+query)); err != nil {
		t.Fatalf("loading the harness: %v", err)
	}
	wait := fmt.Sprintf(`new Promise((resolve, reject) => {
		const check = () => {
			const s = document.body.dataset.state;
			if (s !== "loading") { resolve(document.getElementById("out").textContent); return; }
			setTimeout(check, 20);
		};
		check();
	})`)
	text, err := chromedp.Run(tctx, chromedp.Evaluate[string](wait, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("waiting for the harness (%v): %v", timeout, err)
	}
	var r result
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		t.Fatalf("harness output %q: %v", text, err)
	}
	if r.Error != "" {
		t.Fatalf("harness: %s", r.Error)
	}
	return r
}

// result mirrors wasm/webgputest's JSON.
type result struct {
	Adapter AdapterInfo `json:"adapter"`
	Kernels []struct {
		Name   string  `json:"name"`
		N      int     `json:"n"`
		MaxErr float64 `json:"max_err"`
		Ms     float64 `json:"ms"`
		Error  string  `json:"error"`
	} `json:"kernels"`
	Nets []struct {
		Arch      string    `json:"arch"`
		Seed      uint64    `json:"seed"`
		ScaledErr float64   `json:"scaled_err"`
		GPU       []float32 `json:"gpu"`
		CPU       []float32 `json:"cpu"`
		Error     string    `json:"error"`
	} `json:"nets"`
	Bench []struct {
		Which      string               `json:"which"`
		Arch       string               `json:"arch"`
		MFLOPs     float64              `json:"mflops"`
		Dispatches int                  `json:"dispatches"`
		Reps       map[string]int       `json:"reps"`
		Ms         map[string][]float64 `json:"ms"`
		BuildMs    float64              `json:"build_ms"`
		ReadMs     float64              `json:"read_ms"`
		Error      string               `json:"error"`
	} `json:"bench"`
	Millis float64 `json:"ms"`
	Error  string  `json:"error"`
}

// TestBrowserWebGPU: every kernel kind and 20 random networks on
// SwiftShader against the CPU (must-show 1 of issue 11). Convolutions are
// checked in the default algorithm, the one networks use; the others are
// checked natively, and on the GPU by TestBrowserWebGPUKernels
// (HELPWASM_WEBGPU_FILTER=conv, all exact at the last run).
func TestBrowserWebGPU(t *testing.T) {
	exe := chromium.Path(t)
	start := time.Now()
	base := harness(t)
	built := time.Since(start)
	r := runHarness(t, exe, base, "mode=check&seed=1", 90*time.Second, true)
	t.Logf("adapter %+v; wasm built in %v, checks ran in %.0f ms, test %v", r.Adapter, built.Round(time.Millisecond), r.Millis, time.Since(start).Round(time.Millisecond))
	if len(r.Kernels) == 0 || len(r.Nets) != 20 {
		t.Fatalf("%d kernel checks, %d networks", len(r.Kernels), len(r.Nets))
	}
	worstK, worstN, kernelMs := 0.0, 0.0, 0.0
	for _, k := range r.Kernels {
		kernelMs += k.Ms
		switch {
		case k.Error != "":
			t.Errorf("kernel %s: %s", k.Name, k.Error)
		case !(k.MaxErr <= gpuTol): // NaN fails
			t.Errorf("kernel %s: max error %.3g over %d elements, tolerance %g", k.Name, k.MaxErr, k.N, gpuTol)
		}
		worstK = max(worstK, k.MaxErr)
	}
	for _, n := range r.Nets {
		switch {
		case n.Error != "":
			t.Errorf("%s: %s", n.Arch, n.Error)
		case len(n.GPU) != 10 || !(n.ScaledErr <= gpuTol):
			t.Errorf("%s seed %d: logits differ by %.3g of the largest (tolerance %g):\n gpu %v\n cpu %v", n.Arch, n.Seed, n.ScaledErr, gpuTol, n.GPU, n.CPU)
		}
		worstN = max(worstN, n.ScaledErr)
	}
	t.Logf("%d kernel checks in %.0f ms, worst error %.3g; 20 networks, worst logit error %.3g of the largest logit (tolerance %g)", len(r.Kernels), kernelMs, worstK, worstN, gpuTol)
}

// BenchmarkBrowserSwiftShader reports forward times on SwiftShader
// measured inside the page (must-show 2 of issue 11): per forward of the
// smallest, median and largest cells by FLOPs, and of a noop plan of the
// same dispatch count, medians of 5 interleaved samples, for every
// convolution algorithm, and the CPU engine in the same page ("cpu"). The benchmark's
// own ns/op is the whole harness run and means nothing.
func BenchmarkBrowserSwiftShader(b *testing.B) {
	exe := chromium.Path(b)
	base := harness(b)
	for b.Loop() {
		// $HELPWASM_WEBGPU_ALGOS narrows the algorithms (e.g. "block,block16").
		r := runHarness(b, exe, base, "mode=bench&algos="+url.QueryEscape(os.Getenv("HELPWASM_WEBGPU_ALGOS")), 5*time.Minute, false)
		for _, x := range r.Bench {
			if x.Error != "" {
				b.Fatalf("%s %s: %s", x.Which, x.Arch, x.Error)
			}
			b.Logf("%s %s: %.1f MFLOPs, %d dispatches; build %.0f ms, readback %.2f ms", x.Which, x.Arch, x.MFLOPs, x.Dispatches, x.BuildMs, x.ReadMs)
			for _, name := range []string{"noop", "block", "block16", "direct", "pixel", "tiled", "cpu"} {
				v := x.Ms[name]
				if len(v) == 0 {
					continue
				}
				med := v[len(v)/2]
				b.Logf("  %-6s %8.2f ms/forward (median of %v, %d forwards each)", name, med, v, x.Reps[name])
				b.ReportMetric(med, "ms/"+name+"-"+x.Which)
			}
		}
	}
}

// TestBrowserWebGPUKernels runs the kernel checks whose names contain
// $HELPWASM_WEBGPU_FILTER and logs each one's time: a development aid,
// skipped unless that variable is set.
func TestBrowserWebGPUKernels(t *testing.T) {
	filter, ok := os.LookupEnv("HELPWASM_WEBGPU_FILTER")
	if !ok {
		t.Skip("set HELPWASM_WEBGPU_FILTER to run the matching kernel checks alone")
	}
	exe := chromium.Path(t)
	r := runHarness(t, exe, harness(t), "mode=kernels&filter="+url.QueryEscape(filter), 5*time.Minute, true)
	for _, k := range r.Kernels {
		t.Logf("%-50s %8.1f ms  max error %.3g %s", k.Name, k.Ms, k.MaxErr, k.Error)
		if k.Error != "" || !(k.MaxErr <= gpuTol) {
			t.Errorf("%s failed", k.Name)
		}
	}
}
