// Package chromium is the browser tests' one way of starting Debian's
// headless Chromium: which executable (Path), the options every test
// starts it with (Options), and the switches that give it a WebGPU
// adapter on SwiftShader, a software GPU every CI machine has (WebGPU).
// The root package's page tests and engine/webgpu's kernel tests use it;
// nothing else imports it.
package chromium

import (
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Path is the Chromium to test with: $HELPWASM_CHROMIUM, else the first
// of chromium, chromium-browser and google-chrome on $PATH. Without one
// the test is skipped, saying how to get one.
func Path(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("HELPWASM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser tests need Chromium: install it (apt-get install chromium) or set HELPWASM_CHROMIUM")
	return ""
}

// Options are chromedp's defaults (headless, no first-run pages, ...)
// with exe, no sandbox (the tests run as root), a fresh profile in
// userDataDir and no component updates (no downloads while a test
// times), then extra (DisableGPU, or WebGPU's switches instead).
func Options(exe, userDataDir string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.UserDataDir(userDataDir),
		chromedp.Flag("disable-component-update", true),
	)
	return append(opts, extra...)
}

// WebGPU gives headless Chromium a WebGPU adapter on SwiftShader's Vulkan
// driver; it replaces --disable-gpu. enable-features keeps chromedp's
// default features beside Vulkan (the flag's last value wins).
var WebGPU = []chromedp.ExecAllocatorOption{
	chromedp.Flag("enable-unsafe-webgpu", true),
	chromedp.Flag("enable-features", "NetworkService,NetworkServiceInProcess,Vulkan"),
	chromedp.Flag("use-vulkan", "swiftshader"),
	chromedp.Flag("use-webgpu-adapter", "swiftshader"),
}
