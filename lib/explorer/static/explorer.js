// The explorer's only script: live updates of the home, auctions and
// prop pages. The parts of a page that change are marked data-live;
// events on the node's WebSocket (/ws) say when to ask the page again,
// and each marked part is swapped for its new rendering, so auctions
// that settle or start, a new owner and new blocks show without a
// reload (the server renders; this script builds no markup). The node
// serves the events to these pages at PREFIX/ws without a login
// (subscriptions only); where it cannot be opened, the page asks every
// few seconds instead.
const body = document.body;
const live = document.getElementById("live");
const page = body.dataset.page;

function say(text) {
  if (live) live.textContent = text;
}

async function refresh() {
  const r = await fetch(location.href, { headers: { Accept: "text/html" } });
  if (!r.ok) return;
  const doc = new DOMParser().parseFromString(await r.text(), "text/html");
  for (const old of document.querySelectorAll("[data-live][id]")) {
    const fresh = doc.getElementById(old.id);
    if (fresh) old.replaceWith(document.adoptNode(fresh));
  }
  say("live");
}

// One refresh at a time, at most one more queued behind it, so an
// older page never replaces a newer one.
let pending = null, running = false, again = false;
function run() {
  if (running) { again = true; return; }
  running = true;
  refresh().catch(() => {}).finally(() => {
    running = false;
    if (again) { again = false; run(); }
  });
}
function soon() {
  if (pending) return;
  pending = setTimeout(() => { pending = null; run(); }, 300);
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
