package predictor

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// helpJSON writes m as the authors' checkpoint JSON (what the data's
// help_reference_checkpoint.json holds), for tests.
func helpJSON(t testing.TB, m *Model) []byte {
	t.Helper()
	conv := func(prefix string, ts []tensor, buf []float64) map[string]jsonTensor {
		out := map[string]jsonTensor{}
		for _, x := range ts {
			out[prefix+x.Name] = jsonTensor{Shape: x.Shape, Data: buf[x.Off : x.Off+x.size()]}
		}
		return out
	}
	ep := 3
	ck := jsonCheckpoint{Episode: &ep, Model: conv(torchPrefix, m.l.model, m.base)}
	if m.taskLR != nil {
		ck.TaskLR = conv(torchPrefix, m.l.model, m.taskLR)
	}
	if m.zenc != nil {
		ck.InferenceNetwork = conv("", m.l.zenc, m.zenc)
	}
	b, err := json.Marshal(ck)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadHELPCheckpoint(t *testing.T) {
	for _, name := range []string{"gcn", "mlp", "gcn-nohw", "mlp-noz", "gcn-maml"} {
		c := smallConfigs()[name]
		m := randomModel(c, 1)
		got, err := ReadHELPCheckpoint(bytes.NewReader(helpJSON(t, m)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := m.Config
		want.Space, want.InnerLR = got.Config.Space, got.Config.InnerLR // not stored in the checkpoint
		if got.Config != want {
			t.Errorf("%s: inferred config %+v, want %+v", name, got.Config, want)
		}
		if len(got.params) != len(m.params) {
			t.Fatalf("%s: %d params, want %d", name, len(got.params), len(m.params))
		}
		for i := range m.params {
			if got.params[i] != m.params[i] {
				t.Fatalf("%s: %s = %v, want %v", name, m.paramName(i), got.params[i], m.params[i])
			}
		}
		if got.Meta.Episode != 3 {
			t.Errorf("%s: episode %d", name, got.Meta.Episode)
		}
	}
}

func TestReadHELPCheckpointErrors(t *testing.T) {
	m := randomModel(smallConfigs()["gcn"], 1)
	good := string(helpJSON(t, m))
	cases := []struct{ name, in, want string }{
		{"not json", "hello", "HELP checkpoint"},
		{"empty", "{}", `no "model" tensors`},
		{"no encoder", `{"model":{"meta_learner.fc3.weight":{"shape":[1],"data":[1]}}}`, "neither"},
		{"shape", strings.Replace(good, `"shape":[5,5]`, `"shape":[5,6]`, 1), "has shape [5 6]"},
		{"huge", `{"model":{"meta_learner.gc1.weight":{"shape":[8,4000],"data":[1]}}}`, "the file holds 1 values"},
		{"extra", strings.Replace(good, `"task_lr":{`, `"task_lr":{"meta_learner.extra":{"shape":[1],"data":[1]},`, 1), "unexpected tensors meta_learner.extra"},
	}
	for _, tc := range cases {
		_, err := ReadHELPCheckpoint(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want mention of %q", tc.name, err, tc.want)
		}
	}
}

// FuzzReadHELPCheckpoint: whatever loads survives our own format's round
// trip. The seeds are the tiny models' JSON (about 1 kB): the 15-33 kB
// JSON of the small test models made the fuzzer spend its whole run
// minimising (see FuzzLoad).
func FuzzReadHELPCheckpoint(f *testing.F) {
	for _, name := range []string{"mlp", "gcn"} {
		f.Add(helpJSON(f, randomModel(tinyConfigs()[name], 1)))
	}
	f.Add([]byte(`{"model":{"meta_learner.gc1.weight":{"shape":[2,2],"data":[1,2,3,4]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadHELPCheckpoint(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Whatever loads must survive our own format's round trip.
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(&buf); err != nil {
			t.Fatalf("saved checkpoint does not load: %v", err)
		}
	})
}
