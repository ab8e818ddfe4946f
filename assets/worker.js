// worker.js starts the measuring Go WebAssembly program inside a Web Worker.
// It downloads the program, the predictor weights and the known-device atlas
// in parallel and hands the two data files to Go as byte arrays.
//
// If the Go program stops once running (a panic that escapes, "fatal error:
// out of memory", a trap), it posts a "died" event with the program's last
// words, so the page can say so and offer to restart the worker (the page
// also watches the worker's 'error' event).
"use strict";
importScripts("wasm_exec.js");
(function () {
  function bytes(name) {
    return fetch(name).then(function (r) {
      if (!r.ok) { throw new Error(name + ": HTTP " + r.status); }
      return r.arrayBuffer();
    }).then(function (b) { return new Uint8Array(b); });
  }
  // Go writes a panic or fatal error to stderr, which wasm_exec.js prints
  // line by line with console.log: keep the first such line.
  var lastWords = "";
  var log = console.log;
  console.log = function (line) {
    if (!lastWords && /^(panic: |fatal error: )/.test(String(line))) { lastWords = String(line).slice(0, 300); }
    log.apply(console, arguments);
  };
  function died(why) {
    postMessage(JSON.stringify({ id: 0, kind: "died", message: "The measuring worker stopped (" + why + ")" + (lastWords ? ": " + lastWords : "") }));
  }
  var go = new Go();
  var exitCode = 0;
  var exit = go.exit;
  go.exit = function (code) { exitCode = code; exit.call(go, code); };
  Promise.all([
    WebAssembly.instantiateStreaming(fetch("helpwasm.wasm"), go.importObject),
    bytes("nasbench201.helpw"),
    bytes("nasbench201.atlas.json"),
  ]).then(function (r) {
    self.helpwasmAssets = { weights: r[1], atlas: r[2] };
    // Browser tests only (?test-hooks): the Go program reports its
    // linear memory's size (which never shrinks: its peak) on request.
    if (/[?&]test-hooks(=|&|$)/.test(location.search)) { self.helpwasmWasmMemory = r[0].instance.exports.mem; }
    return go.run(r[0].instance).then(function () {
      died("its program exited with code " + exitCode);
    }, function (err) {
      died(String(err).slice(0, 300));
    });
  }, function (err) {
    postMessage(JSON.stringify({ id: 0, kind: "error", message: "The measuring worker failed to start: " + err }));
  });
})();
