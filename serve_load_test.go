package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestServeLoad measures the built server under a bounded loopback load
// (200 concurrent keep-alive clients, 20,000 requests over a mix of plain
// and precompressed files) while one client has stopped reading a large
// response and others keep asking for a FIFO, then sends it SIGTERM. It
// reports requests/s, p50/p99 latency and the server's peak RSS (VmHWM),
// and fails if the stalled reader or the FIFO delay anyone, or if SIGTERM
// does not end the server with exit 0 within -grace plus a second.
//
//	HELPWASM_LOAD=1 go test -run TestServeLoad -v .
//
// Loopback only; it shares the machine with the client, so the figures
// are a floor.
func TestServeLoad(t *testing.T) {
	if os.Getenv("HELPWASM_LOAD") == "" {
		t.Skip("set HELPWASM_LOAD=1 to run the load test")
	}
	const clients, requests = 200, 20000
	dir := testDist(t)
	if err := mkfifo(filepath.Join(dir, "pipe.js")); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	big, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(256 << 20); err != nil { // sparse
		t.Fatal(err)
	}
	big.Close()

	bin := filepath.Join(t.TempDir(), "serve")
	if out, err := exec.Command("go", "build", "-o", bin, "serve.go").CombinedOutput(); err != nil {
		t.Fatalf("go build serve.go: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-dir", dir, "-grace", "1s")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	_, u, ok := strings.Cut(line, " on http://")
	if err != nil || !ok {
		t.Fatalf("server printed %q, %v", line, err)
	}
	addr := strings.TrimSuffix(strings.TrimSpace(u), "/")

	// The stalled reader: asks for 256 MB and reads only the status line.
	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	io.WriteString(stalled, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	if l, err := bufio.NewReader(stalled).ReadString('\n'); err != nil || !strings.Contains(l, " 200 ") {
		t.Fatalf("stalled reader: %q, %v", l, err)
	}

	tr := &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	get := func(path, accept string) (int, error) {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return 0, err
		}
		return resp.StatusCode, nil
	}
	mix := []struct{ path, accept string }{
		{"/", "gzip, br"}, {"/boot.js", ""}, {"/big.js", "br"}, {"/big.js", "gzip"},
		{"/app.wasm", "gzip"}, {"/style.css", "gzip"}, {"/weights.json", ""}, {"/big.js", ""},
	}

	// FIFO askers: each answer must be a prompt 404.
	ctx, stopFIFO := context.WithCancel(context.Background())
	var fifoMax atomic.Int64
	var fifoN atomic.Int64
	var fifoWG sync.WaitGroup
	fifoWG.Add(1)
	go func() {
		defer fifoWG.Done()
		for ctx.Err() == nil {
			start := time.Now()
			code, err := get("/pipe.js", "")
			if err != nil || code != http.StatusNotFound {
				t.Errorf("FIFO: %d, %v", code, err)
				return
			}
			d := int64(time.Since(start))
			for m := fifoMax.Load(); d > m && !fifoMax.CompareAndSwap(m, d); m = fifoMax.Load() {
			}
			fifoN.Add(1)
		}
	}()

	var next atomic.Int64
	lat := make([]time.Duration, requests)
	var failures atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= requests {
					return
				}
				m := mix[i%int64(len(mix))]
				t0 := time.Now()
				code, err := get(m.path, m.accept)
				lat[i] = time.Since(t0)
				if err != nil || code != http.StatusOK {
					if failures.Add(1) <= 5 {
						t.Errorf("GET %s: %d, %v", m.path, code, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopFIFO()
	fifoWG.Wait()

	hwm := procStatus(cmd.Process.Pid, "VmHWM")
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	t.Logf("%d requests, %d clients: %.0f req/s, p50 %v, p99 %v, max %v, %d failures; server peak RSS %s",
		requests, clients, float64(requests)/elapsed.Seconds(), pct(0.50).Round(time.Microsecond),
		pct(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond), failures.Load(), hwm)
	t.Logf("FIFO: %d requests during the load, all 404, slowest %v; a reader stalled on a 256 MB file throughout",
		fifoN.Load(), time.Duration(fifoMax.Load()).Round(time.Microsecond))
	if failures.Load() > 0 {
		t.Errorf("%d of %d requests failed", failures.Load(), requests)
	}

	// SIGTERM with the stalled reader still connected.
	tr.CloseIdleConnections()
	t0 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	d := time.Since(t0)
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		t.Errorf("after SIGTERM: exit %d in %v, want 0", ee.ExitCode(), d)
	case err != nil:
		t.Errorf("after SIGTERM: %v", err)
	default:
		t.Logf("SIGTERM with the stalled reader connected: exit 0 in %v (-grace 1s)", d.Round(time.Millisecond))
	}
	if d > 2*time.Second {
		t.Errorf("shutdown took %v with -grace 1s", d)
	}
}

// procStatus returns a field of /proc/PID/status, such as "VmHWM".
func procStatus(pid int, field string) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return fmt.Sprintf("unknown (no %s)", field)
}
