package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// rendererMemory returns the peak resident set (VmHWM) and the current
// one (VmRSS), in MB, of the largest of the browser's renderer
// processes: the page's, which runs its measuring worker, so its peak
// covers the worker's WebAssembly memory, the JavaScript heaps and the
// code. Linux only (it reads /proc).
func rendererMemory(t *testing.T, p *page) (peakMB, nowMB float64) {
	t.Helper()
	c := chromedp.FromContext(p.ctx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		t.Fatal("no browser process")
	}
	root := c.Browser.Process().Pid
	parent := map[int]int{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(d))
		b, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 1 {
			parent[pid], _ = strconv.Atoi(f[1])
		}
	}
	descends := func(pid int) bool {
		for i := 0; pid > 1 && i < 64; i++ {
			if pid == root {
				return true
			}
			pid = parent[pid]
		}
		return false
	}
	found := false
	for pid := range parent {
		cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !bytes.Contains(cmd, []byte("--type=renderer")) || !descends(pid) {
			continue
		}
		hwm, rss := statusKB(pid, "VmHWM:"), statusKB(pid, "VmRSS:")
		if hwm/1e3 > peakMB {
			peakMB, nowMB, found = hwm/1e3, rss/1e3, true
		}
	}
	if !found {
		t.Fatalf("no renderer process under the browser (pid %d)", root)
	}
	return peakMB, nowMB
}

// statusKB reads one "Name: N kB" line of /proc/pid/status.
func statusKB(pid int, name string) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			v, _ := strconv.ParseFloat(strings.Fields(rest)[0], 64)
			return v
		}
	}
	return 0
}

// workerMemory is the measuring worker's memory in MB
// (helpwasm.testWorkerMemory, ?test-hooks): Wasm its WebAssembly linear
// memory, which never shrinks; of the Go heap inside it, the peaks seen
// of Objects (live and not yet collected), Live (as the last collection
// found it) and Held (everything the runtime has mapped).
type workerMemory struct {
	Wasm, Objects, Live, Held float64
}

func (m workerMemory) String() string {
	return fmt.Sprintf("WebAssembly memory %.0f MB; Go heap peaks: objects %.0f MB, live %.0f MB, held %.0f MB", m.Wasm, m.Objects, m.Live, m.Held)
}

// sampleWorkerMemory asks the worker for its memory every 250 ms (it
// answers between timed samples) until stop, which returns the peaks.
func sampleWorkerMemory(p *page) (stop func() workerMemory) {
	var (
		mu   sync.Mutex
		peak workerMemory
	)
	sample := func() {
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64]("helpwasm.testWorkerMemory()", chromedp.EvalAwaitPromise))
		if err != nil {
			return // the next sample, or stop's, will do
		}
		mu.Lock()
		defer mu.Unlock()
		peak.Wasm = max(peak.Wasm, v["wasm"])
		peak.Objects = max(peak.Objects, v["objects"])
		peak.Live = max(peak.Live, v["live"])
		peak.Held = max(peak.Held, v["held"])
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(250 * time.Millisecond):
				sample()
			}
		}
	}()
	return func() workerMemory {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// ofaShortWasmMB bounds the worker's WebAssembly memory in TestBrowserOFA's
// short OFA profile (16 networks held at once, 163 MB live; 263 MB
// measured, about the worker's 256 MiB soft limit; 1.2 GB with the
// networks built apart), and ofaShortRendererMB the renderer's peak
// resident memory (544-551 MB measured: about 305 MB of it is there
// before the profile starts).
const (
	ofaShortWasmMB     = 320
	ofaShortRendererMB = 700
)
