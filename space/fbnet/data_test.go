package fbnet

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/helpwasm/helpwasm/internal/shareddata"
)

// TestPublishedArchs parses every architecture of HELP's FBNet table and
// reformats it unchanged.
func TestPublishedArchs(t *testing.T) {
	f, err := os.Open(filepath.Join(shareddata.Space(t, "fbnet"), "latency.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs[1:] {
		a, err := Parse(rec[1])
		if err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
		if a.String() != rec[1] {
			t.Fatalf("row %d: %q formats as %q", i+1, rec[1], a.String())
		}
	}
	if len(recs) != 5001 {
		t.Errorf("%d architectures, want 5000", len(recs)-1)
	}
}
