package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
)

func ringRecord(msg string, level slog.Level, attrs ...slog.Attr) LogRecord {
	h := &ringHandler{inner: slog.DiscardHandler}
	r := slog.NewRecord(testNowTime, level, msg, 0)
	r.AddAttrs(attrs...)
	return h.record(r)
}

var testNowTime = time.Unix(1_800_000_000, 0)

func seqs(recs []LogRecord) []uint64 {
	out := []uint64{}
	for _, r := range recs {
		out = append(out, r.Seq)
	}
	return out
}

func u64(v uint64) *uint64 { return &v }

// TestLogRingBounds: the ring holds at most its count of records and
// its bytes, dropping the oldest; one record is cut to its own bounds;
// reads filter by level, page by cursor and count, and say what a
// cursor missed.
func TestLogRingBounds(t *testing.T) {
	r := newLogRing(5, 1<<20)
	for i := 1; i <= 8; i++ {
		lvl := slog.LevelInfo
		if i%2 == 0 {
			lvl = slog.LevelWarn
		}
		r.add(ringRecord(fmt.Sprintf("record %d", i), lvl))
	}
	if got := seqs(r.read(slog.LevelDebug, nil, 100).Records); fmt.Sprint(got) != "[4 5 6 7 8]" {
		t.Errorf("count bound: holds %v, want [4 5 6 7 8]", got)
	}
	p := r.read(slog.LevelDebug, u64(1), 100)
	if fmt.Sprint(seqs(p.Records)) != "[4 5 6 7 8]" || p.Missed != 2 || p.Cursor != 8 {
		t.Errorf("after 1: %v missed %d cursor %d, want [4..8] missed 2 cursor 8", seqs(p.Records), p.Missed, p.Cursor)
	}
	if p := r.read(slog.LevelWarn, nil, 2); fmt.Sprint(seqs(p.Records)) != "[6 8]" || p.Records[0].Level != "WARN" {
		t.Errorf("warn, newest 2: %+v", p.Records)
	}
	p = r.read(slog.LevelDebug, u64(4), 2)
	if fmt.Sprint(seqs(p.Records)) != "[5 6]" || p.Cursor != 6 || p.Missed != 0 {
		t.Errorf("after 4, count 2: %v cursor %d missed %d, want [5 6] cursor 6", seqs(p.Records), p.Cursor, p.Missed)
	}
	if p := r.read(slog.LevelWarn, u64(6), 100); fmt.Sprint(seqs(p.Records)) != "[8]" || p.Cursor != 8 {
		t.Errorf("warn after 6: %v cursor %d", seqs(p.Records), p.Cursor)
	}
	if p := r.read(slog.LevelDebug, u64(99), 100); fmt.Sprint(seqs(p.Records)) != "[4 5 6 7 8]" {
		t.Errorf("a cursor of another run: %v, want from the oldest", seqs(p.Records))
	}

	// bytes: each record costs its text plus logRecordCost
	r = newLogRing(1000, 1000)
	for i := range 50 {
		r.add(ringRecord(strings.Repeat("x", 100)+fmt.Sprint(i), slog.LevelInfo))
	}
	if r.bytes > 1000 || r.n != 1000/(logRecordCost+102) {
		t.Errorf("byte bound: %d records, %d bytes (bound 1000)", r.n, r.bytes)
	}
	if p := r.read(slog.LevelInfo, nil, 1); !strings.HasSuffix(p.Records[0].Msg, "49") {
		t.Errorf("newest %q, want the 50th", p.Records[0].Msg)
	}

	// one record: message, values and attribute count cut
	var attrs []slog.Attr
	for i := range maxLogAttrs + 5 {
		attrs = append(attrs, slog.String(fmt.Sprintf("k%02d", i), strings.Repeat("é", maxLogValue)))
	}
	rec := ringRecord(strings.Repeat("ü", 2*maxLogMsg), slog.LevelError, attrs...)
	if len(rec.Msg) > maxLogMsg || !utf8.ValidString(rec.Msg) || !strings.HasSuffix(rec.Msg, "…") {
		t.Errorf("message cut to %d bytes (valid %v), want at most %d", len(rec.Msg), utf8.ValidString(rec.Msg), maxLogMsg)
	}
	if len(rec.Attrs) != maxLogAttrs+1 || rec.Attrs["…"] != "5 more" || len(rec.Attrs["k00"]) > maxLogValue || !utf8.ValidString(rec.Attrs["k00"]) {
		t.Errorf("attrs: %d, %q, value of %d bytes", len(rec.Attrs), rec.Attrs["…"], len(rec.Attrs["k00"]))
	}
	if rec.size > logRecordCost+maxLogMsg+(maxLogAttrs+1)*(maxLogValue+8) {
		t.Errorf("one record costs %d bytes", rec.size)
	}
}

// TestRingHandler: the ring takes info and above whatever the node's
// handler takes, debug only when that one does, with the attributes of
// With and groups; the node's handler gets only its levels.
func TestRingHandler(t *testing.T) {
	var out bytes.Buffer
	r := newLogRing(100, 1<<20)
	inner := slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn})
	log := slog.New(&ringHandler{inner: inner, ring: r}).With("sub", "chain")
	log.Debug("not kept")
	log.Info("kept", "height", 7)
	log.WithGroup("peer").Warn("both", "id", 3, slog.Group("addr", "ip", "10.0.0.7"))
	p := r.read(slog.LevelDebug, nil, 100)
	if len(p.Records) != 2 {
		t.Fatalf("ring holds %+v, want info and warn", p.Records)
	}
	if a := p.Records[0].Attrs; a["sub"] != "chain" || a["height"] != "7" || p.Records[0].Level != "INFO" {
		t.Errorf("info record %+v", p.Records[0])
	}
	if a := p.Records[1].Attrs; a["sub"] != "chain" || a["peer.id"] != "3" || a["peer.addr.ip"] != "10.0.0.7" {
		t.Errorf("grouped record %+v", p.Records[1])
	}
	if s := out.String(); strings.Contains(s, "kept") || !strings.Contains(s, "both") {
		t.Errorf("the node's handler got %q, want the warning only", s)
	}
	out.Reset()
	inner = slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})
	slog.New(&ringHandler{inner: inner, ring: r}).Debug("debug kept")
	if p := r.read(slog.LevelDebug, u64(2), 100); len(p.Records) != 1 || p.Records[0].Msg != "debug kept" || !strings.Contains(out.String(), "debug kept") {
		t.Errorf("at --log-level=debug: ring %+v, stderr %q", p.Records, out.String())
	}
}

type logResult struct {
	Run     string      `json:"run"`
	Records []LogRecord `json:"records"`
	Cursor  uint64      `json:"cursor"`
	Missed  uint64      `json:"missed"`
}

// TestNodeLog: node.log gives the node's records to the operator (the
// cookie), with level, cursor and count; bad params are -8; a read-only
// token, and even a token of every method, is refused with -2.
func TestNodeLog(t *testing.T) {
	n := startWalletNode(t, t.TempDir())
	defer n.node.Close()
	var all logResult
	json.Unmarshal(n.must(t, "node.log"), &all)
	found := false
	for _, r := range all.Records {
		if r.Msg == "chain loaded" && r.Attrs["network"] == "regtest" && r.Level == "INFO" {
			found = true
		}
	}
	if !found || len(all.Run) != 16 || all.Cursor == 0 {
		t.Fatalf("node.log: %+v, want the chain loaded record", all)
	}
	n.node.log.Warn("marker one", "k", "v")
	n.node.log.Info("marker two")
	var next logResult
	json.Unmarshal(n.must(t, "node.log", "warn", all.Cursor), &next)
	if len(next.Records) != 1 || next.Records[0].Msg != "marker one" || next.Records[0].Attrs["k"] != "v" || next.Run != all.Run {
		t.Errorf("warn after the cursor: %+v", next)
	}
	json.Unmarshal(n.must(t, "node.log", "info", nil, 1), &next)
	if len(next.Records) != 1 || next.Records[0].Msg != "marker two" {
		t.Errorf("the newest: %+v", next)
	}
	for _, params := range [][]any{{"loud"}, {"info", nil, 0}, {"info", nil, 1001}, {"info", "x"}} {
		if _, re := n.call(t, "node.log", params...); re == nil || (re.Code != rpc.CodeInvalidParam && re.Code != rpc.CodeInvalidParams) {
			t.Errorf("node.log %v: %v, want -8 or -32602", params, re)
		}
	}
	for _, grants := range []any{"rest,events,getblockcount,node.log", "*"} {
		var tok rpc.TokenCreated
		json.Unmarshal(n.must(t, "token.create", fmt.Sprintf("t%d", len(fmt.Sprint(grants))), grants), &tok)
		code, body := n.bearer(t, "POST", "/", tok.Token, `{"method":"node.log","params":[],"id":1}`)
		if code != 403 || !strings.Contains(body, `"code":-2`) || strings.Contains(body, "chain loaded") {
			t.Errorf("node.log by a token of %v: %d %s, want -2", grants, code, body)
		}
	}
}

// dialWSAuth dials the node's /ws with an Authorization header.
func dialWSAuth(t *testing.T, c *rpc.Client, auth string) *wsClient {
	t.Helper()
	u := "ws://" + strings.TrimPrefix(c.URL, "http://") + "/ws"
	h := http.Header{}
	h.Set("Authorization", auth)
	conn, _, err := websocket.Dial(t.Context(), u, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return &wsClient{t: t, conn: conn}
}

// TestEventsLogTopic: the log topic delivers each new record to the
// operator's connection; a token's connection (events allowed) is
// refused the topic with -2 and keeps its other topics.
func TestEventsLogTopic(t *testing.T) {
	n := startWalletNode(t, t.TempDir())
	defer n.node.Close()
	ws := dialWS(t, n.client)
	ws.subscribe(map[string]any{"topics": []string{"log"}})
	n.node.log.Warn("live marker", "sub", "test")
	note, _ := ws.until("log.record")
	for note.Params.Type == "log.record" && !strings.Contains(string(note.Params.Data), "live marker") {
		note, _ = ws.until("log.record")
	}
	var d struct {
		Run string `json:"run"`
		LogRecord
	}
	if err := json.Unmarshal(note.Params.Data, &d); err != nil || d.Level != "WARN" || d.Attrs["sub"] != "test" || d.Seq == 0 || len(d.Run) != 16 || note.Params.Topic != "log" {
		t.Errorf("log event %v: %+v", note, d)
	}

	var tok rpc.TokenCreated
	json.Unmarshal(n.must(t, "token.create", "watcher", "events,getblockcount"), &tok)
	tw := dialWSAuth(t, n.client, "Bearer "+tok.Token)
	if _, re := tw.call("subscribe", map[string]any{"topics": []string{"blocks", "log"}}); re == nil || re.Code != rpc.CodeForbidden {
		t.Errorf("a token subscribing to log: %v, want -2", re)
	}
	tw.subscribe(map[string]any{"topics": []string{"blocks"}})
}

// TestNodeLogNoSecrets: what the operator does with secrets — a wallet
// created from a mnemonic with a passphrase, unlocked, its mnemonic and
// a key exported, an API token made — leaves none of them in the node's
// log, on stderr (at debug) or in node.log.
func TestNodeLogNoSecrets(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var stderr bytes.Buffer
	lw := writerFunc(func(b []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return stderr.Write(b) })
	nd, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoSync: true,
		WalletKDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1},
		Logger:    slog.New(slog.NewTextHandler(lw, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer nd.Close()
	c, err := rpc.Discover("", dir)
	if err != nil {
		t.Fatal(err)
	}
	n := &walletNode{dir: dir, node: nd, client: c}
	const pass = "s3cret-Passphrase-of-the-operator"
	n.must(t, "wallet.create", pass, walletMnemonic)
	n.must(t, "wallet.unlock", pass, 0)
	if _, re := n.call(t, "wallet.unlock", "wrong-"+pass, 0); re == nil {
		t.Fatal("a wrong passphrase unlocked")
	}
	addr := unquote(t, n.must(t, "getnewaddress"))
	wif := unquote(t, n.must(t, "key.export.private", addr))
	n.must(t, "wallet.exportmnemonic", pass)
	var tok rpc.TokenCreated
	json.Unmarshal(n.must(t, "token.create", "partner", "prop.*"), &tok)
	n.must(t, "generatetoaddress", 1, addr)
	cookie, err := os.ReadFile(filepath.Join(dir, rpc.CookieFile))
	if err != nil {
		t.Fatal(err)
	}
	_, cookieSecret, _ := strings.Cut(strings.TrimSpace(string(cookie)), ":")
	// The secret is the token's last 43 characters (32 bytes, base64url
	// without padding); base64url has '_' in its alphabet, so cutting at
	// the last '_' could leave a few characters that any log line holds.
	tokSecret := tok.Token[len(tok.Token)-43:]
	ringOut := string(n.must(t, "node.log", "debug", nil, 1000))
	mu.Lock()
	logged := stderr.String()
	mu.Unlock()
	if !strings.Contains(ringOut, "wallet unlocked") || !strings.Contains(logged, "wallet unlocked") {
		t.Fatalf("the wallet's records are missing: node.log %s", ringOut)
	}
	for name, secret := range map[string]string{"passphrase": pass, "mnemonic": "legal winner thank", "wif": wif,
		"cookie": cookieSecret, "token": tokSecret} {
		if strings.Contains(ringOut, secret) {
			t.Errorf("node.log shows the %s", name)
		}
		if strings.Contains(logged, secret) {
			t.Errorf("the log shows the %s", name)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
