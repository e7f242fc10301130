// The explorer's only script: live updates of the auction parts of the
// home, auctions and prop pages. Each page's data is its own URL asked
// as JSON; events on the node's WebSocket (/ws) say when to ask again.
// The node serves the events to these pages at PREFIX/ws without a
// login (subscriptions only); where it cannot be opened, the page asks
// every few seconds instead.
const body = document.body;
const live = document.getElementById("live");
const page = body.dataset.page;

function say(text) {
  if (live) live.textContent = text;
}

function setText(root, sel, text) {
  const el = root.querySelector(sel);
  if (el) el.textContent = text == null ? "" : String(text);
}

async function refresh() {
  const r = await fetch(location.href, { headers: { Accept: "application/json" } });
  if (!r.ok) return;
  const d = await r.json();
  if (page === "prop") {
    const a = d.prop && d.prop.auction;
    const sec = document.getElementById("auction");
    if (!sec) return;
    if (a) {
      setText(sec, ".bid", a.bid);
      setText(sec, ".bidder", a.bidder);
    }
    say(a ? "live: best bid " + a.bid + " GG" : "live: not on sale");
    return;
  }
  const list = d.auctions || [];
  for (const a of list) {
    const row = document.querySelector('tr[data-prop="' + CSS.escape(a.prop) + '"]');
    if (row) setText(row, ".bid", a.bid);
  }
  say("live: " + list.length + " auctions");
}

let pending = null;
function soon() {
  if (pending) return;
  pending = setTimeout(() => { pending = null; refresh().catch(() => {}); }, 300);
}

function poll() {
  say("updating every 5 s");
  setInterval(soon, 5000);
}

function listen() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  let ws;
  try {
    ws = new WebSocket(proto + "//" + location.host + body.dataset.prefix + "ws");
  } catch (e) {
    poll();
    return;
  }
  let opened = false;
  ws.onopen = () => {
    opened = true;
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { topics: ["props", "blocks", "mempool"] } }));
    say("live");
  };
  ws.onmessage = (ev) => {
    let m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    if (m.id === 1 && m.error) { opened = false; ws.close(); return; }
    if (m.id !== 1) soon();
  };
  ws.onclose = () => { if (!opened) poll(); else say("disconnected"); };
}

if (page === "prop" || page === "auctions" || page === "home") listen();
