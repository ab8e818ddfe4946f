package ofa

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/helpwasm/helpwasm/internal/shareddata"
)

// TestPublishedArchs parses every architecture of HELP's OFA table and its
// reference architectures and reformats them unchanged.
func TestPublishedArchs(t *testing.T) {
	dir := shareddata.Space(t, "ofa")
	for _, name := range []string{"latency.csv", "reference_archs.csv"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		nets := map[Arch]bool{}
		lo, hi := int64(1<<62), int64(0)
		for i, rec := range recs[1:] {
			a, err := Parse(rec[1])
			if err != nil {
				t.Fatalf("%s row %d: %v", name, i+1, err)
			}
			if a.String() != rec[1] {
				t.Fatalf("%s row %d: %q formats as %q", name, i+1, rec[1], a.String())
			}
			nets[a.Canonical()] = true
			lo, hi = min(lo, FLOPs(a)), max(hi, FLOPs(a))
		}
		want := map[string]int{"latency.csv": 5000, "reference_archs.csv": 10}[name]
		if len(recs)-1 != want || len(nets) != want {
			t.Errorf("%s: %d architectures, %d distinct networks, want %d", name, len(recs)-1, len(nets), want)
		}
		t.Logf("%s: FLOPs %d..%d", name, lo, hi)
	}
}
