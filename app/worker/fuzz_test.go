package worker

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/app/protocol"
)

// FuzzImport sends a document to the worker as an imported profile: the
// import must end in one event the page can read (a result, or an error
// that is not a recovered panic) and leave the worker answering.
//
// Inputs that pass measure.Validate run the whole adoption and validation
// (about 130 ms natively for the 3-support seed, BenchmarkImport), but
// most mutations are refused before that: 60 s on 2 cores with
// -fuzzminimizetime 2s (without it the minimiser spends the budget on
// slow valid inputs) ran 336,670 execs. Valid inputs are slow, so keep
// -fuzzminimizetime.
func FuzzImport(f *testing.F) {
	fx := newFixture(f, "gold_6226")
	// A small profile: 3 support timings (3 re-adaptations), 5 validation.
	fx.svc.Handle(protocol.Request{ID: 1, Kind: protocol.KindProfile, Profile: &protocol.ProfileRequest{Mode: protocol.ModeQuick, Support: 3, Validation: 5, Seed: 3}})
	if ev, _ := fx.await(f, 1); ev.Kind != protocol.KindResult {
		f.Fatalf("profile: %s %s", ev.Kind, ev.Message)
	}
	fx.svc.Handle(protocol.Request{ID: 2, Kind: protocol.KindExport})
	ev, _ := fx.await(f, 2)
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(ev.ProfileJSON)); err != nil {
		f.Fatal(err)
	}
	f.Add(compact.String())
	f.Add("{}")
	f.Add("not json")
	f.Add(`{"format":"helpwasm-profile"}`)

	id := 2
	f.Fuzz(func(t *testing.T, doc string) {
		id++
		fx.svc.Handle(protocol.Request{ID: id, Kind: protocol.KindImport, ProfileJSON: doc})
		ev, _ := fx.await(t, id) // every event round-trips through JSON
		switch {
		case ev.Kind == protocol.KindResult && ev.Result != nil:
		case ev.Kind == protocol.KindError && !strings.Contains(ev.Message, "internal error"):
		default:
			t.Fatalf("import ended with %s %q", ev.Kind, ev.Message)
		}
	})
}

func BenchmarkImport(b *testing.B) {
	fx := newFixture(b, "gold_6226")
	fx.svc.Handle(protocol.Request{ID: 1, Kind: protocol.KindProfile, Profile: &protocol.ProfileRequest{Mode: protocol.ModeQuick, Support: 3, Validation: 5, Seed: 3}})
	if ev, _ := fx.await(b, 1); ev.Kind != protocol.KindResult {
		b.Fatalf("profile: %s %s", ev.Kind, ev.Message)
	}
	fx.svc.Handle(protocol.Request{ID: 2, Kind: protocol.KindExport})
	ev, _ := fx.await(b, 2)
	b.ResetTimer()
	for i := range b.N {
		fx.svc.Handle(protocol.Request{ID: 3 + i, Kind: protocol.KindImport, ProfileJSON: ev.ProfileJSON})
		if ev, _ := fx.await(b, 3+i); ev.Kind != protocol.KindResult {
			b.Fatalf("import: %s %s", ev.Kind, ev.Message)
		}
	}
}
