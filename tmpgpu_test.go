package main

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestTmpGPUTimed(t *testing.T) {
	h, _ := newHandler(distDir(t))
	srv := httptest.NewServer(h)
	defer srv.Close()
	p := openPageOpts(t, chromiumPath(t), srv.URL+"/", webGPUFlags...)
	p.do(t, 30*time.Second, chromedp.Navigate(p.url))
	eval[float64](t, p, 30*time.Second, waitJS(onEngine("cpu"), "ready", 25000))
	setValue(t, p, "#engine", "gpu-webgpu", "change")
	eval[float64](t, p, 30*time.Second, waitJS(onEngine("gpu-webgpu"), "gpu", 25000))
	click(t, p, "#profile")
	for i := 0; i < 30; i++ {
		time.Sleep(10 * time.Second)
		t.Logf("%s | %s", text(t, p, "#status"), text(t, p, "#timed"))
	}
}
