// worker.js starts the measuring Go WebAssembly program inside a Web Worker.
"use strict";
importScripts("wasm_exec.js");
(function () {
  var go = new Go();
  WebAssembly.instantiateStreaming(fetch("worker.wasm"), go.importObject).then(function (r) {
    return go.run(r.instance);
  }).catch(function (err) {
    postMessage(JSON.stringify({ id: 0, kind: "error", message: "The measuring worker failed to start: " + err }));
  });
})();
