// boot.js starts the page's Go WebAssembly UI. It is the only hand-written
// script: everything else is Go. It runs under a strict CSP (no eval), so
// vugu's renderer helper is loaded as a file (vugu-render.js) and the
// renderer's one eval call of that same helper is answered without eval.
"use strict";
(function () {
  function fail(msg) {
    var el = document.getElementById("boot-status");
    if (!el) { el = document.createElement("p"); document.body.appendChild(el); }
    el.className = "error";
    el.textContent = msg;
  }
  if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
    fail("This browser does not support WebAssembly, which this page needs to run its neural networks. Try a current Firefox, Chrome, Safari or Edge.");
    return;
  }
  if (typeof Worker !== "function") {
    fail("This browser does not support Web Workers, which this page needs to time networks without freezing.");
    return;
  }
  if (typeof window.vuguRender !== "function" || typeof Go !== "function") {
    fail("A script of this page failed to load (vugu-render.js or wasm_exec.js); reload to try again.");
    return;
  }
  // domrender.New calls window.eval(helper); the helper is already loaded
  // and starts with "if (window.vuguRender) return", so evaluating it again
  // would be a no-op. Refuse anything else.
  window.eval = function () {
    if (typeof window.vuguRender === "function") { return undefined; }
    throw new Error("eval is disabled on this page");
  };
  // Start the measuring worker now, so it downloads and compiles while the
  // UI does; the UI (Go) takes over its messages when it starts and first
  // reads the ones that arrived before.
  // ?test-hooks (browser tests only, see README.md) lets the page's
  // helpwasm.testKillWorker() make the worker's Go program panic.
  var url = /[?&]test-hooks(=|&|$)/.test(location.search) ? "worker.js?test-hooks" : "worker.js";
  var worker = new Worker(url);
  var early = [];
  worker.onmessage = function (e) { early.push(e.data); };
  worker.onerror = function (e) {
    early.push(JSON.stringify({ id: 0, kind: "error", message: "The measuring worker failed to start: " + (e.message || "unknown error") }));
  };
  window.helpwasmWorker = { worker: worker, early: early, url: url };
  var go = new Go();
  var started = performance.now();
  var src = fetch("helpwasm.wasm");
  var inst = WebAssembly.instantiateStreaming
    ? WebAssembly.instantiateStreaming(src, go.importObject)
    : src.then(function (r) { return r.arrayBuffer(); }).then(function (b) { return WebAssembly.instantiate(b, go.importObject); });
  inst.then(function (r) {
    window.helpwasmBootMs = performance.now() - started;
    return go.run(r.instance);
  }).then(function () {
    fail("The page's program stopped unexpectedly; reload to start again.");
  }, function (err) {
    fail("The page failed to start: " + err);
  });
})();
