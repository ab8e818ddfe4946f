// Serve is the static file server behind `make serve`: it serves the built
// page in dist/ and nothing else, with the headers the page needs.
//
//	go run serve.go [-addr 127.0.0.1:8080] [-dir dist]
//
// It listens on loopback unless told otherwise and stops cleanly on SIGINT
// or SIGTERM: responses in progress get -grace to finish, then their
// connections are closed (a client that stopped reading cannot hold the
// server up) and it exits 0. Every response carries Cross-Origin-Opener-Policy:
// same-origin and Cross-Origin-Embedder-Policy: require-corp, which make
// the page cross-origin isolated (its clock then ticks every 5 us instead
// of every 100 us), a strict Content-Security-Policy and nosniff. Files are
// served with explicit MIME types (application/wasm for .wasm), from a
// precompressed .br or .gz sibling when the client accepts that encoding,
// always with a Content-Length. A single byte range is served as 206; a
// request for several ranges gets the whole file (200), so no request can
// make the answer larger than the file. Only GET and HEAD are allowed
// (and OPTIONS *, which says so); directories are never listed; paths that
// leave dir (.., encoded or not, or symlinks pointing outside) are refused;
// files other than regular files and directories (FIFOs, devices, sockets)
// are answered as absent without being opened.
//
// The security headers are on every response, including the error answers
// net/http writes itself for requests it cannot parse (400, 431, 501, 505,
// 417): see secureListener.
// It has no build step: `make serve` builds dist/ first.
package main

import (
	"bytes"
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
	"sync/atomic"
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
	grace := fl.Duration("grace", 5*time.Second, "on SIGINT or SIGTERM, how long responses in progress get to finish before their connections are closed")
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
	go func() { done <- srv.Serve(secureListener(ln)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); errors.Is(err, context.DeadlineExceeded) {
		// What is left are responses to clients that stopped reading (or
		// read very slowly): they would hold the process until
		// WriteTimeout. Closing their connections ends those writes.
		fmt.Fprintf(stderr, "serve: closing connections still sending after %v\n", *grace)
		if err := srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("shutting down: %w", err)
		}
	} else if err != nil {
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
// Serve it on secureListener(ln), so that net/http's own error answers
// carry the security headers too.
func newServer(h http.Handler, logger *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute, // large .wasm over a slow link
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          logger,
		// "OPTIONS *" goes to our handler (net/http's answer has none of
		// the security headers).
		DisableGeneralOptionsHandler: true,
		ConnState:                    markResponseBoundary,
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
	case r.RequestURI == "*" && r.Method == http.MethodOptions:
		hdr.Set("Allow", "GET, HEAD")
		hdr.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
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
	if countRanges(r.Header.Get("Range")) > 1 {
		// ServeContent answers several ranges with a multipart body
		// whose part headers can make it ~100x the file (thousands of
		// one-byte ranges). Ignoring Range is allowed (RFC 9110, 14.2):
		// the whole file, once.
		r2 := *r
		r2.Header = r.Header.Clone()
		r2.Header.Del("Range")
		r = &r2
	}
	http.ServeContent(&lengthWriter{ResponseWriter: w, size: fi.Size()}, r, "", fi.ModTime(), f)
}

// countRanges returns how many ranges a Range header asks for ("bytes=0-1,
// 5-" asks for two), 0 without one. Malformed headers count as one: they
// are ServeContent's to refuse.
func countRanges(s string) int {
	if s == "" {
		return 0
	}
	spec, ok := strings.CutPrefix(s, "bytes=")
	if !ok {
		return 1
	}
	n := 0
	for part := range strings.SplitSeq(spec, ",") {
		if strings.TrimSpace(part) != "" {
			n++
		}
	}
	return max(n, 1)
}

// lengthWriter gives a whole-file (200) answer its Content-Length when
// ServeContent leaves it out: it does whenever Content-Encoding is set,
// assuming the handler compresses on the fly, so br and gzip variants
// went out chunked (GET) or without a length (HEAD). Ours are
// precompressed files, so the length is the variant's size. Partial (206)
// answers already have theirs; 304 and errors must not have one.
type lengthWriter struct {
	http.ResponseWriter
	size        int64
	wroteHeader bool
}

func (w *lengthWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		if h := w.Header(); code == http.StatusOK && h.Get("Content-Length") == "" {
			h.Set("Content-Length", strconv.FormatInt(w.size, 10))
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *lengthWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps net/http's sendfile path (io.CopyN in ServeContent uses
// it when the writer has it).
func (w *lengthWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *lengthWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

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

// secureListener wraps ln so that the error answers net/http writes
// itself, before or instead of calling the handler, carry the security
// headers like every other response: 400 (a request it cannot parse, or
// HTTP/1.1 without Host), 431 (headers over MaxHeaderBytes), 501 (an
// unknown Transfer-Encoding) and 505 (an unsupported version) are written
// straight to the connection; 417 (an Expect other than 100-continue) goes
// through net/http's response writer but never reaches the handler.
//
// The wrapped connection adds the headers to a write that starts a
// response, has a 4xx or 5xx status line and a complete header block
// without Cross-Origin-Opener-Policy (every answer of the handler has it).
// A write starts a response when it is the first on the connection or the
// first since net/http reported the connection idle, which it does after
// flushing each response it keeps the connection open for, pipelined or
// not (markResponseBoundary, newServer's ConnState hook); body bytes are
// therefore never taken for a header block. Not covered: a server built
// without newServer's hook or served on a plain listener; and nothing is
// written at all when a read times out or fails.
func secureListener(ln net.Listener) net.Listener { return secureLn{ln} }

type secureLn struct{ net.Listener }

func (l secureLn) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	sc := &secureConn{Conn: c}
	sc.atBoundary.Store(true)
	return sc, nil
}

// markResponseBoundary is the server's ConnState hook: an idle connection
// has flushed its last response, so its next write starts a new one.
func markResponseBoundary(c net.Conn, state http.ConnState) {
	if sc, ok := c.(*secureConn); ok && state == http.StateIdle {
		sc.atBoundary.Store(true)
	}
}

// secureConn is a connection from secureListener.
type secureConn struct {
	net.Conn
	atBoundary atomic.Bool // the next write starts a response
}

func (c *secureConn) Write(p []byte) (int, error) {
	if !c.atBoundary.Swap(false) {
		return c.Conn.Write(p)
	}
	q, ok := addSecurityHeaders(p)
	if !ok {
		return c.Conn.Write(p)
	}
	if _, err := c.Conn.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ReadFrom keeps sendfile for file bodies (net/http uses it when the
// connection has it). A body is never the start of a response.
func (c *secureConn) ReadFrom(r io.Reader) (int64, error) {
	c.atBoundary.Store(false)
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// CloseWrite lets net/http half-close after an error, so the client reads
// the answer before the connection goes (it does so only when the
// connection has the method).
func (c *secureConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// addSecurityHeaders returns p, an HTTP/1.x error response (4xx or 5xx)
// whose header block lacks the security headers, with them inserted after
// the status line; ok is false, and p is to be sent as it is, for anything
// else.
func addSecurityHeaders(p []byte) (q []byte, ok bool) {
	const marker = "\r\nCross-Origin-Opener-Policy:"
	if len(p) < len("HTTP/1.1 400 ") || !bytes.HasPrefix(p, []byte("HTTP/1.")) || p[8] != ' ' || (p[9] != '4' && p[9] != '5') {
		return p, false
	}
	end := bytes.Index(p, []byte("\r\n\r\n"))
	if end < 0 {
		return p, false
	}
	head := p[:end+2]
	if bytes.Contains(head, []byte(marker)) {
		return p, false
	}
	line := bytes.Index(head, []byte("\r\n")) + 2
	q = make([]byte, 0, len(p)+512)
	q = append(q, p[:line]...)
	for _, kv := range securityHeaders {
		q = append(q, kv[0]...)
		q = append(q, ": "...)
		q = append(q, kv[1]...)
		q = append(q, "\r\n"...)
	}
	return append(q, p[line:]...), true
}
