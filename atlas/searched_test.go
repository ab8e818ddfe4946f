package atlas

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadSearched(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("gpu_titan_rtx_64/latency_20.3ms_accuracy_76.0.json", `{"wid": null, "ks": [5, 3], "e": [3, 6], "d": [2, 3], "r": 176}`)
	write("cpu_gold6226/latency_147ms_accuracy_77.6.json", `{"ks": [3], "e": [4], "d": [2], "r": 224}`)
	got, err := ReadSearched(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Candidate{
		{Arch: "r=224;d=2;ks=3;e=4", Accuracy: 77.6, Note: "HELP's search for gold6226: 147 ms there, 77.6% ImageNet top-1"},
		{Arch: "r=176;d=2,3;ks=5,3;e=3,6", Accuracy: 76.0, Note: "HELP's search for titan_rtx_64: 20.3 ms there, 76.0% ImageNet top-1"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []struct{ rel, body, msg string }{
		{"x/latency_1ms_accuracy_x.json", `{}`, "not named"},
		{"x/latency_1ms_accuracy_70.json", `{"ks": [3]}`, "want r, d, ks and e"},
		{"x/latency_1ms_accuracy_70.json", `{`, "unexpected end"},
	} {
		d := t.TempDir()
		dir = d
		write(bad.rel, bad.body)
		if _, err := ReadSearched(d); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("%s %s: error %v, want %q", bad.rel, bad.body, err, bad.msg)
		}
	}
	if _, err := ReadSearched(t.TempDir()); err == nil {
		t.Error("an empty directory accepted")
	}
}
