// worker.js starts the measuring Go WebAssembly program inside a Web Worker.
// It downloads the program, the predictor weights and the known-device atlas
// in parallel and hands the two data files to Go as byte arrays.
"use strict";
importScripts("wasm_exec.js");
(function () {
  function bytes(name) {
    return fetch(name).then(function (r) {
      if (!r.ok) { throw new Error(name + ": HTTP " + r.status); }
      return r.arrayBuffer();
    }).then(function (b) { return new Uint8Array(b); });
  }
  var go = new Go();
  Promise.all([
    WebAssembly.instantiateStreaming(fetch("helpwasm.wasm"), go.importObject),
    bytes("nasbench201.helpw"),
    bytes("nasbench201.atlas.json"),
  ]).then(function (r) {
    self.helpwasmAssets = { weights: r[1], atlas: r[2] };
    return go.run(r[0].instance);
  }).catch(function (err) {
    postMessage(JSON.stringify({ id: 0, kind: "error", message: "The measuring worker failed to start: " + err }));
  });
})();
