//go:build ignore

// gen_atlas writes nasbench201.atlas.json from HELP's latency tables:
//
//	go generate ./weights   (runs: go run gen_atlas.go -data ../../shared/data)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/latency"
)

func main() {
	data := flag.String("data", "../../shared/data", "HELP's data directory")
	out := flag.String("out", "nasbench201.atlas.json", "output file")
	flag.Parse()
	if err := run(*data, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen_atlas:", err)
		os.Exit(1)
	}
}

func run(data, out string) error {
	t, err := latency.Load(filepath.Join(data, latency.NASBench201))
	if err != nil {
		return err
	}
	p, err := latency.Standard(latency.NASBench201)
	if err != nil {
		return err
	}
	a, err := atlas.FromTable(t, p, atlas.TableOptions{})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := a.Write(&buf); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
