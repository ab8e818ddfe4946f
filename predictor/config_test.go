package predictor

import (
	"strings"
	"testing"
)

// TestCheckShape: the input shapes fixed by the space must match, the
// learning settings need not.
func TestCheckShape(t *testing.T) {
	nb, fb := NASBench201Config(), FBNetConfig()
	for _, tt := range []struct {
		what string
		edit func(*Config)
		want Config
		err  string // "" for none
	}{
		{"itself", func(*Config) {}, nb, ""},
		{"fbnet itself", func(*Config) {}, fb, ""},
		{"no space recorded", func(c *Config) { c.Space = "" }, nb, ""},
		{"learning settings", func(c *Config) { c.Hidden, c.HWEmbed, c.Modulator, c.InnerSteps = 50, false, false, 5 }, nb, ""},
		{"other space", func(c *Config) { c.Space = "fbnet" }, nb, `space "fbnet"`},
		{"other encoder", func(c *Config) { c.Encoder, c.InputDim = EncoderMLP, 153 }, nb, "mlp encoder"},
		{"node features", func(c *Config) { c.NodeFeatures = 5 }, nb, "5 node features"},
		// 3 nodes of 48 features take 153 inputs too: same length, misread.
		{"node count, same input length", func(c *Config) { c.NumNodes, c.NodeFeatures = 3, 48 }, nb, "3 nodes"},
		{"embedding", func(c *Config) { c.EmbedDim = 11 }, nb, "embedding has 11 values"},
		{"mlp input", func(c *Config) { c.InputDim = 100 }, fb, "takes 100 inputs"},
	} {
		c := NASBench201Config()
		if tt.want.Space == "fbnet" {
			c = FBNetConfig()
		}
		tt.edit(&c)
		err := c.CheckShape(tt.want)
		if tt.err == "" && err != nil {
			t.Errorf("%s: %v", tt.what, err)
		}
		if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: error %v, want one containing %q", tt.what, err, tt.err)
		}
	}
}
