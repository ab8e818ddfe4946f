package atlas

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// SearchedDir is where HELP's data directory keeps the OFA networks
// HELP's latency-constrained search found (HELP's Table 5).
const SearchedDir = "help-original/ofa/architecture_config"

// searchedName is the file name of one searched network.
var searchedName = regexp.MustCompile(`^latency_([0-9.]+)ms_accuracy_([0-9.]+)\.json$`)

// ReadSearched reads the searched OFA networks under dir, laid out as
// HELP ships them: <device>/latency_<ms>ms_accuracy_<top-1>.json, each a
// JSON object with the lists ks, e, d and the resolution r. It returns
// them as candidates with their ImageNet top-1 and a note naming the
// device and the latency HELP reports there, sorted by path so an atlas
// built from them is reproducible. The architecture strings are OFA's
// (r=..;d=..;ks=..;e=..); they are not validated here.
func ReadSearched(dir string) ([]Candidate, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "latency_*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("atlas: no searched networks in %s", dir)
	}
	var out []Candidate
	for _, f := range files {
		m := searchedName.FindStringSubmatch(filepath.Base(f))
		if m == nil {
			return nil, fmt.Errorf("atlas: %s: not named latency_<ms>ms_accuracy_<top-1>.json", f)
		}
		acc, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, fmt.Errorf("atlas: %s: accuracy: %w", f, err)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("atlas: %w", err)
		}
		var c struct {
			KS, E, D []int
			R        int
		}
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("atlas: %s: %w", f, err)
		}
		if c.R == 0 || len(c.D) == 0 || len(c.KS) == 0 || len(c.E) == 0 {
			return nil, fmt.Errorf("atlas: %s: want r, d, ks and e", f)
		}
		// gpu_titan_rtx_64 -> titan_rtx_64, cpu_gold6226 -> gold6226.
		dev := filepath.Base(filepath.Dir(f))
		for _, p := range []string{"gpu_", "cpu_"} {
			dev = strings.TrimPrefix(dev, p)
		}
		out = append(out, Candidate{
			Arch:     fmt.Sprintf("r=%d;d=%s;ks=%s;e=%s", c.R, ints(c.D), ints(c.KS), ints(c.E)),
			Accuracy: acc,
			Note:     fmt.Sprintf("HELP's search for %s: %s ms there, %s%% ImageNet top-1", dev, m[1], m[2]),
		})
	}
	return out, nil
}

func ints(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}
