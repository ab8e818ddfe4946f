package main

// Browser tests: serve dist/ (built by `make dist`) and drive Debian's
// headless Chromium through the page with chromedp. They skip, saying why,
// when Chromium or dist/ is missing. Screenshots go to screenshots/
// (gitignored) so a person can look at them.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser: $HELPWASM_CHROMIUM, then chromium on PATH.
func chromiumPath(t *testing.T) string {
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

// distDir returns the built page, skipping if it has not been built.
func distDir(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join("dist", "index.html")); err != nil {
		t.Skip("browser tests need the built page: run `make dist` (make test does)")
	}
	return "dist"
}

// page is one browser tab on the served page plus everything the page
// logged, so tests can assert that nothing went wrong on the console.
type page struct {
	ctx context.Context
	url string

	mu   sync.Mutex
	logs []string // console output, exceptions and browser log entries
}

func (p *page) addLog(s string) {
	p.mu.Lock()
	p.logs = append(p.logs, s)
	p.mu.Unlock()
}

// logged returns the log lines containing substr.
func (p *page) logged(substr string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, l := range p.logs {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

func (p *page) allLogs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.logs, "\n")
}

// openPage starts Chromium on a fresh profile and serves dir.
func openPage(t *testing.T, dir string) *page {
	t.Helper()
	exe := chromiumPath(t)
	h, err := pageHandler(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 1600),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)

	p := &page{ctx: ctx, url: srv.URL + "/"}
	// The first Do starts the browser without a timeout, so later timeouts
	// only bound single steps (chromedp binds the browser to the first context).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium (%s): %v", exe, err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enabling the browser log: %v", err)
	}
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			p.addLog(m.String() + " [" + m.Source + " " + m.URL + "]")
		}
	}()
	return p
}

// do runs steps with a timeout, failing the test with the page's logs.
func (p *page) do(t *testing.T, timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%v\npage log:\n%s", err, p.allLogs())
	}
}

// eval evaluates a JavaScript expression (awaiting promises) in the page.
func eval[T any](t *testing.T, p *page, timeout time.Duration, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v\npage log:\n%s", expr, err, p.allLogs())
	}
	return v
}

// screenshot saves the full page as screenshots/<name>.png.
func (p *page) screenshot(t *testing.T, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll("screenshots", 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("screenshots", name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

func TestBrowserPageLoads(t *testing.T) {
	dir := distDir(t)
	p := openPage(t, dir)

	p.do(t, 30*time.Second,
		chromedp.Navigate(p.url),
		chromedp.WaitVisible(chromedp.CSS(`#hello`)),
		chromedp.Click(chromedp.CSS(`#hello`)),
	)
	isolated := eval[bool](t, p, 5*time.Second, `self.crossOriginIsolated`)
	title := eval[string](t, p, 5*time.Second, `document.title`)
	if !isolated {
		t.Error("page is not cross-origin isolated (COOP/COEP headers missing?)")
	}
	if !strings.Contains(title, "helpwasm") {
		t.Errorf("title %q", title)
	}
	p.screenshot(t, "load")
	if csp := p.logged("Content Security Policy"); len(csp) > 0 {
		t.Errorf("CSP violations:\n%s", strings.Join(csp, "\n"))
	}
	t.Logf("page log:\n%s", p.allLogs())
}

// pageHandler serves dir the way serve.go does.
// TODO(H5): switch to serve.go's newHandler when it lands.
func pageHandler(dir string) (http.Handler, error) {
	fs := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Embedder-Policy", "require-corp")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		fs.ServeHTTP(w, r)
	}), nil
}
