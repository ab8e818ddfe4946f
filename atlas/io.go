package atlas

import (
	"encoding/json"
	"fmt"
	"io"
)

// Write encodes a as JSON (one line per top-level field is not guaranteed;
// the document is compact). It validates a first.
func (a *Atlas) Write(w io.Writer) error {
	if err := a.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("atlas: encoding: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("atlas: writing: %w", err)
	}
	return nil
}

// Read decodes and validates an atlas written by Write. Unknown fields are
// rejected, so a misspelt field is an error rather than silently missing.
func Read(r io.Reader) (*Atlas, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var a Atlas
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("atlas: decoding JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("atlas: decoding JSON: trailing data after the atlas object")
	}
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("atlas: %w", err)
	}
	return &a, nil
}
