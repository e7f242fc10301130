package rpc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"math/big"
	"math/bits"
	"strings"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/wire"
)

// NodeService implements the chain, transaction, mempool, mining and
// utility methods of gg-node.
type NodeService struct {
	Params   *chaincfg.Params
	Chain    ChainBackend
	Mempool  MempoolBackend
	Miner    MinerBackend
	Template TemplateBackend
	TxIndex  TxLocator // optional
	// MinerAddress is the default payout of miner.generate (regtest).
	MinerAddress string
	Stop         func()
	Version      string
	Started      time.Time
	// Notifier wakes getblocktemplate long polls at a new tip (optional;
	// without it they poll the tip every GBT.LongPollCheck).
	Notifier ChainNotifier
	// GBT tunes getblocktemplate's cache and long polls.
	GBT GBTOptions
	// Log, when set, records submitted blocks that did not become the tip
	// (the verdict, at info).
	Log     *slog.Logger
	gbt     gbtState
	submits submitStats
}

// Methods returns every method, GameGold's dotted names and bitcoind's.
func (s *NodeService) Methods() []Method {
	defs := []methodDef{
		{[]string{"block.count", "getblockcount"}, "", "height of the best chain's tip", s.blockCount},
		{[]string{"block.best", "getbestblockhash"}, "", "hash of the best chain's tip", s.bestBlockHash},
		{[]string{"block.hash", "getblockhash"}, "height", "hash of the main-chain block at height", s.blockHash},
		{[]string{"block.info", "getblock"}, "blockhash [verbosity=1]", "block by hash: 0 hex, 1 JSON with txids, 2 JSON with decoded txs", s.getBlock},
		{[]string{"block.info.byheight"}, "height [verbosity=1]", "main-chain block at height, as block.info", s.getBlockByHeight},
		{[]string{"block.header", "getblockheader"}, "blockhash [verbose=true]", "block header as JSON, or hex when verbose=false", s.getBlockHeader},
		{[]string{"block.tips", "getchaintips"}, "", "every known chain tip and its status", s.chainTips},
		{[]string{"block.invalidate", "invalidateblock"}, "blockhash", "mark a block and its descendants invalid (the chain reorganises away from it)", s.invalidateBlock},
		{[]string{"miner.info", "getmininginfo"}, "", "mining state: {blocks, difficulty, pooledtx, chain, submitblock: {accepted, not_accepted: {verdict: count}}, warnings}", s.miningInfo},
		{[]string{"block.reconsider", "reconsiderblock"}, "blockhash", "undo invalidateblock: clear the invalid marks of a block, its descendants and ancestors, and move to the best chain", s.reconsiderBlock},
		{[]string{"miner.difficulty", "getdifficulty"}, "", "difficulty of the tip (PoW limit target / tip target)", s.difficulty},
		{[]string{"tx.spender"}, "txid n", "the mempool transaction spending an output: {txid, vin}, or null", s.spender},
		{[]string{"sys.info", "getblockchaininfo"}, "", "network, tip, difficulty and mempool summary", s.chainInfo},
		{[]string{"tx.get", "getrawtransaction"}, "txid [verbose=false] [blockhash]", "a transaction from the mempool or the chain", s.getRawTransaction},
		{[]string{"tx.raw.send", "sendrawtransaction"}, "hexstring [maxfeerate=0.10]", "submit a signed transaction to the mempool and relay it; returns its txid. A fee rate above maxfeerate (GG/kvB; 0 = no limit) is refused (-25)", s.sendRawTransaction},
		{[]string{"tx.raw.decode", "decoderawtransaction"}, "hexstring", "decode a transaction without validating it", s.decodeRawTransaction},
		{[]string{"utxo.get", "gettxout"}, "txid n [include_mempool=true]", "an unspent output, or null when spent or unknown", s.getTxOut},
		{[]string{"utxo.info", "gettxoutsetinfo"}, "", "summary of the confirmed UTXO set: {height, bestblock, transactions, txouts, total_amount, hash_serialized, registry_hash}", s.txOutSetInfo},
		{[]string{"mempool.info", "getmempoolinfo"}, "", "size, bytes, usage and fee floor of the mempool", s.mempoolInfo},
		{[]string{"mempool.list", "getrawmempool"}, "[verbose=false]", "txids in the mempool, or details keyed by txid", s.rawMempool},
		{[]string{"mempool.entry", "getmempoolentry"}, "txid", "one mempool transaction's details, as a line of mempool.list verbose", s.mempoolEntry},
		{[]string{"miner.generate"}, "nblocks [address]", "(regtest) mine nblocks to address or the configured miner address", s.generate},
		{[]string{"miner.generateto", "generatetoaddress"}, "nblocks address", "(regtest) mine nblocks paying address", s.generateTo},
		{[]string{"miner.template", "getblocktemplate"}, "[template_request]", "a block template to mine on (BIP22), with long polling and proposals (BIP23); the request needs {\"rules\":[\"segwit\"]}", s.getBlockTemplate},
		{[]string{"miner.submit", "submitblock"}, "hexdata [workid]", "submit a solved block; null on acceptance, else a BIP22 reason", s.submitBlock},
		{[]string{"address.validate", "validateaddress"}, "address", "whether an address is valid for this network, and its script", s.validateAddress},
		{[]string{"sys.stop", "stop"}, "", "shut the node down", s.stop},
	}
	return methodsOf(defs, nil)
}

// methodDef is one method under its names (a dotted GameGold name and,
// where one exists, bitcoind's).
type methodDef struct {
	names  []string
	params string
	help   string
	h      Handler
}

// methodsOf makes a Method of every name of every def; wrap, when set,
// wraps each handler (given the name it is registered under).
func methodsOf(defs []methodDef, wrap func(name string, h Handler) Handler) []Method {
	var out []Method
	for _, d := range defs {
		for _, n := range d.names {
			h := d.h
			if wrap != nil {
				h = wrap(n, h)
			}
			out = append(out, Method{Name: n, Params: d.params, Help: d.help + aliasNote(n, d.names), Handler: h})
		}
	}
	return out
}

func aliasNote(name string, names []string) string {
	var others []string
	for _, n := range names {
		if n != name {
			others = append(others, n)
		}
	}
	if len(others) == 0 {
		return ""
	}
	return " (same as " + strings.Join(others, ", ") + ")"
}

// noParams rejects any params for methods that take none.
func noParams(p json.RawMessage) error { return ParseParams(p, nil, 0) }

func (s *NodeService) blockCount(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	return s.Chain.Best().Height, nil
}

func (s *NodeService) bestBlockHash(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	return s.Chain.Best().Hash.String(), nil
}

func (s *NodeService) blockHash(_ context.Context, p json.RawMessage) (any, error) {
	var h int32
	if err := ParseParams(p, []string{"height"}, 1, &h); err != nil {
		return nil, err
	}
	hash, err := s.hashAt(h)
	if err != nil {
		return nil, err
	}
	return hash.String(), nil
}

func (s *NodeService) hashAt(h int32) (chainhash.Hash, error) {
	if best := s.Chain.Best().Height; h < 0 || h > best {
		return chainhash.Hash{}, Errorf(CodeInvalidParam, "block height %d out of range [0, %d]", h, best)
	}
	return s.Chain.BlockHashByHeight(h)
}

func parseHash(s, what string) (chainhash.Hash, error) {
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return h, Errorf(CodeInvalidParam, "%s must be 64 hex characters", what)
	}
	return h, nil
}

// BlockJSON is getblock's verbose result.
type BlockJSON struct {
	HeaderJSON
	Size         int    `json:"size"`
	StrippedSize int    `json:"strippedsize"`
	Weight       int    `json:"weight"`
	Tx           []any  `json:"tx"`
	Hex          string `json:"hex,omitempty"`
}

// HeaderJSON is getblockheader's verbose result.
type HeaderJSON struct {
	Hash              string  `json:"hash"`
	Confirmations     int32   `json:"confirmations"`
	Height            int32   `json:"height"`
	Version           int32   `json:"version"`
	VersionHex        string  `json:"versionHex"`
	MerkleRoot        string  `json:"merkleroot"`
	Time              uint32  `json:"time"`
	Nonce             uint32  `json:"nonce"`
	Bits              string  `json:"bits"`
	Difficulty        float64 `json:"difficulty"`
	NTx               int     `json:"nTx,omitempty"`
	PreviousBlockHash string  `json:"previousblockhash,omitempty"`
	NextBlockHash     string  `json:"nextblockhash,omitempty"`
}

func (s *NodeService) headerJSON(hash chainhash.Hash) (*HeaderJSON, error) {
	hdr, height, err := s.Chain.HeaderByHash(hash)
	if err != nil {
		return nil, Errorf(CodeInvalidAddress, "block not found: %s", hash)
	}
	j := &HeaderJSON{Hash: hash.String(), Height: height, Version: hdr.Version,
		VersionHex: fmt.Sprintf("%08x", uint32(hdr.Version)), MerkleRoot: hdr.MerkleRoot.String(),
		Time: hdr.Timestamp, Nonce: hdr.Nonce, Bits: fmt.Sprintf("%08x", hdr.Bits),
		Difficulty: Difficulty(hdr.Bits, s.Params), Confirmations: -1}
	if !hdr.PrevBlock.IsZero() {
		j.PreviousBlockHash = hdr.PrevBlock.String()
	}
	if s.Chain.MainChainHasBlock(hash) {
		best := s.Chain.Best().Height
		j.Confirmations = best - height + 1
		if height < best {
			if next, err := s.Chain.BlockHashByHeight(height + 1); err == nil {
				j.NextBlockHash = next.String()
			}
		}
	}
	return j, nil
}

// Difficulty is the PoW limit's target divided by the block's target.
func Difficulty(bits uint32, p *chaincfg.Params) float64 {
	t := chaincfg.CompactToBig(bits)
	if t.Sign() <= 0 {
		return 0
	}
	d, _ := new(big.Rat).SetFrac(p.PowLimit, t).Float64()
	return d
}

func (s *NodeService) getBlock(_ context.Context, p json.RawMessage) (any, error) {
	var hs string
	verbosity := 1
	if err := ParseParams(p, []string{"blockhash", "verbosity"}, 1, &hs, &verbosity); err != nil {
		return nil, err
	}
	h, err := parseHash(hs, "blockhash")
	if err != nil {
		return nil, err
	}
	return s.blockResult(h, verbosity)
}

func (s *NodeService) getBlockByHeight(_ context.Context, p json.RawMessage) (any, error) {
	var height int32
	verbosity := 1
	if err := ParseParams(p, []string{"height", "verbosity"}, 1, &height, &verbosity); err != nil {
		return nil, err
	}
	h, err := s.hashAt(height)
	if err != nil {
		return nil, err
	}
	return s.blockResult(h, verbosity)
}

// blockError answers a failed block read: a pruned block is -1 "block
// not available (pruned data)", as bitcoind says; anything else -5
// "block not found".
func blockError(h chainhash.Hash, err error) error {
	if errors.Is(err, chain.ErrPruned) {
		return Errorf(CodeMisc, "block not available (pruned data): %s", h)
	}
	return Errorf(CodeInvalidAddress, "block not found: %s", h)
}

func (s *NodeService) blockResult(h chainhash.Hash, verbosity int) (any, error) {
	if verbosity < 0 || verbosity > 2 {
		return nil, Errorf(CodeInvalidParam, "verbosity must be 0, 1 or 2")
	}
	blk, err := s.Chain.BlockByHash(h)
	if err != nil {
		return nil, blockError(h, err)
	}
	if verbosity == 0 {
		return hex.EncodeToString(blk.Bytes()), nil
	}
	hj, err := s.headerJSON(h)
	if err != nil {
		return nil, err
	}
	hj.NTx = len(blk.Transactions)
	j := &BlockJSON{HeaderJSON: *hj, Size: blk.SerializeSize(), StrippedSize: blk.SerializeSizeStripped(), Weight: blk.Weight()}
	for _, tx := range blk.Transactions {
		if verbosity == 1 {
			j.Tx = append(j.Tx, tx.TxHash().String())
		} else {
			j.Tx = append(j.Tx, NewTxJSON(tx, s.Params))
		}
	}
	return j, nil
}

func (s *NodeService) getBlockHeader(_ context.Context, p json.RawMessage) (any, error) {
	var hs string
	verbose := true
	if err := ParseParams(p, []string{"blockhash", "verbose"}, 1, &hs, &verbose); err != nil {
		return nil, err
	}
	h, err := parseHash(hs, "blockhash")
	if err != nil {
		return nil, err
	}
	if !verbose {
		hdr, _, err := s.Chain.HeaderByHash(h)
		if err != nil {
			return nil, Errorf(CodeInvalidAddress, "block not found: %s", h)
		}
		return hex.EncodeToString(hdr.Bytes()), nil
	}
	return s.headerJSON(h)
}

func (s *NodeService) chainTips(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	type tip struct {
		Height    int32  `json:"height"`
		Hash      string `json:"hash"`
		BranchLen int32  `json:"branchlen"`
		Status    string `json:"status"`
	}
	var out []tip
	for _, t := range s.Chain.Tips() {
		out = append(out, tip{Height: t.Height, Hash: t.Hash.String(), BranchLen: t.BranchLen, Status: t.Status})
	}
	return out, nil
}

func (s *NodeService) invalidateBlock(_ context.Context, p json.RawMessage) (any, error) {
	return nil, s.onBlock(p, "invalidate", s.Chain.InvalidateBlock)
}

func (s *NodeService) reconsiderBlock(_ context.Context, p json.RawMessage) (any, error) {
	return nil, s.onBlock(p, "reconsider", s.Chain.ReconsiderBlock)
}

// onBlock runs op on the block hash params name; an op failure is -5.
func (s *NodeService) onBlock(p json.RawMessage, what string, op func(chainhash.Hash) error) error {
	var hs string
	if err := ParseParams(p, []string{"blockhash"}, 1, &hs); err != nil {
		return err
	}
	h, err := parseHash(hs, "blockhash")
	if err != nil {
		return err
	}
	if err := op(h); err != nil {
		return Errorf(CodeInvalidAddress, "%s %s: %v", what, h, err)
	}
	return nil
}

func (s *NodeService) difficulty(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	return Difficulty(s.Chain.Best().Bits, s.Params), nil
}

func (s *NodeService) spender(_ context.Context, p json.RawMessage) (any, error) {
	var ts string
	var n uint32
	if err := ParseParams(p, []string{"txid", "n"}, 2, &ts, &n); err != nil {
		return nil, err
	}
	txid, err := parseHash(ts, "txid")
	if err != nil {
		return nil, err
	}
	d, ok := s.Mempool.Spender(wire.OutPoint{Hash: txid, Index: n})
	if !ok {
		return nil, nil
	}
	for i, in := range d.Tx.TxIn {
		if in.PreviousOutPoint == (wire.OutPoint{Hash: txid, Index: n}) {
			return map[string]any{"txid": d.TxID.String(), "vin": i}, nil
		}
	}
	return nil, nil
}

func (s *NodeService) chainInfo(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	best := s.Chain.Best()
	mi := s.Mempool.Info()
	pr := s.Chain.Progress()
	progress := 1.0
	if pr.HeaderWork.Sign() > 0 && pr.TipWork.Cmp(pr.HeaderWork) < 0 {
		f, _ := new(big.Rat).SetFrac(pr.TipWork, pr.HeaderWork).Float64()
		progress = math.Floor(f*1e6) / 1e6
	}
	st := s.Chain.StorageInfo()
	info := map[string]any{
		"chain":                s.Params.Name,
		"mode":                 "full",
		"blocks":               best.Height,
		"headers":              max(pr.HeaderHeight, best.Height),
		"initialblockdownload": s.Chain.IsInitialBlockDownload(),
		"verificationprogress": progress,
		"bestblockhash":        best.Hash.String(),
		"difficulty":           Difficulty(best.Bits, s.Params),
		"time":                 best.Timestamp,
		"mediantime":           best.MedianTime,
		"chainwork":            fmt.Sprintf("%064x", best.Work),
		"size_on_disk":         st.SizeOnDisk,
		"pruned":               st.Pruned,
		"mempool_transactions": mi.Size,
		"version":              s.Version,
		"uptime":               int64(time.Since(s.Started).Seconds()),
		"warnings":             "",
	}
	if st.Pruned {
		info["pruneheight"] = st.PruneHeight
		info["automatic_pruning"] = true
		info["prune_target_size"] = st.PruneTarget
	}
	return info, nil
}

func (s *NodeService) getRawTransaction(_ context.Context, p json.RawMessage) (any, error) {
	var ts, bs string
	var verbose any
	if err := ParseParams(p, []string{"txid", "verbose", "blockhash"}, 1, &ts, &verbose, &bs); err != nil {
		return nil, err
	}
	txid, err := parseHash(ts, "txid")
	if err != nil {
		return nil, err
	}
	verb, err := truthy(verbose)
	if err != nil {
		return nil, err
	}
	var tx *wire.MsgTx
	var blockHash *chainhash.Hash
	if bs == "" {
		if d, ok := s.Mempool.Fetch(txid); ok {
			tx = d.Tx
		}
	}
	if tx == nil {
		var bh chainhash.Hash
		switch {
		case bs != "":
			if bh, err = parseHash(bs, "blockhash"); err != nil {
				return nil, err
			}
		case s.TxIndex != nil:
			found, ok, err := s.TxIndex.TxBlock(txid)
			if err != nil {
				return nil, Errorf(CodeDatabase, "tx index: %v", err)
			}
			if !ok {
				return nil, Errorf(CodeInvalidAddress, "no such mempool or blockchain transaction %s", txid)
			}
			bh = found
		default:
			return nil, Errorf(CodeInvalidAddress, "no such mempool transaction %s; pass the blockhash for confirmed ones, or start gg-node with --txindex", txid)
		}
		blk, err := s.Chain.BlockByHash(bh)
		if err != nil {
			return nil, blockError(bh, err)
		}
		for _, t := range blk.Transactions {
			if t.TxHash() == txid {
				tx, blockHash = t, &bh
				break
			}
		}
		if tx == nil {
			return nil, Errorf(CodeInvalidAddress, "transaction %s not found in block %s", txid, bh)
		}
	}
	if !verb {
		return hex.EncodeToString(tx.Bytes()), nil
	}
	j := NewTxJSON(tx, s.Params)
	if blockHash != nil {
		j.BlockHash = blockHash.String()
		if hdr, height, err := s.Chain.HeaderByHash(*blockHash); err == nil && s.Chain.MainChainHasBlock(*blockHash) {
			j.Confirmations = s.Chain.Best().Height - height + 1
			j.Time, j.BlockTime = int64(hdr.Timestamp), int64(hdr.Timestamp)
		}
	}
	return j, nil
}

// truthy accepts bitcoind's verbose forms: bool or 0/1.
func truthy(v any) (bool, error) {
	switch t := v.(type) {
	case nil:
		return false, nil
	case bool:
		return t, nil
	case float64:
		return t != 0, nil
	}
	return false, InvalidParams("param \"verbose\": expected bool or number")
}

func decodeTxParam(p json.RawMessage) (*wire.MsgTx, error) {
	var hs string
	if err := ParseParams(p, []string{"hexstring"}, 1, &hs); err != nil {
		return nil, err
	}
	tx, err := wire.DecodeTxHexLenient(hs) // a user's tx: may have no inputs
	if err != nil {
		return nil, Errorf(CodeDeserialize, "TX decode failed: %v", err)
	}
	return tx, nil
}

func (s *NodeService) sendRawTransaction(_ context.Context, p json.RawMessage) (any, error) {
	var hs string
	var rate json.RawMessage
	if err := ParseParams(p, []string{"hexstring", "maxfeerate"}, 1, &hs, &rate); err != nil {
		return nil, err
	}
	maxRate := amount.DefaultMaxFeeRate
	if !isAbsent(rate) {
		var err error
		if maxRate, err = parseFeeRate(rate, "maxfeerate"); err != nil {
			return nil, err
		}
	}
	tx, err := wire.DecodeTxHexLenient(hs)
	if err != nil {
		return nil, Errorf(CodeDeserialize, "TX decode failed: %v", err)
	}
	if err := s.checkMaxFeeRate(tx, maxRate); err != nil {
		return nil, err
	}
	txid := tx.TxHash()
	if _, err := s.Mempool.ProcessTransaction(tx, false); err != nil {
		return nil, rejectError(err)
	}
	return txid.String(), nil
}

// checkMaxFeeRate refuses tx when its fee rate is above maxRate (dust per
// kvB; 0: no limit): fee × 1000 > maxRate × vsize. The fee is what the
// coins it spends (in the mempool or the chain) hold beyond its outputs.
// A transaction spending an unknown coin, or paying no fee, is left to
// the mempool to refuse. A sale listing is exempt: its "fee" is the
// prop's gold, which its record holds and no miner ever collects (a
// listing is never mined; a bid passes the gold on to the buyer).
func (s *NodeService) checkMaxFeeRate(tx *wire.MsgTx, maxRate amount.Amount) error {
	if maxRate == 0 || len(tx.TxIn) == 0 {
		return nil
	}
	if _, _, sale := game.SaleOf(tx); sale && game.IsListing(tx) {
		return nil
	}
	var in, out int64
	for _, ti := range tx.TxIn {
		v, ok := s.spentValue(ti.PreviousOutPoint)
		if !ok || v < 0 || v > int64(amount.MaxMoney) {
			return nil
		}
		in += v
	}
	for _, to := range tx.TxOut {
		out += to.Value
	}
	fee := in - out
	if fee <= 0 || in > int64(amount.MaxMoney) {
		return nil
	}
	vsize := int64(tx.VSize())
	hi, lo := bits.Mul64(uint64(maxRate), uint64(vsize))
	if hi > 0 || lo >= uint64(fee)*1000 {
		return nil
	}
	return Errorf(CodeVerify, "max-fee-exceeded: fee %s GG is %s GG/kvB, above maxfeerate %s GG/kvB (raise maxfeerate, or 0 for no limit)",
		amount.Amount(fee), amount.Amount(fee*1000/vsize), maxRate)
}

// spentValue is the value of the coin at op: a mempool output, else an
// unspent confirmed one.
func (s *NodeService) spentValue(op wire.OutPoint) (int64, bool) {
	if d, ok := s.Mempool.Fetch(op.Hash); ok {
		if int(op.Index) < len(d.Tx.TxOut) {
			return d.Tx.TxOut[op.Index].Value, true
		}
		return 0, false
	}
	e, err := s.Chain.FetchUtxoEntry(op)
	if err != nil || e == nil {
		return 0, false
	}
	return e.Amount, true
}

// rejectError maps mempool and chain rejections to bitcoind codes: -27
// already confirmed, -25 missing inputs, -26 everything else. The
// message is mempool.RejectMessage: the reason once, then the
// description.
func rejectError(err error) *Error {
	switch mempool.Reason(err) {
	case "txn-already-known":
		return Errorf(CodeAlreadyInChain, "transaction already in block chain")
	case "bad-txns-inputs-missingorspent", "missing-inputs", "orphan":
		return Errorf(CodeVerify, "%s", mempool.RejectMessage(err))
	}
	return Errorf(CodeVerifyRejected, "%s", mempool.RejectMessage(err))
}

func (s *NodeService) decodeRawTransaction(_ context.Context, p json.RawMessage) (any, error) {
	tx, err := decodeTxParam(p)
	if err != nil {
		return nil, err
	}
	return NewTxJSON(tx, s.Params), nil
}

func (s *NodeService) getTxOut(_ context.Context, p json.RawMessage) (any, error) {
	var ts string
	var n uint32
	inclMempool := true
	if err := ParseParams(p, []string{"txid", "n", "include_mempool"}, 2, &ts, &n, &inclMempool); err != nil {
		return nil, err
	}
	txid, err := parseHash(ts, "txid")
	if err != nil {
		return nil, err
	}
	op := wire.OutPoint{Hash: txid, Index: n}
	best := s.Chain.Best()
	if inclMempool {
		if _, spent := s.Mempool.Spender(op); spent {
			return nil, nil
		}
		if d, ok := s.Mempool.Fetch(txid); ok {
			if int(n) >= len(d.Tx.TxOut) {
				return nil, nil
			}
			out := d.Tx.TxOut[n]
			return txOutJSON(best.Hash, 0, out.Value, out.PkScript, false, s.Params), nil
		}
	}
	e, err := s.Chain.FetchUtxoEntry(op)
	if err != nil {
		return nil, Errorf(CodeDatabase, "%v", err)
	}
	if e == nil {
		return nil, nil
	}
	return txOutJSON(best.Hash, best.Height-e.Height+1, e.Amount, e.PkScript, e.Coinbase, s.Params), nil
}

func txOutJSON(best chainhash.Hash, conf int32, value int64, pk []byte, coinbase bool, p *chaincfg.Params) map[string]any {
	return map[string]any{"bestblock": best.String(), "confirmations": conf,
		"value": json.Number(amount.Amount(value).Format()), "scriptPubKey": DecodeScriptPubKey(pk, p), "coinbase": coinbase}
}

// txOutSetInfo summarises the UTXO set at the tip. hash_serialized is
// the chain's UtxoSetHash (SHA-256 over the stored records in key
// order: equal hashes mean identical sets, but it is not bitcoind's
// serialisation), registry_hash the game registries' RegistryHash.
func (s *NodeService) txOutSetInfo(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	i, err := s.Chain.UtxoSetInfo()
	if err != nil {
		return nil, Errorf(CodeDatabase, "%v", err)
	}
	return map[string]any{"height": i.Height, "bestblock": i.BestBlock.String(), "transactions": i.Transactions,
		"txouts": i.TxOuts, "total_amount": json.Number(amount.Amount(i.Total).Format()),
		"hash_serialized": i.Hash.String(), "registry_hash": i.RegistryHash.String()}, nil
}

func (s *NodeService) mempoolInfo(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	mi := s.Mempool.Info()
	return map[string]any{"loaded": true, "size": mi.Size, "bytes": mi.Bytes, "usage": mi.Usage,
		"maxmempool": mi.MaxBytes, "mempoolminfee": json.Number(amount.Amount(mi.MinFeeRate).Format()),
		"total_fee": json.Number(amount.Amount(mi.TotalFee).Format())}, nil
}

func (s *NodeService) rawMempool(_ context.Context, p json.RawMessage) (any, error) {
	var verbose bool
	if err := ParseParams(p, []string{"verbose"}, 0, &verbose); err != nil {
		return nil, err
	}
	ids := s.Mempool.TxIDs()
	if !verbose {
		out := make([]string, len(ids))
		for i, h := range ids {
			out[i] = h.String()
		}
		return out, nil
	}
	out := map[string]any{}
	for _, h := range ids {
		d, ok := s.Mempool.Fetch(h)
		if !ok {
			continue
		}
		out[h.String()] = mempoolEntryJSON(d)
	}
	return out, nil
}

// mempoolEntryJSON is a mempool transaction's line of getrawmempool
// verbose, and getmempoolentry's answer.
func mempoolEntryJSON(d *mempool.TxDesc) map[string]any {
	return map[string]any{"vsize": d.VSize, "weight": d.Weight, "time": d.Added.Unix(),
		"height": d.Height, "fee": json.Number(amount.Amount(d.Fee).Format()), "wtxid": d.Tx.WitnessHash().String()}
}

// mempoolEntry answers one mempool transaction (bitcoind's
// getmempoolentry): what a wallet needs of it (its fee, to outbid it)
// without the whole pool.
func (s *NodeService) mempoolEntry(_ context.Context, p json.RawMessage) (any, error) {
	var ts string
	if err := ParseParams(p, []string{"txid"}, 1, &ts); err != nil {
		return nil, err
	}
	txid, err := parseHash(ts, "txid")
	if err != nil {
		return nil, err
	}
	d, ok := s.Mempool.Fetch(txid)
	if !ok {
		return nil, Errorf(CodeInvalidAddress, "transaction not in mempool")
	}
	return mempoolEntryJSON(d), nil
}

func (s *NodeService) payScript(addr string) ([]byte, error) {
	a, err := address.Decode(addr, s.Params)
	if err != nil {
		return nil, Errorf(CodeInvalidAddress, "invalid address %q: %v", addr, err)
	}
	return a.PkScript(), nil
}

func (s *NodeService) mine(ctx context.Context, n int, addr string) (any, error) {
	if n < 1 || n > 10000 {
		return nil, Errorf(CodeInvalidParam, "nblocks must be 1..10000")
	}
	if s.Params.Name != chaincfg.RegTestParams.Name {
		return nil, Errorf(CodeMisc, "generate is only available on regtest")
	}
	pk, err := s.payScript(addr)
	if err != nil {
		return nil, err
	}
	hashes, err := s.Miner.Generate(ctx, n, pk)
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = h.String()
	}
	if err != nil {
		return nil, Errorf(CodeMisc, "mined %d of %d blocks: %v", len(hashes), n, err)
	}
	return out, nil
}

func (s *NodeService) generate(ctx context.Context, p json.RawMessage) (any, error) {
	var n int
	addr := s.MinerAddress
	if err := ParseParams(p, []string{"nblocks", "address"}, 1, &n, &addr); err != nil {
		return nil, err
	}
	if addr == "" {
		return nil, Errorf(CodeInvalidParam, "no address given and no miner address configured (--mine-address)")
	}
	return s.mine(ctx, n, addr)
}

func (s *NodeService) generateTo(ctx context.Context, p json.RawMessage) (any, error) {
	var n int
	var addr string
	if err := ParseParams(p, []string{"nblocks", "address"}, 2, &n, &addr); err != nil {
		return nil, err
	}
	return s.mine(ctx, n, addr)
}

func (s *NodeService) submitBlock(_ context.Context, p json.RawMessage) (any, error) {
	var hs, workid string
	if err := ParseParams(p, []string{"hexdata", "workid"}, 1, &hs, &workid); err != nil {
		return nil, err
	}
	blk, err := wire.DecodeBlockHex(hs)
	if err != nil {
		return nil, Errorf(CodeDeserialize, "Block decode failed: %v", err)
	}
	chain.CompleteCoinbaseWitness(blk)
	hash := blk.BlockHash()
	verdict := s.submitVerdict(blk, hash)
	s.submits.count(verdict)
	if verdict == "" {
		return nil, nil
	}
	if s.Log != nil {
		s.Log.Info("submitblock not connected", "hash", hash, "verdict", verdict)
	}
	return verdict, nil
}

// submitVerdict processes a submitted block and returns BIP22's answer:
// "" when it became the tip; "inconclusive" when it is valid as far as
// checked but not on the best chain (an orphan, or a side branch:
// miners count it as stale work); "duplicate", "duplicate-invalid" or
// "duplicate-inconclusive" (stored but not on the best chain) for a
// block already known; else the rule's reason, or "rejected".
func (s *NodeService) submitVerdict(blk *wire.MsgBlock, hash chainhash.Hash) string {
	mainChain, orphan, err := s.Chain.ProcessBlock(blk, chain.BFRequested)
	if err != nil {
		var re chain.RuleError
		if !errors.As(err, &re) {
			return "rejected"
		}
		r := re.Reason()
		if r == "duplicate" && !s.Chain.MainChainHasBlock(hash) {
			return "duplicate-inconclusive"
		}
		return r
	}
	if orphan || !mainChain {
		return "inconclusive"
	}
	return ""
}

// submitStats counts submitblock's verdicts since start.
type submitStats struct {
	mu       sync.Mutex
	accepted int64
	verdicts map[string]int64
}

// maxVerdicts bounds the distinct reasons counted (reasons come from a
// fixed table; the bound keeps a bug from growing the map).
const maxVerdicts = 64

func (st *submitStats) count(verdict string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if verdict == "" {
		st.accepted++
		return
	}
	if st.verdicts == nil {
		st.verdicts = map[string]int64{}
	}
	if _, ok := st.verdicts[verdict]; !ok && len(st.verdicts) >= maxVerdicts {
		verdict = "other"
	}
	st.verdicts[verdict]++
}

func (st *submitStats) snapshot() (int64, map[string]int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.accepted, maps.Clone(st.verdicts)
}

func (s *NodeService) miningInfo(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	best := s.Chain.Best()
	accepted, verdicts := s.submits.snapshot()
	if verdicts == nil {
		verdicts = map[string]int64{}
	}
	return map[string]any{
		"blocks":      best.Height,
		"difficulty":  Difficulty(best.Bits, s.Params),
		"pooledtx":    s.Mempool.Info().Size,
		"chain":       s.Params.Name,
		"submitblock": map[string]any{"accepted": accepted, "not_accepted": verdicts},
		"warnings":    "",
	}, nil
}

func (s *NodeService) validateAddress(_ context.Context, p json.RawMessage) (any, error) {
	var as string
	if err := ParseParams(p, []string{"address"}, 1, &as); err != nil {
		return nil, err
	}
	a, err := address.Decode(as, s.Params)
	if err != nil {
		return map[string]any{"isvalid": false, "error": err.Error()}, nil
	}
	return map[string]any{"isvalid": true, "address": a.String(), "scriptPubKey": hex.EncodeToString(a.PkScript()),
		"isscript":  a.Kind == address.ScriptHash || a.Kind == address.WitnessScriptHash,
		"iswitness": a.IsSegwit(), "type": a.Kind.String()}, nil
}

func (s *NodeService) stop(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	if s.Stop != nil {
		go s.Stop()
	}
	return "gg-node stopping", nil
}
