//go:build ignore

// gen_atlas writes <space>.atlas.json from HELP's latency tables and, with
// -pool FILE, the table's architectures one per line in index order (the
// page's explore list for a space too large to enumerate). OFA's atlas
// also lists, as candidates, the networks HELP's latency-constrained
// search found (help-original/ofa/architecture_config/<device>/
// latency_<ms>ms_accuracy_<top-1>.json, HELP's Table 5), with their
// ImageNet top-1 and a note naming the device and its latency there:
//
//	go generate ./weights   (runs it for nasbench201, fbnet and ofa)
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
	space := flag.String("space", latency.NASBench201, "search space: nasbench201, fbnet or ofa")
	out := flag.String("out", "", "output file (default <space>.atlas.json)")
	pool := flag.String("pool", "", "also write the table's architectures, one per line, to this file")
	flag.Parse()
	if *out == "" {
		*out = *space + ".atlas.json"
	}
	if err := run(*data, *space, *out, *pool); err != nil {
		fmt.Fprintln(os.Stderr, "gen_atlas:", err)
		os.Exit(1)
	}
}

func run(data, space, out, pool string) error {
	t, err := latency.Load(filepath.Join(data, space))
	if err != nil {
		return err
	}
	if pool != "" {
		var b bytes.Buffer
		for row := range t.Len() {
			b.WriteString(t.Arch(row))
			b.WriteByte('\n')
		}
		if err := os.WriteFile(pool, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	p, err := latency.Standard(space)
	if err != nil {
		return err
	}
	opts := atlas.TableOptions{}
	if space == latency.OFA {
		if opts.Candidates, err = atlas.ReadSearched(filepath.Join(data, atlas.SearchedDir)); err != nil {
			return err
		}
	}
	a, err := atlas.FromTable(t, p, opts)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := a.Write(&buf); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
