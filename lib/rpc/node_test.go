package rpc

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// nodeFixture is a real chain, mempool and miner behind a real listener.
type nodeFixture struct {
	url, user, pass string
	addr            *address.Address
	key             *btcec.PrivateKey
	stopped         chan struct{}
	once            sync.Once
	svc             *NodeService
	chain           *chain.Chain
	pool            *mempool.Pool
	gen             *mining.Generator
	limits          Limits // of the server; configure may set them
	srv             *Server
}

func newNodeFixture(t *testing.T) *nodeFixture { return newConfiguredFixture(t, 0x11, nil) }

// newConfiguredFixture builds the fixture with keyByte's key as its
// address; configure may adjust the service (and the generator) before
// its methods are registered.
func newConfiguredFixture(t *testing.T, keyByte byte, configure func(*nodeFixture)) *nodeFixture {
	t.Helper()
	p := chaincfg.RegTestParams
	db, err := store.Open(filepath.Join(t.TempDir(), "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sc := script.NewSigCache(1000)
	ch, err := chain.New(chain.Config{DB: db, Params: p, SigCache: sc})
	if err != nil {
		t.Fatal(err)
	}
	pool := mempool.New(mempool.Config{Params: p, Chain: ch, SigCache: sc})
	ch.Subscribe(pool.HandleNotification)
	gen := mining.NewGenerator(p, ch, pool, time.Now)
	key, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{keyByte}, 32))
	f := &nodeFixture{addr: address.NewP2WPKH(keys.Hash160(key.PubKey().SerializeCompressed()), p), key: key,
		stopped: make(chan struct{}), chain: ch, pool: pool, gen: gen}
	f.svc = &NodeService{Params: p, Chain: ch, Mempool: pool, Miner: mining.NewCPUMiner(gen, ch), Template: gen,
		Stop: func() { f.once.Do(func() { close(f.stopped) }) }, Version: "test", Started: time.Now()}
	if configure != nil {
		configure(f)
	}
	dir := t.TempDir()
	cookie, err := NewCookie(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(&Auth{Cookie: cookie}, f.limits, nil)
	srv.Register(f.svc.Methods()...)
	f.srv = srv
	f.url = "http://" + serveTCP(t, srv)
	f.user, f.pass, _ = ReadCookie(dir)
	return f
}

func (f *nodeFixture) call(t *testing.T, method string, params ...any) (json.RawMessage, *Error) {
	t.Helper()
	var out json.RawMessage
	err := NewClient(f.url, f.user, f.pass).Call(t.Context(), method, &out, params...)
	if err == nil {
		return out, nil
	}
	re, ok := err.(*Error)
	if !ok {
		t.Fatalf("%s: transport error %v", method, err)
	}
	return nil, re
}

func (f *nodeFixture) must(t *testing.T, method string, params ...any) json.RawMessage {
	t.Helper()
	out, re := f.call(t, method, params...)
	if re != nil {
		t.Fatalf("%s %v: %v", method, params, re)
	}
	return out
}

func str(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("not a string: %s", raw)
	}
	return s
}

// TestNodeMethods calls every method once with good params and once with
// bad ones, on a regtest chain with 101 blocks and one mempool tx.
func TestNodeMethods(t *testing.T) {
	f := newNodeFixture(t)
	hashes := f.must(t, "generatetoaddress", 101, f.addr.String())
	var hs []string
	json.Unmarshal(hashes, &hs)
	if len(hs) != 101 {
		t.Fatalf("mined %d", len(hs))
	}
	// Spend block 1's coinbase into the mempool.
	var blk struct{ Tx []string }
	json.Unmarshal(f.must(t, "getblock", hs[0]), &blk)
	cb := blk.Tx[0]
	op, _ := wire.ParseOutPoint(cb + ":0")
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: op, Sequence: wire.MaxTxInSequenceNum})
	tx.AddTxOut(&wire.TxOut{Value: 49_9990_0000, PkScript: f.addr.PkScript()})
	kdb := keyDBFunc(func([]byte) (*btcec.PrivateKey, bool, bool) { return f.key, true, true })
	if ok, err := script.SignInput(tx, 0, f.addr.PkScript(), 50e8, script.SigHashAll, kdb, nil, nil); !ok || err != nil {
		t.Fatalf("sign: %v %v", ok, err)
	}
	rawTx := hex.EncodeToString(tx.Bytes())
	txid := tx.TxHash().String()

	cases := []struct {
		method string
		good   []any
		want   string // substring of the JSON result
		bad    []any
		code   int
	}{
		{"block.count", nil, "101", []any{1}, CodeInvalidParams},
		{"getblockcount", nil, "101", []any{"x"}, CodeInvalidParams},
		{"block.best", nil, hs[100], []any{1}, CodeInvalidParams},
		{"getbestblockhash", nil, hs[100], []any{1}, CodeInvalidParams},
		{"block.hash", []any{1}, hs[0], []any{102}, CodeInvalidParam},
		{"getblockhash", []any{101}, hs[100], []any{"one"}, CodeInvalidParams},
		{"block.info", []any{hs[0], 1}, `"height":1`, []any{"00"}, CodeInvalidParam},
		{"getblock", []any{hs[0], 2}, `"vout"`, []any{hs[0], 3}, CodeInvalidParam},
		{"block.info.byheight", []any{5, 0}, `"`, []any{-1}, CodeInvalidParam},
		{"block.header", []any{hs[1]}, `"confirmations":100`, []any{strings.Repeat("0", 64)}, CodeInvalidAddress},
		{"getblockheader", []any{hs[1], false}, `"`, []any{}, CodeInvalidParams},
		{"block.tips", nil, `"status":"active"`, []any{1}, CodeInvalidParams},
		{"miner.difficulty", nil, "1", []any{1}, CodeInvalidParams},
		{"getdifficulty", nil, "1", []any{"x"}, CodeInvalidParams},
		{"getchaintips", nil, `"branchlen":0`, []any{1}, CodeInvalidParams},
		{"sys.info", nil, `"chain":"regtest"`, []any{1}, CodeInvalidParams},
		{"getblockchaininfo", nil, `"blocks":101`, []any{1}, CodeInvalidParams},
		{"tx.raw.decode", []any{rawTx}, `"txid":"` + txid, []any{"zz"}, CodeDeserialize},
		{"decoderawtransaction", []any{rawTx}, `"vin"`, []any{}, CodeInvalidParams},
		{"tx.raw.send", []any{rawTx}, txid, []any{"0100"}, CodeDeserialize},
		{"sendrawtransaction", []any{rawTx}, "", []any{1}, CodeInvalidParams}, // duplicate: rejected below
		{"tx.get", []any{txid}, rawTx[:20], []any{"nothex"}, CodeInvalidParam},
		{"getrawtransaction", []any{cb, true, hs[0]}, `"confirmations":101`, []any{cb}, CodeInvalidAddress},
		{"utxo.get", []any{cb, 0, false}, `"coinbase":true`, []any{cb}, CodeInvalidParams},
		{"gettxout", []any{txid, 0}, `"confirmations":0`, []any{cb, "0"}, CodeInvalidParams},
		{"utxo.info", nil, `"registry_hash":"`, []any{1}, CodeInvalidParams},
		{"gettxoutsetinfo", nil, `"txouts":`, []any{"x"}, CodeInvalidParams},
		{"tx.spender", []any{cb, 0}, `"vin":0`, []any{cb}, CodeInvalidParams},
		{"mempool.info", nil, `"size":1`, []any{1}, CodeInvalidParams},
		{"getmempoolinfo", nil, `"loaded":true`, []any{1}, CodeInvalidParams},
		{"mempool.list", nil, txid, []any{"yes"}, CodeInvalidParams},
		{"getrawmempool", []any{true}, `"vsize"`, []any{1, 2}, CodeInvalidParams},
		{"mempool.entry", []any{txid}, `"fee":`, []any{cb}, CodeInvalidAddress}, // mined: not in the pool
		{"getmempoolentry", []any{txid}, `"wtxid":"`, []any{"zz"}, CodeInvalidParam},
		{"address.validate", []any{f.addr.String()}, `"isvalid":true`, []any{}, CodeInvalidParams},
		{"validateaddress", []any{"gg1qqqqqqqq"}, `"isvalid":false`, []any{1}, CodeInvalidParams},
		{"miner.generate", []any{1, f.addr.String()}, `"`, []any{1}, CodeInvalidParam},
		{"miner.generateto", []any{1, f.addr.String()}, `"`, []any{1, "notanaddress"}, CodeInvalidAddress},
		{"generatetoaddress", []any{1, f.addr.String()}, `"`, []any{0, f.addr.String()}, CodeInvalidParam},
		{"miner.template", []any{map[string]any{"rules": []string{"segwit"}}}, `"longpollid"`, []any{}, CodeInvalidParam},
		{"getblocktemplate", []any{map[string]any{"rules": []string{"segwit"}}}, `"coinbasevalue"`, []any{map[string]any{"rules": []string{"segwit"}, "mode": "bogus"}}, CodeInvalidParam},
		{"miner.submit", []any{hex.EncodeToString(chaincfg.RegTestParams.GenesisBlock.Bytes())}, `"duplicate"`, []any{"00"}, CodeDeserialize},
		{"submitblock", []any{hex.EncodeToString(chaincfg.RegTestParams.GenesisBlock.Bytes())}, `"`, []any{}, CodeInvalidParams},
		{"block.invalidate", []any{hs[100]}, "null", []any{"00"}, CodeInvalidParam},
		{"invalidateblock", []any{hs[99]}, "null", []any{strings.Repeat("0", 64)}, CodeInvalidAddress},
		{"miner.info", nil, `"submitblock":{"accepted":`, []any{1}, CodeInvalidParams},
		{"getmininginfo", nil, `"pooledtx":`, []any{1}, CodeInvalidParams},
		{"block.reconsider", []any{hs[100]}, "null", []any{"00"}, CodeInvalidParam},
		{"reconsiderblock", []any{hs[99]}, "null", []any{strings.Repeat("0", 64)}, CodeInvalidAddress},
		{"sys.help", []any{"getblock"}, "blockhash", []any{"nosuch"}, CodeMethodNotFound},
		{"help", nil, "sendrawtransaction", []any{1}, CodeInvalidParams},
		{"sys.stop", nil, "stopping", []any{1}, CodeInvalidParams},
		{"stop", nil, "stopping", []any{1}, CodeInvalidParams},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.method] = true
		if c.method == "sendrawtransaction" {
			// The same tx again is a duplicate, refused with -26.
			if _, re := f.call(t, c.method, rawTx); re == nil || re.Code != CodeVerifyRejected {
				t.Errorf("duplicate sendrawtransaction: %v", re)
			}
		} else if c.method == "stop" || c.method == "sys.stop" {
			out, re := f.call(t, c.method)
			if re != nil || !strings.Contains(string(out), c.want) {
				t.Errorf("%s: %s %v", c.method, out, re)
			}
		} else {
			out, re := f.call(t, c.method, c.good...)
			if re != nil {
				t.Errorf("%s %v: %v", c.method, c.good, re)
			} else if !strings.Contains(string(out), c.want) {
				t.Errorf("%s: result %.300s lacks %q", c.method, out, c.want)
			}
		}
		if _, re := f.call(t, c.method, c.bad...); re == nil || re.Code != c.code {
			t.Errorf("%s %v: error %v, want code %d", c.method, c.bad, re, c.code)
		}
	}
	for _, m := range (&NodeService{}).Methods() {
		if !seen[m.Name] {
			t.Errorf("method %s has no handler test", m.Name)
		}
	}
	select {
	case <-f.stopped:
	case <-time.After(30 * time.Second): // a hang guard, not a timing check
		t.Error("stop did not call Stop")
	}
}

type keyDBFunc func([]byte) (*btcec.PrivateKey, bool, bool)

func (f keyDBFunc) GetKey(h []byte) (*btcec.PrivateKey, bool, bool) { return f(h) }
