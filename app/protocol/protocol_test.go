package protocol

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestRequestRoundTrip(t *testing.T) {
	for _, r := range []Request{
		{ID: 1, Kind: KindProfile, Profile: &ProfileRequest{Mode: ModeQuick, Support: 10, Validation: 20, Seed: 7}},
		{ID: 2, Kind: KindCancel},
		{ID: 3, Kind: KindVisibility, Hidden: true},
		{ID: 4, Kind: KindPredict, Arch: "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"},
		{ID: 5, Kind: KindImport, ProfileJSON: `{"format":"helpwasm-profile"}`},
		{ID: 6, Kind: KindExplore},
		{ID: 7, Kind: KindSpace, Space: "fbnet"},
		{ID: 8, Kind: KindEngine, Engine: EngineGPU},
		{ID: 9, Kind: KindEngine, Engine: EngineCPU},
	} {
		got, err := DecodeRequest(EncodeRequest(r))
		if err != nil {
			t.Errorf("%+v: %v", r, err)
			continue
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("round trip %+v gave %+v", r, got)
		}
	}
}

func TestDecodeRequestRejects(t *testing.T) {
	for _, s := range []string{
		``, `{`, `[]`, `{"id":1}`, `{"id":1,"kind":"launch"}`,
		`{"id":1,"kind":"profile"}`,
		`{"id":1,"kind":"profile","profile":{"mode":"slow","support":10}}`,
		`{"id":1,"kind":"profile","profile":{"mode":"quick","support":0}}`,
		`{"id":1,"kind":"predict"}`, `{"id":1,"kind":"measure","arch":""}`,
		`{"id":1,"kind":"import"}`, `{"id":1,"kind":"space"}`,
		`{"id":1,"kind":"engine"}`, `{"id":1,"kind":"engine","engine":"tpu"}`,
	} {
		if _, err := DecodeRequest(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeRequest(%q) = %v, want ErrMalformed", s, err)
		}
	}
}

func TestEventRoundTrip(t *testing.T) {
	e := Event{ID: 3, Kind: KindResult, Result: &Result{Mode: ModeQuick, Embedding: []float64{0, 0.5, 1},
		Validation: []Comparison{{Method: "HELP", Unit: "ms", Spearman: 0.9, Points: []XYPair{{Arch: "a", Predicted: 1, Measured: 2}}}}}}
	got, err := DecodeEvent(EncodeEvent(e))
	if err != nil || !reflect.DeepEqual(got, e) {
		t.Errorf("round trip: %+v, %v", got, err)
	}
	if _, err := DecodeEvent(`{"id":1}`); !errors.Is(err, ErrMalformed) {
		t.Errorf("event without kind: %v", err)
	}
}

// An event with a number JSON cannot hold reaches the UI as an error for
// the same request instead of a panic that ends the worker (issue 13).
func TestEncodeEventNotFinite(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		e := Event{ID: 7, Kind: KindResult, Result: &Result{Validation: []Comparison{{Method: "HELP", Spearman: v}}}}
		got, err := DecodeEvent(EncodeEvent(e))
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		if got.ID != 7 || got.Kind != KindError || !strings.Contains(got.Message, "could not be sent") {
			t.Errorf("%v: got %+v, want an error event for request 7", v, got)
		}
	}
}

func TestProgressFraction(t *testing.T) {
	for _, tc := range []struct {
		p    Progress
		want float64
	}{{Progress{Done: 1, Total: 4}, 0.25}, {Progress{Done: 5, Total: 4}, 1}, {Progress{Done: 1}, 0}, {Progress{Done: -1, Total: 2}, 0}} {
		if got := tc.p.Fraction(); got != tc.want {
			t.Errorf("%+v.Fraction() = %v, want %v", tc.p, got, tc.want)
		}
	}
}

// FuzzDecodeRequest: any accepted request encodes and decodes to itself,
// and nothing panics.
func FuzzDecodeRequest(f *testing.F) {
	f.Add(`{"id":1,"kind":"profile","profile":{"mode":"quick","support":10,"validation":20,"seed":1}}`)
	f.Add(`{"id":2,"kind":"predict","arch":"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"}`)
	f.Add(`{"id":3,"kind":"cancel"}`)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := DecodeRequest(s)
		if err != nil {
			return
		}
		again, err := DecodeRequest(EncodeRequest(r))
		if err != nil {
			t.Fatalf("re-decoding %+v: %v", r, err)
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("%+v != %+v", again, r)
		}
	})
}
