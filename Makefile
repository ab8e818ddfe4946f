# helpwasm: see README.md. The two commands a new user needs:
#   make serve   build the page into dist/ and serve it on 127.0.0.1:8080
#   make test    vet and test everything (browser tests need chromium)

DATA ?= ../shared/data
GO   ?= go

.PHONY: all test vet bench serve dist generate clean

all: dist

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./engine/webgpu/... ./wasm/webgputest/
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }

test: vet dist
	HELPWASM_DATA=$(abspath $(DATA)) $(GO) test -count=1 -timeout 30m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The page: one Go WASM program (run as the vugu UI and as the worker), the
# Go toolchain's wasm_exec.js, vugu's renderer helper as a file (the page's
# CSP forbids eval), the predictor weights and device atlas (from weights/,
# see wasm/pagedata; FBNet's are loaded on the first switch), the static assets, and gzip (and, if the brotli tool is
# installed, brotli) copies for serve.go.
WASM_FLAGS = -trimpath -ldflags='-s -w'
dist:
	rm -rf dist && mkdir -p dist
	GOOS=js GOARCH=wasm $(GO) build $(WASM_FLAGS) -o dist/helpwasm.wasm ./wasm/page
	cp assets/* dist/
	cp "$$($(GO) env GOROOT)/lib/wasm/wasm_exec.js" dist/
	$(GO) run ./wasm/vugujs -out dist/vugu-render.js
	$(GO) run ./wasm/pagedata -data $(DATA) -out dist
	chmod u+w dist/*
	gzip -9 -k -n dist/*.wasm dist/*.js dist/*.html dist/*.css dist/*.svg dist/*.json dist/*.helpw dist/*.txt
	@if command -v brotli >/dev/null; then \
		echo "brotli -q 11 dist/*"; \
		brotli -q 11 -k -f dist/*.wasm dist/*.js dist/*.html dist/*.css dist/*.svg dist/*.json dist/*.helpw dist/*.txt; \
	else echo "brotli not installed: serving gzip only (apt-get install brotli for ~25% smaller downloads)"; fi

# Regenerate the vugu components (the generated *_vgen.go files are committed).
generate:
	$(GO) generate ./app/...

serve: dist
	$(GO) run serve.go

clean:
	rm -rf dist
