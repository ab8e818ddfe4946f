package weights

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/space/fbnet"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/space/ofa"
)

func TestAtlasShipped(t *testing.T) {
	a, err := Atlas("nasbench201")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Devices) != 19 || len(a.Reference) != 10 {
		t.Errorf("%d devices, %d reference archs; want 19 and 10", len(a.Devices), len(a.Reference))
	}
	for _, s := range append(append([]string{a.Anchors.Fastest, a.Anchors.Slowest}, a.Reference...), a.PoolArchs...) {
		if _, err := nasbench201.Parse(s); err != nil {
			t.Error(err)
		}
	}
	if _, err := Atlas("darts"); err == nil {
		t.Error("Atlas(ofa): no error for a space that is not shipped")
	}
	f, err := Atlas("fbnet")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Devices) != 16 || len(f.Reference) != 10 {
		t.Errorf("fbnet: %d devices, %d reference archs; want the split's 16 and 10", len(f.Devices), len(f.Reference))
	}
	for _, s := range append(f.Reference, f.PoolArchs...) {
		if _, err := fbnet.Parse(s); err != nil {
			t.Error(err)
		}
	}
}

func TestOFAAtlas(t *testing.T) {
	a, err := Atlas("ofa")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Devices) != 12 || len(a.Reference) != 10 {
		t.Errorf("ofa: %d devices, %d reference archs; want the split's 12 and 10", len(a.Devices), len(a.Reference))
	}
	for _, s := range append(a.Reference, a.PoolArchs...) {
		if _, err := ofa.Parse(s); err != nil {
			t.Error(err)
		}
	}
	// HELP's 7 searched networks (Table 5), as candidates with a note.
	if len(a.Candidates) != 7 {
		t.Errorf("ofa: %d candidates, want HELP's 7 searched networks", len(a.Candidates))
	}
	for _, c := range a.Candidates {
		if _, err := ofa.Parse(c.Arch); err != nil || c.Note == "" || c.Accuracy < 70 || c.Accuracy > 80 {
			t.Errorf("candidate %+v: %v", c, err)
		}
	}
}

// TestAtlasReproducible regenerates the atlas from the data and requires
// the shipped file byte for byte: what is committed is what the code
// derives.
func TestAtlasReproducible(t *testing.T) {
	for _, space := range []string{latency.NASBench201, latency.FBNet, latency.OFA} {
		atlasReproducible(t, space)
	}
}

func atlasReproducible(t *testing.T, space string) {
	dir := shareddata.Dir(t)
	tab, err := latency.Load(filepath.Join(dir, space))
	if err != nil {
		t.Fatal(err)
	}
	p, err := latency.Standard(space)
	if err != nil {
		t.Fatal(err)
	}
	opts := atlas.TableOptions{}
	if space == latency.OFA {
		if opts.Candidates, err = atlas.ReadSearched(filepath.Join(dir, atlas.SearchedDir)); err != nil {
			t.Fatal(err)
		}
	}
	a, err := atlas.FromTable(tab, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := a.Write(&buf); err != nil {
		t.Fatal(err)
	}
	shipped, err := Bytes(space, AtlasFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), shipped) {
		t.Errorf("shipped %s.atlas.json differs from atlas.FromTable on the data: run go generate ./weights", space)
	}
}
