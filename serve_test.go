package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testDist builds a small dist/ in a temporary directory, next to a secret
// file outside it that no request may reach.
func testDist(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "dist")
	files := map[string]string{
		"index.html":         "<!doctype html><title>root</title>",
		"app.wasm":           "\x00asm plain",
		"app.wasm.gz":        "gzip bytes",
		"app.wasm.br":        "brotli bytes",
		"style.css":          "body{}",
		"style.css.gz":       "gzipped css",
		"boot.js":            "boot()",
		"wasm_exec.js":       "// Go wasm_exec",
		"weights.json":       `{"a":1}`,
		"favicon.svg":        "<svg/>",
		"notes.xyz":          "unknown type",
		"sub/index.html":     "<p>sub</p>",
		"empty/.keep":        "",
		".hidden":            "hidden",
		"stale.js":           "new",
		"stale.js.gz":        "old gzip",
		"big.js":             bigBody("js", 6000),
		"big.js.br":          bigBody("br", 3000),
		"big.js.gz":          bigBody("gz", 4000),
		"../secret.txt":      "top secret",
		"../dist-evil/x.txt": "sibling dir with a common prefix",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Same modification time for all (written in map order, they would
	// differ by microseconds), as make dist leaves them: gzip -k copies
	// its source's time exactly, brotli only to the second. The stale gzip
	// variant is older than its source.
	now := time.Now().Truncate(time.Second).Add(600 * time.Millisecond)
	for name := range files {
		mtime := now
		switch {
		case name == "stale.js.gz":
			mtime = now.Add(-time.Hour)
		case strings.HasSuffix(name, ".br"):
			mtime = now.Truncate(time.Second)
		}
		if err := os.Chtimes(filepath.Join(dir, name), mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"escape.txt": "../secret.txt",
		"absolute":   filepath.Join(base, "secret.txt"),
		"alias.js":   "boot.js", // inside dist: fine
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// bigBody returns n bytes, more than net/http buffers before it must
// decide between Content-Length and chunking.
func bigBody(tag string, n int) string {
	return strings.Repeat(tag+"0123456789abcdef"[:16-len(tag)], n/16+1)[:n]
}

func testServer(t *testing.T) *httptest.Server {
	t.Helper()
	h, err := newHandler(testDist(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config = newServer(h, nil)
	srv.Listener = secureListener(srv.Listener)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// do sends a raw request line (no normalisation by the client) and returns
// the response.
func rawGet(t *testing.T, srv *httptest.Server, target string, headers ...string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req := "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + strings.Join(headers, "") + "Connection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %q: %v", target, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServeTypesAndHeaders(t *testing.T) {
	srv := testServer(t)
	tests := []struct {
		path, wantType, wantBody string
	}{
		{"/", "text/html; charset=utf-8", "<!doctype html><title>root</title>"},
		{"/index.html", "text/html; charset=utf-8", "<!doctype html><title>root</title>"},
		{"/app.wasm", "application/wasm", "\x00asm plain"},
		{"/style.css", "text/css; charset=utf-8", "body{}"},
		{"/boot.js", "text/javascript; charset=utf-8", "boot()"},
		{"/wasm_exec.js", "text/javascript; charset=utf-8", "// Go wasm_exec"},
		{"/weights.json", "application/json", `{"a":1}`},
		{"/favicon.svg", "image/svg+xml", "<svg/>"},
		{"/notes.xyz", "application/octet-stream", "unknown type"},
		{"/sub/", "text/html; charset=utf-8", "<p>sub</p>"},
		{"/alias.js", "text/javascript; charset=utf-8", "boot()"},
	}
	for _, tt := range tests {
		// No Accept-Encoding: the identity variant.
		resp := rawGet(t, srv, tt.path)
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", tt.path, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != tt.wantType {
			t.Errorf("%s: Content-Type %q, want %q", tt.path, got, tt.wantType)
		}
		if got := body(t, resp); got != tt.wantBody {
			t.Errorf("%s: body %q, want %q", tt.path, got, tt.wantBody)
		}
		checkSecurityHeaders(t, tt.path, resp.Header)
	}
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Embedder-Policy": "require-corp",
		"Cross-Origin-Resource-Policy": "same-origin",
		"X-Content-Type-Options":       "nosniff",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("%s: CSP %q lacks %q", what, csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
		t.Errorf("%s: CSP %q allows inline code or eval", what, csp)
	}
}

func TestServeCompression(t *testing.T) {
	srv := testServer(t)
	tests := []struct {
		path, accept, wantEncoding, wantBody string
	}{
		{"/app.wasm", "gzip, deflate, br", "br", "brotli bytes"},
		{"/app.wasm", "gzip", "gzip", "gzip bytes"},
		{"/app.wasm", "br;q=0, gzip;q=0.5", "gzip", "gzip bytes"},
		{"/app.wasm", "gzip;q=0", "", "\x00asm plain"},
		{"/app.wasm", "*", "br", "brotli bytes"},
		{"/app.wasm", "*, br;q=0", "gzip", "gzip bytes"},
		{"/app.wasm", "identity", "", "\x00asm plain"},
		{"/app.wasm", "GZIP", "gzip", "gzip bytes"},
		{"/app.wasm", "gzip;q=bogus", "", "\x00asm plain"},
		{"/style.css", "br, gzip", "gzip", "gzipped css"}, // no .br variant
		{"/boot.js", "br, gzip", "", "boot()"},            // no variant
		{"/stale.js", "gzip", "", "new"},                  // variant older than source
	}
	etags := map[string]string{}
	for _, tt := range tests {
		resp := rawGet(t, srv, tt.path, "Accept-Encoding: "+tt.accept+"\r\n")
		what := tt.path + " [" + tt.accept + "]"
		if got := resp.Header.Get("Content-Encoding"); got != tt.wantEncoding {
			t.Errorf("%s: Content-Encoding %q, want %q", what, got, tt.wantEncoding)
		}
		if got := body(t, resp); got != tt.wantBody {
			t.Errorf("%s: body %q, want %q", what, got, tt.wantBody)
		}
		if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("%s: Vary %q", what, got)
		}
		if tt.path == "/app.wasm" && resp.Header.Get("Content-Type") != "application/wasm" {
			t.Errorf("%s: compressed wasm served as %q", what, resp.Header.Get("Content-Type"))
		}
		etag := resp.Header.Get("ETag")
		if prev, ok := etags[tt.path+tt.wantEncoding]; ok && prev != etag {
			t.Errorf("%s: ETag %s differs from %s for the same variant", what, etag, prev)
		}
		etags[tt.path+tt.wantEncoding] = etag
	}
	if etags["/app.wasmbr"] == etags["/app.wasmgzip"] || etags["/app.wasm"] == etags["/app.wasmgzip"] {
		t.Errorf("variants share an ETag: %v", etags)
	}
	// Revalidation works per variant.
	resp := rawGet(t, srv, "/app.wasm", "Accept-Encoding: gzip\r\n", "If-None-Match: "+etags["/app.wasmgzip"]+"\r\n")
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", resp.StatusCode)
	}
}

func TestServeRefusesPathsOutsideDir(t *testing.T) {
	srv := testServer(t)
	tests := []string{
		"/../secret.txt",
		"/..%2fsecret.txt",
		"/%2e%2e/secret.txt",
		"/%2E%2E%2Fsecret.txt",
		"/sub/../../secret.txt",
		"/sub/%2e%2e/%2e%2e/secret.txt",
		"/..%5csecret.txt",
		"/%5c..%5csecret.txt",
		"/../dist-evil/x.txt",
		"/escape.txt",
		"/absolute",
		"/.hidden",
		"/empty/.keep",
		"/index.html%00.js",
		"/nope.js",
		"/app.wasm/",
		"/boot.js/x",
		"//secret.txt",
		"/empty/", // a directory without index.html is not listed
	}
	for _, target := range tests {
		resp := rawGet(t, srv, target)
		b := body(t, resp)
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 404 (or 400)", target, resp.StatusCode)
		}
		if strings.Contains(b, "secret") || strings.Contains(b, "sibling") || strings.Contains(b, "hidden") {
			t.Errorf("GET %s leaked %q", target, b)
		}
		if strings.Contains(b, "/") && resp.StatusCode == http.StatusNotFound {
			t.Errorf("GET %s: error body %q reveals a path", target, b)
		}
		checkSecurityHeaders(t, target, resp.Header)
	}
	// A directory without its slash is redirected to it, on this host only.
	resp := rawGet(t, srv, "/sub")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/sub/" {
		t.Errorf("GET /sub: status %d, Location %q; want 301 to /sub/", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestServeMethods(t *testing.T) {
	srv := testServer(t)
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"} {
		req, _ := http.NewRequest(m, srv.URL+"/index.html", nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: status %d, Allow %q; want 405, GET, HEAD", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	resp, err := srv.Client().Head(srv.URL + "/app.wasm")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len("\x00asm plain")) || resp.Header.Get("Content-Type") != "application/wasm" {
		t.Errorf("HEAD: status %d, length %d, type %q", resp.StatusCode, resp.ContentLength, resp.Header.Get("Content-Type"))
	}
	if b := body(t, resp); b != "" {
		t.Errorf("HEAD sent a body %q", b)
	}
}

func TestServeRefusesOversizeRequests(t *testing.T) {
	srv := testServer(t)
	tests := []struct {
		name string
		req  string
		want int
	}{
		{"long URL", "GET /" + strings.Repeat("a", 3000) + " HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusRequestURITooLong},
		{"huge header", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 20000) + "\r\n\r\n", http.StatusRequestHeaderFieldsTooLarge},
		{"body", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", http.StatusRequestEntityTooLarge},
		{"chunked body", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(conn, tt.req); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
}

func TestNewHandlerErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Join(dir, "missing"), file} {
		if _, err := newHandler(d); err == nil || !strings.Contains(err.Error(), "directory to serve") {
			t.Errorf("newHandler(%s): err = %v, want a clear error", d, err)
		}
	}
}

func TestServeMainShutsDownCleanly(t *testing.T) {
	dir := testDist(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- serveMain(ctx, []string{"-addr", "127.0.0.1:0", "-dir", dir}, out, io.Discard) }()
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, u, ok := strings.Cut(out.String(), " on "); ok {
			url = strings.TrimSpace(u)
		}
	}
	if url == "" {
		t.Fatal("server did not print its URL")
	}
	resp, err := http.Get(url + "index.html")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("GET %sindex.html: %d", url, resp.StatusCode)
	}
	cancel() // as SIGINT does
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serveMain after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not shut down")
	}
	if err := serveMain(context.Background(), []string{"-dir", filepath.Join(dir, "nope")}, io.Discard, io.Discard); err == nil {
		t.Error("serveMain with a missing dir: no error")
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// FuzzCleanPath checks that every accepted URL path names a clean,
// relative path with no way up and no dot-files.
func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"/", "/index.html", "/a/b/", "/../x", "/a/../../b", "/.git/config", "//x", "/a\\b", "/x\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		name, _, ok := cleanPath(p)
		if !ok {
			return
		}
		if name != "." && (path.Clean(name) != name || strings.HasPrefix(name, "/") || name == "..") {
			t.Fatalf("cleanPath(%q) = %q: not a clean relative path", p, name)
		}
		for _, seg := range strings.Split(name, "/") {
			if seg == ".." || (strings.HasPrefix(seg, ".") && name != ".") {
				t.Fatalf("cleanPath(%q) = %q: has segment %q", p, name, seg)
			}
		}
		if strings.ContainsAny(name, "\x00\\") {
			t.Fatalf("cleanPath(%q) = %q: NUL or backslash", p, name)
		}
	})
}

// FuzzAccepts checks that Accept-Encoding parsing never panics and that a
// coding with q=0 is never chosen.
func FuzzAccepts(f *testing.F) {
	for _, s := range []string{"gzip", "br;q=0, gzip", "*;q=0.5", "gzip;q=", ";;,,", "GZIP;Q=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		got := accepts([]string{h}, "gzip")
		if got && accepts([]string{h + ", gzip;q=0"}, "gzip") && !strings.Contains(strings.ToLower(h), "gzip") {
			t.Fatalf("accepts(%q + gzip;q=0) still accepts gzip", h)
		}
	})
}

// A rebuild removes and recreates the served directory (make dist does,
// and make test runs it while make serve may be up): requests after it see
// the new files, not 404s from the removed directory.
func TestServeAfterRebuild(t *testing.T) {
	dir := testDist(t)
	h, err := newHandler(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(h)
	defer s.Close()
	get := func() (int, string) {
		resp, err := http.Get(s.URL + "/boot.js")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, b := get(); code != http.StatusOK || b != "boot()" {
		t.Fatalf("before the rebuild: %d %q", code, b)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(); code != http.StatusNotFound {
		t.Errorf("while removed: %d, want 404", code)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "boot.js"), []byte("boot(2)"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, b := get(); code != http.StatusOK || b != "boot(2)" {
		t.Errorf("after the rebuild: %d %q, want 200 with the new file", code, b)
	}
}

// A FIFO in the served directory is answered at once as absent: opening
// it for reading would block until a writer came.
func TestServeFIFO(t *testing.T) {
	dir := testDist(t)
	if err := mkfifo(filepath.Join(dir, "pipe.js")); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	h, err := newHandler(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(h)
	defer s.Close()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(s.URL + "/pipe.js")
	if err != nil {
		t.Fatalf("GET of a FIFO: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET of a FIFO: %d, want 404", resp.StatusCode)
	}
}

// mkfifo makes a named pipe with the system's mkfifo command.
func mkfifo(path string) error {
	out, err := exec.Command("mkfifo", path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

// Compressed variants are files of known size: GET and HEAD say so with a
// Content-Length instead of chunking (ServeContent leaves the length out
// whenever Content-Encoding is set).
func TestServeCompressedLength(t *testing.T) {
	srv := testServer(t)
	for _, tt := range []struct {
		method, accept, wantEncoding string
		wantLen                      int64
	}{
		{"GET", "br", "br", 3000},
		{"GET", "gzip", "gzip", 4000},
		{"GET", "", "", 6000},
		{"HEAD", "br", "br", 3000},
		{"HEAD", "gzip", "gzip", 4000},
		{"HEAD", "", "", 6000},
	} {
		what := tt.method + " [" + tt.accept + "]"
		resp := rawRequest(t, srv, tt.method+" /big.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: "+tt.accept+"\r\nConnection: close\r\n\r\n")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != tt.wantEncoding {
			t.Errorf("%s: status %d, encoding %q", what, resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		if len(resp.TransferEncoding) > 0 || resp.Header.Get("Content-Length") != fmt.Sprint(tt.wantLen) {
			t.Errorf("%s: Transfer-Encoding %v, Content-Length %q; want length %d", what, resp.TransferEncoding, resp.Header.Get("Content-Length"), tt.wantLen)
		}
		if b := body(t, resp); tt.method == "GET" && int64(len(b)) != tt.wantLen {
			t.Errorf("%s: %d body bytes, want %d", what, len(b), tt.wantLen)
		}
	}
	// The length is the whole file's only on a whole-file answer.
	for _, tt := range []struct {
		name, headers string
		wantStatus    int
		wantLen       string
	}{
		{"range", "Range: bytes=10-19\r\n", http.StatusPartialContent, "10"},
		{"precondition failed", "If-Match: \"nope\"\r\n", http.StatusPreconditionFailed, ""},
		{"not satisfiable", "Range: bytes=9000-\r\n", http.StatusRequestedRangeNotSatisfiable, "*"},
	} {
		resp := rawRequest(t, srv, "GET /big.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n"+tt.headers+"Connection: close\r\n\r\n")
		b := body(t, resp)
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.wantStatus)
		}
		if cl := resp.Header.Get("Content-Length"); tt.wantLen != "*" && cl != tt.wantLen && !(tt.wantLen == "" && cl == "0") {
			t.Errorf("%s: Content-Length %q, want %q", tt.name, cl, tt.wantLen)
		}
		if cl := resp.Header.Get("Content-Length"); cl != "" && cl != fmt.Sprint(len(b)) {
			t.Errorf("%s: Content-Length %s for a %d-byte body", tt.name, cl, len(b))
		}
	}
}

// rawRequest sends req as it is on a new connection and returns the
// response, with its body unread.
func rawRequest(t *testing.T, srv *httptest.Server, req string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(req, " ")
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%.40q: %v", req, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// A single range is served as 206; several ranges get the whole file once
// (they could ask for the same bytes thousands of times, each part with
// its own headers).
func TestServeRanges(t *testing.T) {
	srv := testServer(t)
	full := bigBody("js", 6000)
	many := "bytes=" + strings.TrimSuffix(strings.Repeat("0-0,", 1500), ",")
	for _, tt := range []struct {
		rng        string
		wantStatus int
		wantBody   string
	}{
		{"bytes=0-9", http.StatusPartialContent, full[:10]},
		{"bytes=-5", http.StatusPartialContent, full[len(full)-5:]},
		{"bytes=5990-", http.StatusPartialContent, full[5990:]},
		{"bytes=0-9,", http.StatusPartialContent, full[:10]},
		{"bytes=0-9,20-29", http.StatusOK, full},
		{"bytes=0-0,0-0,0-0", http.StatusOK, full},
		{many, http.StatusOK, full},
		{"bytes=7000-", http.StatusRequestedRangeNotSatisfiable, ""},
	} {
		resp := rawGet(t, srv, "/big.js", "Range: "+tt.rng+"\r\n")
		b := body(t, resp)
		what := fmt.Sprintf("Range %.30s", tt.rng)
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s: status %d, want %d", what, resp.StatusCode, tt.wantStatus)
		}
		if tt.wantBody != "" && b != tt.wantBody {
			t.Errorf("%s: %d-byte body, want %d bytes", what, len(b), len(tt.wantBody))
		}
		if len(b) > len(full) {
			t.Errorf("%s: %d-byte answer for a %d-byte file", what, len(b), len(full))
		}
		checkSecurityHeaders(t, what, resp.Header)
	}
}

// Every answer has the security headers: OPTIONS *, which net/http answers
// itself unless told not to, and the errors net/http writes for requests it
// cannot parse, on a new connection or after a response on a kept-alive
// one.
func TestServeSecurityHeadersOnServerErrors(t *testing.T) {
	srv := testServer(t)
	for _, tt := range []struct {
		name, req  string
		wantStatus int
	}{
		{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusOK},
		{"malformed request line", "GARBAGE\r\n\r\n", http.StatusBadRequest},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", http.StatusBadRequest},
		{"bad header line", "GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", http.StatusBadRequest},
		{"too many header bytes", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 20000) + "\r\n\r\n", http.StatusRequestHeaderFieldsTooLarge},
		{"unknown transfer coding", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: zstd\r\n\r\n", http.StatusNotImplemented},
		{"HTTP/2 over HTTP/1", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", http.StatusHTTPVersionNotSupported},
		{"HTTP/3.1", "GET / HTTP/3.1\r\nHost: x\r\n\r\n", http.StatusHTTPVersionNotSupported},
		{"Expect", "GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", http.StatusExpectationFailed},
	} {
		for _, after := range []string{"", "after a response", "pipelined"} {
			req, what := tt.req, strings.TrimSpace(tt.name+" "+after)
			if after == "pipelined" {
				// Sent with a good request, answered on the kept-alive
				// connection after it.
				req = "GET /boot.js HTTP/1.1\r\nHost: x\r\n\r\n" + req
			}
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			br := bufio.NewReader(conn)
			if after == "after a response" {
				io.WriteString(conn, "GET /boot.js HTTP/1.1\r\nHost: x\r\n\r\n")
			} else {
				io.WriteString(conn, req)
			}
			if after != "" {
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatalf("%s: first request: %v", what, err)
				}
				if b := body(t, resp); b != "boot()" {
					t.Errorf("%s: first body %q", what, b)
				}
				checkSecurityHeaders(t, what+" (first)", resp.Header)
				if after == "after a response" {
					io.WriteString(conn, req)
				}
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Errorf("%s: %v", what, err)
				conn.Close()
				continue
			}
			b := body(t, resp)
			conn.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("%s: status %d, want %d (%q)", what, resp.StatusCode, tt.wantStatus, b)
			}
			checkSecurityHeaders(t, what, resp.Header)
			if tt.name == "OPTIONS *" && (resp.Header.Get("Allow") != "GET, HEAD" || b != "") {
				t.Errorf("%s: Allow %q, body %q", what, resp.Header.Get("Allow"), b)
			}
		}
	}
}

func TestAddSecurityHeaders(t *testing.T) {
	in := "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"
	q, ok := addSecurityHeaders([]byte(in))
	if !ok {
		t.Fatal("not rewritten")
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(q)), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecurityHeaders(t, "rewritten", resp.Header)
	if b := body(t, resp); b != "400 Bad Request" || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("rewritten: body %q, type %q", b, resp.Header.Get("Content-Type"))
	}
	for _, p := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",                              // not an error
		"HTTP/1.1 100 Continue\r\n\r\n",                                             // nor this
		"HTTP/1.1 404 Not Found\r\nContent-Length: 3",                               // incomplete header block
		"HTTP/1.1 404 Not Found\r\nCross-Origin-Opener-Policy: same-origin\r\n\r\n", // already has them
		"body bytes HTTP/1.1 400 Bad Request\r\n\r\n",
		"",
	} {
		if q, ok := addSecurityHeaders([]byte(p)); ok || string(q) != p {
			t.Errorf("addSecurityHeaders(%q) = %q, %v; want it unchanged", p, q, ok)
		}
	}
}

// A client that stops reading a large response cannot hold the server up:
// while it stalls, other clients are served, and on SIGINT/SIGTERM the
// server closes its connection after -grace and returns nil (exit 0).
func TestServeMainStalledReader(t *testing.T) {
	dir := testDist(t)
	big, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: larger than any loopback socket buffers, no disk used.
	if err := big.Truncate(256 << 20); err != nil {
		t.Fatal(err)
	}
	big.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- serveMain(ctx, []string{"-addr", "127.0.0.1:0", "-dir", dir, "-grace", "300ms"}, out, errOut)
	}()
	addr := waitForURL(t, out)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.Contains(line, "200") {
		t.Fatalf("stalled reader: %q, %v", line, err)
	}
	time.Sleep(200 * time.Millisecond) // the server fills the socket buffers and blocks

	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + addr + "/boot.js")
	if err != nil {
		t.Fatalf("another client while one stalls: %v", err)
	}
	if b := body(t, resp); b != "boot()" {
		t.Errorf("another client while one stalls: %q", b)
	}

	start := time.Now()
	cancel() // as SIGTERM does
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serveMain with a stalled reader: %v, want nil", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("shutdown took %v with -grace 300ms", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not shut down")
	}
	if !strings.Contains(errOut.String(), "closing connections") {
		t.Errorf("stderr %q does not say connections were closed", errOut.String())
	}
}

// waitForURL waits for serveMain to print its URL and returns host:port.
func waitForURL(t *testing.T, out *syncBuffer) string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, u, ok := strings.Cut(out.String(), " on http://"); ok {
			if addr, _, ok := strings.Cut(u, "/"); ok {
				return addr
			}
		}
	}
	t.Fatal("server did not print its URL")
	return ""
}
