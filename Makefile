# helpwasm: see README.md. The two commands a new user needs:
#   make serve   build the page into dist/ and serve it on 127.0.0.1:8080
#   make test    vet and test everything (browser tests need chromium)

DATA ?= ../shared/data
GO   ?= go

.PHONY: all test vet bench serve dist clean

all: dist

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l . | grep -v '_vgen.go$$')" || { echo "gofmt needed:"; gofmt -l . | grep -v '_vgen.go$$'; exit 1; }

test: vet
	HELPWASM_DATA=$(abspath $(DATA)) $(GO) test -count=1 -timeout 30m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf dist
