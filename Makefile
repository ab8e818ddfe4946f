# helpwasm: see README.md. The two commands a new user needs:
#   make serve   build the page into dist/ and serve it on 127.0.0.1:8080
#   make test    vet and test everything (browser tests need chromium)

DATA ?= ../shared/data
GO   ?= go

# The toolchain: Go 1.27.3 with its simd experiment, which compiles the
# engine's hot kernels (engine/simd_on.go) to WebAssembly SIMD; measured
# 1.5x faster OFA forwards in WASM (docs/RESULTS.md, "simd branch"). The
# go command fetches Go 1.27.3 from the module proxy on first use (about
# 76 MB). `make GOTOOLCHAIN=local GOEXPERIMENT= ...` builds the portable
# kernels with the installed Go (1.26 or newer).
export GOTOOLCHAIN  = go1.27.3
export GOEXPERIMENT = simd

.PHONY: all test vet bench serve dist generate clean

all: dist

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./engine ./engine/webgpu/... ./wasm/webgputest/
	GOEXPERIMENT= $(GO) vet ./engine
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }

# After every test with the simd kernels, the engine's tests again: with
# the portable kernels (the default build, no experiment) and, as the page
# runs them, in WebAssembly under Node (-short: the slowest whole-network
# checks run natively above).
test: vet dist
	HELPWASM_DATA=$(abspath $(DATA)) $(GO) test -count=1 -timeout 30m ./...
	GOEXPERIMENT= HELPWASM_DATA=$(abspath $(DATA)) $(GO) test -count=1 ./engine
	GOOS=js GOARCH=wasm HELPWASM_DATA=$(abspath $(DATA)) $(GO) test -count=1 -short -exec="$$($(GO) env GOROOT)/lib/wasm/go_js_wasm_exec" ./engine

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
