// Serve is the static file server behind `make serve`: it serves the built
// page in dist/ and nothing else, with the headers the page needs.
//
//	go run serve.go [-addr 127.0.0.1:8080] [-dir dist]
//
// It listens on loopback unless told otherwise and stops cleanly on SIGINT
// or SIGTERM. Every response carries Cross-Origin-Opener-Policy:
// same-origin and Cross-Origin-Embedder-Policy: require-corp, which make
// the page cross-origin isolated (its clock then ticks every 5 us instead
// of every 100 us), a strict Content-Security-Policy and nosniff. Files are
// served with explicit MIME types (application/wasm for .wasm), from a
// precompressed .br or .gz sibling when the client accepts that encoding.
// Only GET and HEAD are allowed; directories are never listed; paths that
// leave dir (.., encoded or not, or symlinks pointing outside) are refused.
// It has no build step: `make serve` builds dist/ first.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serveMain(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "serve:", err)
		}
		os.Exit(1)
	}
}

// serveMain serves until ctx is done, then shuts down gracefully. It
// prints the URL it serves on to stdout.
func serveMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("addr", "127.0.0.1:8080", "listen address (loopback by default)")
	dir := fl.String("dir", "dist", "directory to serve (built by `make dist`)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	h, err := newHandler(*dir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		fmt.Fprintf(stderr, "serve: warning: listening on %v, reachable from other machines\n", ln.Addr())
	}
	srv := newServer(h, log.New(stderr, "serve: ", log.LstdFlags))
	fmt.Fprintf(stdout, "serving %s on http://%s/\n", *dir, ln.Addr())

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Limits on requests. Requests for static files are small: a longer URL or
// bigger header block is refused (414, 431) rather than parsed.
const (
	maxURILength   = 2048
	maxHeaderBytes = 8 << 10 // net/http answers 431 beyond this (plus 4 KB slack)
)

// newServer returns a server for h with timeouts and header limits set.
func newServer(h http.Handler, logger *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute, // large .wasm over a slow link
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          logger,
	}
}

// contentSecurityPolicy allows only this origin's scripts, styles, workers
// and fetches, plus WebAssembly compilation; no inline script or style.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// securityHeaders are set on every response, errors included.
var securityHeaders = [][2]string{
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Embedder-Policy", "require-corp"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
	{"Content-Security-Policy", contentSecurityPolicy},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
}

// mimeTypes maps extensions to Content-Type, independent of the host's
// mime.types so every machine serves the same.
var mimeTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".wasm":        "application/wasm",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".ico":         "image/x-icon",
	".woff2":       "font/woff2",
	".txt":         "text/plain; charset=utf-8",
	".csv":         "text/csv; charset=utf-8",
	".bin":         "application/octet-stream",
}

func contentType(name string) string {
	if t, ok := mimeTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// encodings are the precompressed variants looked for, best first.
var encodings = []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// handler serves the files under dir.
type handler struct {
	dir    string
	logger *log.Logger

	mu     sync.Mutex
	root   *os.Root    // dir as opened
	rootFI fs.FileInfo // and its identity then
}

// newHandler returns a handler serving the directory dir. It fails if dir
// is not a readable directory.
func newHandler(dir string) (http.Handler, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("directory to serve: %w (build it with `make dist`)", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("directory to serve: %s is not a directory", dir)
	}
	// os.Root confines every open to dir: "..", absolute paths and
	// symlinks that leave dir all fail.
	h := &handler{dir: dir, logger: log.New(os.Stderr, "serve: ", log.LstdFlags)}
	if _, err := h.currentRoot(); err != nil {
		return nil, fmt.Errorf("directory to serve: %w", err)
	}
	return h, nil
}

// currentRoot returns the root for dir as it is now. `make dist` removes
// and rebuilds dist/ (as `make test` does while `make serve` may be
// running); a root opened before that still names the removed directory,
// so it is reopened whenever dir is no longer the directory it was.
func (h *handler) currentRoot() (*os.Root, error) {
	fi, err := os.Stat(h.dir)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.root != nil && os.SameFile(fi, h.rootFI) {
		return h.root, nil
	}
	root, err := os.OpenRoot(h.dir)
	if err != nil {
		return nil, err
	}
	if h.root != nil {
		h.root.Close() // requests still holding files keep them open
	}
	h.root, h.rootFI = root, fi
	return root, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	for _, kv := range securityHeaders {
		hdr.Set(kv[0], kv[1])
	}
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		hdr.Set("Allow", "GET, HEAD")
		httpError(w, http.StatusMethodNotAllowed)
		return
	case len(r.RequestURI) > maxURILength:
		httpError(w, http.StatusRequestURITooLong)
		return
	case r.ContentLength != 0 || len(r.TransferEncoding) > 0:
		// Nothing here takes a body; don't read one.
		httpError(w, http.StatusRequestEntityTooLarge)
		return
	}
	name, isDir, ok := cleanPath(r.URL.Path)
	if !ok {
		httpError(w, http.StatusNotFound)
		return
	}
	f, fi, err := h.open(name)
	if err != nil {
		h.fail(w, err)
		return
	}
	defer f.Close()
	if fi.IsDir() {
		f.Close()
		if !isDir {
			// Relative links in dir/index.html need the trailing slash.
			http.Redirect(w, r, "/"+name+"/", http.StatusMovedPermanently)
			return
		}
		name = path.Join(name, "index.html")
		f, fi, err = h.open(name)
		if err != nil {
			h.fail(w, err)
			return
		}
		defer f.Close()
		if fi.IsDir() {
			httpError(w, http.StatusNotFound)
			return
		}
	} else if isDir {
		httpError(w, http.StatusNotFound) // "file.js/"
		return
	}
	hdr.Set("Content-Type", contentType(name))
	hdr.Set("Cache-Control", "no-cache") // revalidate: dist changes on every build
	hdr.Add("Vary", "Accept-Encoding")
	etagSuffix := ""
	for _, enc := range encodings {
		if !accepts(r.Header.Values("Accept-Encoding"), enc.name) {
			continue
		}
		cf, cfi, err := h.open(name + enc.ext)
		if err != nil {
			continue
		}
		// A variant older than its source was left by an older build.
		// Compressors copy the source's time to the variant, brotli only
		// to the whole second, so compare whole seconds.
		if cfi.IsDir() || cfi.ModTime().Before(fi.ModTime().Truncate(time.Second)) {
			cf.Close()
			continue
		}
		f.Close()
		defer cf.Close()
		f, fi = cf, cfi
		hdr.Set("Content-Encoding", enc.name)
		etagSuffix = "-" + enc.name
		break
	}
	hdr.Set("ETag", `"`+strconv.FormatInt(fi.Size(), 36)+"-"+strconv.FormatInt(fi.ModTime().UnixNano(), 36)+etagSuffix+`"`)
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// open opens name under the root and stats it.
func (h *handler) open(name string) (*os.File, fs.FileInfo, error) {
	root, err := h.currentRoot()
	if err != nil {
		return nil, nil, err
	}
	// Stat before opening: opening a FIFO for reading blocks until a
	// writer comes, which would hang the request.
	if fi, err := root.Stat(name); err != nil {
		return nil, nil, err
	} else if !fi.Mode().IsRegular() && !fi.IsDir() {
		return nil, nil, fs.ErrNotExist
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() {
		f.Close()
		return nil, nil, fs.ErrNotExist // devices, sockets, pipes
	}
	return f, fi, nil
}

// fail answers an open error without revealing its text, as net/http's
// toHTTPError does, and logs errors that are not plain absences.
func (h *handler) fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		httpError(w, http.StatusNotFound)
	case errors.Is(err, fs.ErrPermission):
		httpError(w, http.StatusForbidden)
	default:
		// Paths escaping the root, "file/x" (ENOTDIR), symlink loops: all
		// look like absence to the client.
		h.logger.Printf("open: %v", err)
		httpError(w, http.StatusNotFound)
	}
}

func httpError(w http.ResponseWriter, code int) {
	http.Error(w, strconv.Itoa(code)+" "+http.StatusText(code), code)
}

// cleanPath turns a URL path into a slash-separated name relative to the
// served directory ("." for the root). isDir reports a trailing slash. It
// refuses paths with "..", NUL, backslashes or dot-files, whether they were
// percent-encoded or not (the URL is already decoded here).
func cleanPath(p string) (name string, isDir, ok bool) {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\x00\\") {
		return "", false, false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == ".." || (strings.HasPrefix(seg, ".") && seg != ".") {
			return "", false, false
		}
	}
	isDir = strings.HasSuffix(p, "/")
	name = strings.TrimPrefix(path.Clean(p), "/")
	if name == "" {
		name, isDir = ".", true
	}
	return name, isDir, true
}

// accepts reports whether an Accept-Encoding header allows coding, with
// q-values: "gzip;q=0" refuses gzip, "*" accepts anything not listed.
func accepts(headers []string, coding string) bool {
	star := false
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != coding && name != "*" {
				continue
			}
			q := 1.0
			for _, param := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(param), "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					} else {
						q = 0
					}
				}
			}
			if name == coding {
				return q > 0
			}
			star = q > 0
		}
	}
	return star
}
