// The H5 wallet page. Keys, addresses and signing are the WebAssembly
// build of lib/h5wallet (globalThis.ggwallet.call); this module keeps the
// mnemonic encrypted in IndexedDB (PBKDF2-SHA256 → AES-GCM), reads the
// node's REST routes, follows its WebSocket events and broadcasts.
const body = document.body;
const cfg = body.dataset;
const $ = (id) => document.getElementById(id);
const PBKDF2_ITERATIONS = 600000;
const LOOKAHEAD = 10;
let ww = null; // the open wallet: {receive, change, mine: Set, coins, props, tip}
const pendingTxs = new Map(); // txid → {delta (dust), time}

// status shows a line under the header. What the user did (sent, bid,
// on sale) or an error stays at least 15 s: a background refresh's
// "up to date" does not overwrite it.
let statusHeld = 0;
function status(text, error, background) {
  if (background && Date.now() < statusHeld) return;
  const s = $("status");
  s.textContent = text;
  s.className = error ? "error" : "";
  statusHeld = background ? 0 : Date.now() + 15000;
}
function show(id) {
  for (const s of ["start", "backup", "wallet"]) $(s).hidden = s !== id;
  $("lock").hidden = id !== "wallet";
}
const dust = (gg) => Math.round(Number(gg) * 1e8);
function fmt(d) {
  const neg = d < 0; d = Math.abs(d);
  return (neg ? "-" : "") + Math.floor(d / 1e8) + "." + String(d % 1e8).padStart(8, "0");
}
function parseGG(s) {
  if (!/^\d+(\.\d{1,8})?$/.test(s.trim())) throw new Error("amount: want GG with at most 8 decimals");
  const [i, f = ""] = s.trim().split(".");
  return Number(i) * 1e8 + Number(f.padEnd(8, "0"));
}

// --- the WebAssembly module ---
function call(method, args) {
  const a = globalThis.ggwallet.call(method, args || {}); // plain objects both ways, no JSON text
  if (a.error) throw new Error(a.error);
  return a.result;
}
async function loadModule() {
  const t0 = performance.now();
  const ready = new Promise((res) => addEventListener("ggwallet-ready", res, { once: true }));
  const go = new Go();
  const r = await fetch(cfg.prefix + "static/gen/wallet.wasm");
  if (!r.ok) throw new Error("wallet module: HTTP " + r.status);
  const { instance } = await WebAssembly.instantiateStreaming(r, go.importObject);
  go.run(instance);
  await ready;
  body.dataset.wasmMs = String(Math.round(performance.now() - t0)); // fetched, compiled, started
}

// --- the vault: IndexedDB, the mnemonic under AES-GCM ---
function idb() {
  return new Promise((res, rej) => {
    const q = indexedDB.open("gg-wallet", 1);
    q.onupgradeneeded = () => q.result.createObjectStore("vault");
    q.onsuccess = () => res(q.result);
    q.onerror = () => rej(q.error);
  });
}
async function vault(mode, fn) {
  const db = await idb();
  return new Promise((res, rej) => {
    const t = db.transaction("vault", mode);
    const q = fn(t.objectStore("vault"));
    t.oncomplete = () => { db.close(); res(q && q.result); };
    t.onerror = () => { db.close(); rej(t.error); };
  });
}
const vaultGet = () => vault("readonly", (s) => s.get(cfg.network));
const vaultPut = (v) => vault("readwrite", (s) => s.put(v, cfg.network));
const vaultDelete = () => vault("readwrite", (s) => s.delete(cfg.network));

async function deriveKey(pass, salt, iterations) {
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(pass), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base,
    { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}
async function seal(mnemonic, pass, birth) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(pass, salt, PBKDF2_ITERATIONS);
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(cfg.network) },
    key, new TextEncoder().encode(mnemonic));
  await vaultPut({ v: 1, kdf: "PBKDF2-SHA256", iterations: PBKDF2_ITERATIONS, salt, iv, ct: new Uint8Array(ct), created: Date.now(), birth });
}
async function unseal(v, pass) {
  const key = await deriveKey(pass, v.salt, v.iterations);
  try {
    const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: v.iv, additionalData: new TextEncoder().encode(cfg.network) }, key, v.ct);
    return new TextDecoder().decode(pt);
  } catch (e) {
    throw new Error("wrong passphrase");
  }
}

// --- the node ---
// get fetches a REST path, waiting out the public listener's rate limit
// (429 with Retry-After) a few times.
async function get(path, headers) {
  for (let i = 0; ; i++) {
    const r = await fetch(cfg.rest + path, { headers });
    if (r.status !== 429 || i === 5) return r;
    const wait = Math.min(5, Number(r.headers.get("Retry-After")) || 1);
    await new Promise((res) => setTimeout(res, wait * 1000));
  }
}
// throttled runs job over items with at most limit in flight (the public
// listener allows a burst of twice its rate a second, then 429s), the
// answers in the items' order; after a job fails no other starts.
async function throttled(items, limit, job) {
  const out = new Array(items.length);
  let next = 0, failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try { out[i] = await job(items[i]); } catch (e) { failed = true; throw e; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
async function rest(path) {
  const r = await get(path, { Accept: "application/json" });
  let d = null;
  try { d = await r.json(); } catch (e) { /* not JSON */ }
  if (!r.ok) {
    const err = new Error((d && d.error) || "HTTP " + r.status);
    err.status = r.status;
    err.fetch = r.status === 429 || r.status >= 500;
    throw err;
  }
  return d;
}
async function broadcast(res, delta) {
  const r = await fetch(cfg.broadcast, { method: "POST", headers: { "Content-Type": "text/plain" }, body: res.hex });
  const d = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(d.error || "broadcast: HTTP " + r.status);
  pendingTxs.set(d.txid, { delta, time: Date.now() });
  return d.txid;
}

// --- the open wallet ---
async function open(mnemonic, birth) {
  const r = call("open", { mnemonic, network: cfg.network, lookahead: LOOKAHEAD });
  ww = { receive: r.receive, change: r.change, mine: new Set([...r.receive, ...r.change].map((a) => a.address)),
    coins: [], props: [], tip: 0, birth: birth || 0, indexBalance: null, verifier: null };
  $("receive").textContent = r.receive[0].address;
  show("wallet");
  status("wallet open", false, true);
  await refresh();
  listen();
}

function row(tbody, cells) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    if (c instanceof Node) td.append(c); else td.textContent = c;
    tr.append(td);
  }
  tbody.append(tr);
  return tr;
}
function replace(tbody) { tbody.textContent = ""; return tbody; }

let refreshing = null, again = false;
function refresh() {
  if (refreshing) { again = true; return refreshing; }
  refreshing = doRefresh().catch((e) => status(e.message, true)).finally(() => {
    refreshing = null;
    if (again) { again = false; refresh(); }
  });
  return refreshing;
}

// REFRESH_IN_FLIGHT bounds a refresh's requests in flight at once: one
// pool for all its reads, however many addresses the wallet has, so a
// large wallet does not burst past the public listener's rate limit.
const REFRESH_IN_FLIGHT = 4;

async function doRefresh() {
  const addrs = [...ww.mine];
  let bals;
  try {
    bals = await throttled(addrs, REFRESH_IN_FLIGHT, (a) => rest("/address/" + a + "/balance.json"));
  } catch (e) {
    if (e.status === 404) { $("index-note").hidden = false; $("balance").textContent = "?"; return; }
    throw e;
  }
  $("index-note").hidden = true;
  const used = addrs.filter((a, i) => bals[i].txs > 0);
  ww.tip = Math.max(0, ...bals.map((b) => b.height));
  const pending = [...pendingTxs.keys()];
  const reads = [() => rest("/game/auctions.json")];
  for (const a of used) {
    reads.push(() => rest("/address/" + a + "/utxos.json?limit=1000").then((d) => d.utxos.map((u) => ({ ...u, address: a }))),
      () => rest("/address/" + a + "/txs.json?order=desc&limit=50").then((d) => d.txs),
      () => rest("/game/props/owner/" + a + ".json?limit=1000").then((d) => d.props));
  }
  // Which pending transactions the pool still has: one small read
  // each, none when nothing is pending (404: gone or mined).
  for (const id of pending) {
    reads.push(() => rest("/tx/" + id + ".json").then(() => id, (e) => {
      if (e.status === 404) return null;
      throw e;
    }));
  }
  const got = await throttled(reads, REFRESH_IN_FLIGHT, (read) => read());
  const auctions = got[0], per = got.slice(1, 1 + 3 * used.length), pool = got.slice(1 + 3 * used.length);
  const utxos = per.filter((_, i) => i % 3 === 0), txs = per.filter((_, i) => i % 3 === 1), props = per.filter((_, i) => i % 3 === 2);
  ww.props = props.flat();
  const carriers = new Set(ww.props.map((p) => p.outpoint));
  ww.coins = utxos.flat().filter((u) => !carriers.has(u.txid + ":" + u.vout))
    .map((u) => ({ txid: u.txid, vout: u.vout, value: dust(u.value), address: u.address, height: u.height, coinbase: u.coinbase }));
  let total = bals.reduce((s, b) => s + dust(b.balance), 0);
  ww.indexBalance = total;
  // History: one line per transaction, its effect on the whole wallet.
  const hist = new Map();
  for (const t of txs.flat()) {
    const h = hist.get(t.txid) || { height: t.height, delta: 0 };
    h.delta += dust(t.received) - dust(t.sent);
    hist.set(t.txid, h);
  }
  // Pending: sent from here and not mined yet; one mined (in the
  // history) or gone from the pool (a bid outbid, a listing sold) is
  // no longer pending (a pool read that may predate the broadcast is
  // not believed for 10 s).
  const inPool = new Set(pool.filter(Boolean));
  for (const [id, p] of [...pendingTxs]) {
    if (hist.has(id) || !inPool.has(id) && Date.now() - p.time > 10000) pendingTxs.delete(id);
  }
  const pend = [...pendingTxs.values()].reduce((s, p) => s + p.delta, 0);
  $("balance").textContent = fmt(total);
  $("pending").textContent = pendingTxs.size ? "(" + fmt(pend) + " GG pending)" : "";
  const hb = replace($("history"));
  for (const [id, p] of pendingTxs) row(hb, ["pending", id, fmt(p.delta)]);
  for (const [id, h] of [...hist].sort((a, b) => b[1].height - a[1].height)) row(hb, [h.height, id, fmt(h.delta)]);
  drawProps(auctions);
  drawAuctions(auctions);
  status("up to date at height " + ww.tip, false, true);
  if ($("verified-mode").checked) await verify();
}

// --- verified mode: BIP158 filters, filter headers, proof of work ---
// The module checks each run of headers (linked, the difficulty its
// parent allows, proof of work; the anchor's header gives the first
// parent's bits), each filter against the filter header chain, matches
// the wallet's scripts and reads the coins from the matched blocks
// (merkle root checked).
async function text(path) {
  const r = await get(path);
  if (!r.ok) throw Object.assign(new Error(path + ": HTTP " + r.status), { status: r.status, fetch: r.status === 429 || r.status >= 500 });
  return (await r.text()).trim();
}
async function verify() {
  const out = $("verified");
  try {
    const info = await rest("/chaininfo.json");
    let st = ww.verifier;
    if (!st) {
      const from = Math.max(0, Math.min(ww.birth, info.blocks));
      if (from === 0) st = call("verifyStart", { height: -1 });
      else {
        const a = (await rest("/blockhashbyheight/" + (from - 1) + ".json")).blockhash;
        const [hdr, fh] = await Promise.all([text("/headers/" + a + ".hex?count=1"),
          rest("/blockfilterheaders/basic/" + a + ".json?count=1")]);
        st = call("verifyStart", { anchor: a, anchor_header: hdr.slice(0, 160), anchor_fh: fh[0], height: from - 1 });
      }
    }
    while (st.height < info.blocks) {
      const first = (await rest("/blockhashbyheight/" + (st.height + 1) + ".json")).blockhash;
      const count = Math.min(100, info.blocks - st.height);
      const [hex, hdrs, fhs] = await Promise.all([text("/headers/" + first + ".hex?count=" + count),
        rest("/headers/" + first + ".json?count=" + count), rest("/blockfilterheaders/basic/" + first + ".json?count=" + count)]);
      const n = Math.min(hdrs.length, fhs.length);
      if (n === 0) break;
      const headers = [];
      for (let i = 0; i < n; i++) headers.push(hex.slice(i * 160, i * 160 + 160));
      const filters = await throttled(hdrs.slice(0, n), 8, (h) => rest("/blockfilter/basic/" + h.hash + ".json").then((d) => d.filter));
      st = call("verifyFilters", { headers, filter_headers: fhs.slice(0, n), filters });
      for (const m of st.matched) st = call("verifyBlock", { block: await text("/block/" + m + ".hex") });
      ww.verifier = st; // checked up to here: a later failed fetch resumes after it
    }
    const agree = st.balance === ww.indexBalance;
    out.textContent = "verified: " + fmt(st.balance) + " GG at height " + st.height + " (" + st.scanned + " blocks read)" +
      (agree ? "" : "; the address index says " + fmt(ww.indexBalance) + " GG");
    out.className = agree ? "ok" : "error";
  } catch (e) {
    // A fetch that failed for now (429, 5xx, the network down) keeps
    // the checked part; a reorganisation or a bad answer starts again
    // from the birth.
    if (!e.fetch && !(e instanceof TypeError)) ww.verifier = null;
    out.textContent = "verified mode: " + e.message;
    out.className = "error";
  }
}

function drawProps(auctions) {
  const onSale = new Set(auctions.map((a) => a.prop));
  const tb = replace($("props"));
  for (const p of ww.props) {
    let cell;
    if (onSale.has(p.id)) cell = "on sale";
    else {
      cell = document.createElement("form");
      cell.className = "sell";
      cell.innerHTML = '<input name="buynow" placeholder="buy-now GG" size="10" required> <input name="reserve" placeholder="reserve GG" size="10"> <button>sell</button>';
      cell.addEventListener("submit", (ev) => { ev.preventDefault(); act(() => sell(p, cell)); });
    }
    const tr = row(tb, [p.id, fmt(dust(p.gold)), cell]);
    tr.dataset.prop = p.id;
    tr.cells[0].className = "id";
  }
}

function drawAuctions(auctions) {
  const tb = replace($("auctions"));
  for (const a of auctions) {
    let cell = "";
    if (!ww.mine.has(a.seller) && !a.final) {
      cell = document.createElement("form");
      cell.className = "bid";
      cell.innerHTML = '<input name="price" placeholder="GG" size="10" required> <button>bid</button>';
      cell.addEventListener("submit", (ev) => { ev.preventDefault(); act(() => bid(a, cell)); });
    } else if (ww.mine.has(a.bidder)) cell = "your bid";
    const tr = row(tb, [a.prop, a.seller, fmt(dust(a.bid)), fmt(dust(a.buynow)), cell]);
    tr.dataset.prop = a.prop;
    tr.cells[0].className = "id";
  }
}

async function act(fn) {
  try { await fn(); } catch (e) { status(e.message, true); }
}

// fresh returns an address of branch the wallet has not used yet.
function fresh(list) {
  return list[Math.min(list.length - 1, 1 + Math.floor(Math.random() * (list.length - 1)))].address;
}
function spendable() {
  const spent = new Set();
  for (const p of pendingTxs.values()) for (const s of p.spent || []) spent.add(s);
  return ww.coins.filter((c) => !spent.has(c.txid + ":" + c.vout));
}

async function send(form) {
  const value = parseGG(form.amount.value);
  const res = call("send", { coins: spendable(), to: [{ address: form.to.value.trim(), value }], change: fresh(ww.change), tip: ww.tip });
  const txid = await broadcast(res, -(value + res.fee));
  pendingTxs.get(txid).spent = res.spent;
  form.reset();
  status("sent " + fmt(value) + " GG: " + txid);
  refresh();
}

async function sell(p, form) {
  const [txid, vout] = p.outpoint.split(":");
  const coin = { txid, vout: Number(vout), value: dust(p.gold), address: p.owner, height: p.height };
  const res = call("sale", { prop: p.id, coin, buynow: parseGG(form.buynow.value),
    reserve: form.reserve.value ? parseGG(form.reserve.value) : 0, tip: ww.tip });
  const id = await broadcast(res, 0);
  pendingTxs.delete(id); // a listing moves no coin: never mined, a bid takes its place
  status("prop " + p.id.slice(0, 12) + "… on sale: " + id);
  refresh();
}

async function bid(a, form) {
  const price = parseGG(form.price.value);
  // The auction's transaction, and its fee (the bid replaces it and
  // pays more): one pool entry, not the whole pool; none (404) pays 0.
  const [sale, replaced] = await Promise.all([
    text("/tx/" + a.txid + ".hex"),
    rest("/mempool/entry/" + a.txid + ".json").then((e) => dust(e.fee), (e) => {
      if (e.status === 404) return 0;
      throw e;
    }),
  ]);
  const res = call("bid", { sale: sale.trim(), seller: a.seller, gold: dust(a.gold), price, replaced_fees: replaced,
    coins: spendable(), prop_address: fresh(ww.receive), change: fresh(ww.change), tip: ww.tip });
  const txid = await broadcast(res, -(price + res.fee));
  pendingTxs.get(txid).spent = res.spent;
  status("bid " + fmt(price) + " GG: " + txid);
  refresh();
}

// --- live updates: the node's WebSocket events ---
let socket = null;
function listen() {
  if (socket) return;
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(proto + "//" + location.host + cfg.events);
  let timer = null;
  const soon = () => { if (!timer) timer = setTimeout(() => { timer = null; if (ww) refresh(); }, 150); };
  socket.onopen = () => {
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe",
      params: { topics: ["blocks", "txs", "props"], addresses: [...ww.mine] } }));
    soon(); // what came while the socket was down
  };
  socket.onmessage = (ev) => {
    let m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    if (m.id === 1 && m.error) { status("live updates refused: " + m.error.message, true); return; }
    if (m.method === "event") soon();
  };
  socket.onclose = () => { socket = null; if (ww) setTimeout(listen, 2000); };
}

// --- start ---
async function start() {
  if (!window.isSecureContext || !crypto.subtle) {
    $("insecure").hidden = false;
    status("refused: not a secure context", true);
    return;
  }
  if (cfg.built !== "true") { status("wallet module not built: run make build", true); return; }
  status("loading the wallet module…", false, true);
  await loadModule();
  // After the module: the worker's install fetches it again for its cache.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.prefix + "sw.js", { scope: cfg.prefix })
      .then(() => navigator.serviceWorker.ready).then(() => { body.dataset.sw = "ready"; })
      .catch((e) => { body.dataset.sw = "failed: " + e.message; });
  }
  const v = await vaultGet();
  $("unlock-box").hidden = !v;
  $("new-box").hidden = !!v;
  show("start");
  status(v ? "locked" : "no wallet in this browser yet", false, true);

  $("create").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = ev.target;
    act(async () => {
      if (f.pass.value !== f.pass2.value) throw new Error("the passphrases differ");
      const m = call("newMnemonic", { words: Number(f.words.value) });
      const birth = (await rest("/chaininfo.json")).blocks; // a new wallet has nothing before
      status("encrypting…", false, true);
      await seal(m, f.pass.value, birth);
      f.reset();
      $("mnemonic").textContent = m;
      show("backup");
      $("backed-up").onclick = () => { $("mnemonic").textContent = ""; act(() => open(m, birth)); };
    });
  });
  $("restore").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = ev.target;
    act(async () => {
      const m = f.mnemonic.value.trim().toLowerCase().split(/\s+/).join(" ");
      call("checkMnemonic", { mnemonic: m });
      status("encrypting…", false, true);
      await seal(m, f.pass.value, 0);
      f.reset();
      await open(m, 0);
    });
  });
  $("unlock").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = ev.target;
    act(async () => {
      status("unlocking…", false, true);
      const v = await vaultGet();
      const m = await unseal(v, f.pass.value);
      f.reset();
      await open(m, v.birth);
    });
  });
  $("forget").addEventListener("click", () => act(async () => {
    if (!confirm("Remove the wallet from this browser? Only your mnemonic restores it.")) return;
    await vaultDelete();
    location.reload();
  }));
  $("lock").addEventListener("click", () => { call("close"); location.reload(); });
  $("verified-mode").addEventListener("change", () => {
    if ($("verified-mode").checked) act(() => refresh());
    else $("verified").textContent = "";
  });
  $("send").addEventListener("submit", (ev) => { ev.preventDefault(); act(() => send(ev.target)); });
}

start().catch((e) => status(e.message, true));
