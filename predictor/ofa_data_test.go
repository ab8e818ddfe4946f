package predictor

import (
	"path/filepath"
	"testing"

	"github.com/helpwasm/helpwasm/internal/shareddata"
)

// TestLoadHELPCheckpointOFA reads the authors' OFA help_max_corr.pt: an MLP
// on arch_encoding_ofa's 145 values, recognised as space ofa.
func TestLoadHELPCheckpointOFA(t *testing.T) {
	path := filepath.Join(shareddata.Dir(t), "help-original", "ofa", "checkpoint", "help_max_corr.pt")
	m, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, want := m.Config, OFAConfig()
	if c.Space != "ofa" || c.Encoder != EncoderMLP || c.InputDim != 145 || c.Hidden != want.Hidden || !c.HWEmbed || !c.Modulator || !c.MetaSGD {
		t.Errorf("config %+v, want HELP's OFA model %+v", c, want)
	}
}
