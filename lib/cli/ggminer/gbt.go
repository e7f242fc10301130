package ggminer

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/sha256d"
	"github.com/gamegold/gg/lib/stratum"
	"github.com/gamegold/gg/lib/wire"
)

// gbtRequest is getblocktemplate's argument, as a BIP22/23 miner sends it.
func gbtRequest(longPollID string) map[string]any {
	req := map[string]any{
		"capabilities": []string{"coinbasetxn", "workid", "coinbase/append", "longpoll", "proposal"},
		"rules":        []string{"segwit"},
	}
	if longPollID != "" {
		req["longpollid"] = longPollID
	}
	return req
}

// gbtWork is a template made ready for hashing.
type gbtWork struct {
	tmpl   *rpc.BlockTemplateJSON
	txs    [][]byte         // the template's transactions, raw
	leaves []chainhash.Hash // merkle leaves; [0] is the coinbase's, per extra nonce
	prev   chainhash.Hash
	bits   uint32
	flags  []byte // coinbaseaux flags, pushed after the extra nonce
	payTo  []byte
	commit []byte // the witness commitment output script, or nil
	// base is added to the threads' extra nonces: every template gets
	// its own range, so two templates alike never yield the same block.
	base uint64
}

// coinbase returns the coinbase for extra: the node's format (BIP34
// height, 8-byte extra nonce, flags), paying the whole coinbase value,
// with the witness commitment and its reserved value when the template
// has one.
func (g *gbtWork) coinbase(extra uint64) (*wire.MsgTx, error) {
	return mining.CoinbaseTx(g.tmpl.Height, g.base+extra, g.flags, g.payTo, g.tmpl.CoinbaseValue, g.commit)
}

func (g *gbtWork) header(extra uint64) (wire.BlockHeader, *wire.MsgTx, error) {
	cb, err := g.coinbase(extra)
	if err != nil {
		return wire.BlockHeader{}, nil, err
	}
	leaves := append([]chainhash.Hash{cb.TxHash()}, g.leaves[1:]...)
	root, _ := wire.MerkleRoot(leaves)
	t := max(g.tmpl.CurTime, g.tmpl.MinTime)
	return wire.BlockHeader{Version: g.tmpl.Version, PrevBlock: g.prev, MerkleRoot: root,
		Timestamp: uint32(t), Bits: g.bits}, cb, nil
}

// block serializes the solved block: header, the coinbase for extra, the
// template's transactions.
func (g *gbtWork) block(extra uint64, hdr [sha256d.HeaderSize]byte) ([]byte, error) {
	cb, err := g.coinbase(extra)
	if err != nil {
		return nil, err
	}
	b := append([]byte(nil), hdr[:]...)
	b = wire.AppendCompactSize(b, uint64(1+len(g.txs)))
	b = cb.AppendTo(b)
	for _, tx := range g.txs {
		b = append(b, tx...)
	}
	return b, nil
}

// gbtWorkOf checks a template and prepares it.
func gbtWorkOf(t *rpc.BlockTemplateJSON, payTo []byte, base uint64) (*work, error) {
	g := &gbtWork{tmpl: t, payTo: payTo, base: base}
	var err error
	if g.prev, err = chainhash.NewHashFromStr(t.PreviousBlockHash); err != nil {
		return nil, fmt.Errorf("template previousblockhash %q: %w", t.PreviousBlockHash, err)
	}
	bits, err := strconv.ParseUint(t.Bits, 16, 32)
	if err != nil {
		return nil, fmt.Errorf("template bits %q: %w", t.Bits, err)
	}
	g.bits = uint32(bits)
	target, ok := new(big.Int).SetString(t.Target, 16)
	if !ok || len(t.Target) != 64 {
		return nil, fmt.Errorf("template target %q is not 64 hex digits", t.Target)
	}
	if f := t.CoinbaseAux["flags"]; f != "" {
		if g.flags, err = hex.DecodeString(f); err != nil {
			return nil, fmt.Errorf("template coinbaseaux flags %q: %w", f, err)
		}
	}
	if t.DefaultWitnessCommitment != "" {
		if g.commit, err = hex.DecodeString(t.DefaultWitnessCommitment); err != nil {
			return nil, fmt.Errorf("template default_witness_commitment: %w", err)
		}
	}
	g.leaves = make([]chainhash.Hash, 1, 1+len(t.Transactions))
	for i, tx := range t.Transactions {
		raw, err := hex.DecodeString(tx.Data)
		if err != nil {
			return nil, fmt.Errorf("template transaction %d: %w", i, err)
		}
		id, err := chainhash.NewHashFromStr(tx.TxID)
		if err != nil {
			return nil, fmt.Errorf("template transaction %d txid: %w", i, err)
		}
		g.txs = append(g.txs, raw)
		g.leaves = append(g.leaves, id)
	}
	if _, err := g.coinbase(0); err != nil {
		return nil, err
	}
	w := &work{target: sha256d.Target(target), meta: g, once: true}
	w.header = func(extra uint64) ([sha256d.HeaderSize]byte, bool) {
		var hdr [sha256d.HeaderSize]byte
		h, _, err := g.header(extra)
		if err != nil {
			return hdr, false
		}
		h.AppendTo(hdr[:0])
		return hdr, true
	}
	return w, nil
}

// gbtMiner holds GBT mode's moving parts.
type gbtMiner struct {
	client *rpc.Client
	eng    *engine
	rep    *reporter
	payTo  []byte

	mu     sync.Mutex
	lpID   string // the current template's longpollid
	height int32  // the current template's height
	solved uint64 // seq of the last work a block was submitted for
	base   uint64 // the next template's extra-nonce base
}

// refresh fetches a template (waiting on the node's long poll when
// longPoll) and sets it as the work if it is new.
func (m *gbtMiner) refresh(ctx context.Context, longPoll bool) error {
	id := ""
	if longPoll {
		m.mu.Lock()
		id = m.lpID
		m.mu.Unlock()
	}
	var t rpc.BlockTemplateJSON
	if err := m.client.Call(ctx, "getblocktemplate", &t, gbtRequest(id)); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// A long poll that was answered before the last block was accepted
	// brings an older template: keep the newer one.
	if t.Height < m.height || t.LongPollID != "" && t.LongPollID == m.lpID {
		return nil
	}
	w, err := gbtWorkOf(&t, m.payTo, m.base)
	if err != nil {
		return err
	}
	m.base += 1 << 32
	m.lpID, m.height = t.LongPollID, t.Height
	m.eng.set(w)
	m.rep.setDifficulty(stratum.TargetToDifficulty(chaincfgTarget(w.target)))
	m.rep.event(slog.LevelDebug, "job", "new template", "height", t.Height, "transactions", len(t.Transactions))
	return nil
}

func chaincfgTarget(t [32]byte) *big.Int {
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		t[i], t[j] = t[j], t[i]
	}
	return new(big.Int).SetBytes(t[:])
}

// runGBT mines solo through the node's getblocktemplate until
// interrupted.
func runGBT(c *ucli.Context, threads int, log *slog.Logger) error {
	p, err := cli.Network(c)
	if err != nil {
		return err
	}
	a := c.String(flagCoinbaseAddr)
	if a == "" {
		return cli.WithHint(cli.Usagef("--gbt needs --coinbase-addr ADDR"), "gg-wallet getnewaddress gives one")
	}
	addr, err := address.Decode(a, p)
	if err != nil {
		return cli.Usagef("--coinbase-addr %q: %v", a, err)
	}
	client, err := cli.NodeClient(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(c.Context)
	defer cancel()
	eng := newEngine(threads)
	rep := newReporter(c, eng, log, "gbt")
	m := &gbtMiner{client: client, eng: eng, rep: rep, payTo: addr.PkScript()}
	if err := m.refresh(ctx, false); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return cli.CallError(err, "getblocktemplate", true)
	}
	rep.event(slog.LevelInfo, "connected", "mining on the node's templates", "url", client.URL, "address", a)
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() { eng.run(ctx) })
	wg.Go(func() { rep.loop(done, c.Duration(flagStatusEvery)) })
	wg.Go(func() { m.submitBlocks(ctx) })
	wg.Go(func() { m.longPoll(ctx) })
	<-ctx.Done()
	close(done)
	wg.Wait()
	rep.summary()
	return nil
}

// longPoll keeps the work fresh: the node answers when its template
// changes (a new tip, or mempool changes after a while).
func (m *gbtMiner) longPoll(ctx context.Context) {
	for ctx.Err() == nil {
		if err := m.refresh(ctx, true); err != nil && ctx.Err() == nil {
			m.rep.event(slog.LevelWarn, "node_error", "getblocktemplate failed; trying again", "error", err.Error())
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

// submitBlocks sends each solved block with submitblock (one per work:
// the threads' other solutions of the same work are siblings) and then
// fetches the next template.
func (m *gbtMiner) submitBlocks(ctx context.Context) {
	for {
		var f found
		select {
		case <-ctx.Done():
			return
		case f = <-m.eng.found:
		}
		m.mu.Lock()
		dup := f.w.seq <= m.solved
		if !dup {
			m.solved = f.w.seq
		}
		m.mu.Unlock()
		if dup {
			continue
		}
		g := f.w.meta.(*gbtWork)
		blk, err := g.block(f.extra, f.header)
		if err != nil {
			m.rep.event(slog.LevelError, "block", "block not built", "error", err.Error())
			continue
		}
		var res json.RawMessage
		err = m.client.Call(ctx, "submitblock", &res, hex.EncodeToString(blk))
		hash := chainhash.Hash(f.hash)
		var reason string
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			m.rep.event(slog.LevelWarn, "block", "submitblock failed", "height", g.tmpl.Height, "error", err.Error())
		case len(res) == 0 || string(res) == "null":
			m.rep.accepted.Add(1)
			m.rep.blocks.Add(1)
			m.rep.event(slog.LevelInfo, "block", "block accepted", "height", g.tmpl.Height, "hash", hash.String(), "accepted", true)
		case json.Unmarshal(res, &reason) == nil && reason == "inconclusive":
			m.rep.stale.Add(1)
			m.rep.event(slog.LevelInfo, "block", "block valid but not on the best chain", "height", g.tmpl.Height, "hash", hash.String(), "accepted", false, "reason", reason)
		default:
			if reason == "" {
				reason = string(res)
			}
			m.rep.rejected.Add(1)
			m.rep.event(slog.LevelWarn, "block", "block rejected", "height", g.tmpl.Height, "hash", hash.String(), "accepted", false, "reason", reason)
		}
		if err := m.refresh(ctx, false); err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled) {
			m.rep.event(slog.LevelWarn, "node_error", "getblocktemplate failed", "error", err.Error())
		}
	}
}
