// The wallet's service worker: it caches the page's static assets (the
// page, script, style, icon, the WebAssembly module) so the installed
// app starts offline; it never caches API answers (REST, events,
// broadcasts), which always go to the node.
const CACHE = "gg-wallet-v1";
const scope = new URL(self.registration.scope).pathname;
const ASSETS = ["", "static/wallet.js", "static/wallet.css", "static/icon.svg", "manifest.webmanifest",
  "static/gen/wasm_exec.js", "static/gen/wallet.wasm"].map((p) => scope + p);

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => Promise.allSettled(ASSETS.map((a) => c.add(a)))));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys().then((ks) => Promise.all(ks.filter((k) => k !== CACHE).map((k) => caches.delete(k)))));
});

self.addEventListener("fetch", (e) => {
  const u = new URL(e.request.url);
  if (e.request.method !== "GET" || u.origin !== location.origin || !ASSETS.includes(u.pathname)) return;
  // Network first (a rebuilt node serves a new module), the cache when offline.
  e.respondWith(fetch(e.request).then((r) => {
    if (r.ok) { const copy = r.clone(); caches.open(CACHE).then((c) => c.put(e.request, copy)); }
    return r;
  }).catch(() => caches.match(e.request)));
});
