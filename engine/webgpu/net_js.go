//go:build js && wasm

package webgpu

import "github.com/helpwasm/helpwasm/engine"

var _ engine.Net = (*Net)(nil)
