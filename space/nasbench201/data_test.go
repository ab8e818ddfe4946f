package nasbench201

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/helpwasm/helpwasm/internal/shareddata"
)

// TestPublishedArchs parses every architecture of HELP's NAS-Bench-201
// table: each must format back unchanged, and together they must be the
// whole space.
func TestPublishedArchs(t *testing.T) {
	f, err := os.Open(filepath.Join(shareddata.Space(t, "nasbench201"), "latency.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := make([]bool, NumArchs)
	for i, rec := range recs[1:] {
		a, err := Parse(rec[1])
		if err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
		if a.String() != rec[1] {
			t.Fatalf("row %d: %q formats as %q", i+1, rec[1], a.String())
		}
		if seen[a.Index()] {
			t.Fatalf("row %d: %q repeats", i+1, rec[1])
		}
		seen[a.Index()] = true
	}
	if len(recs)-1 != NumArchs {
		t.Errorf("%d architectures, want %d", len(recs)-1, NumArchs)
	}
}
