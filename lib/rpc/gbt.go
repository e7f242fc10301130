package rpc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// getblocktemplate (BIP22, BIP23 long polling and proposals, BIP9/BIP145
// rules) as Bitcoin Core speaks it, with these choices:
//
//   - rules: the client must list "segwit" (as in Core); the reply lists
//     "csv" and "!segwit", the deployments GameGold enforces from genesis
//     ("!" because a client unaware of segwit cannot use the template);
//     there is no taproot, and vbavailable is empty.
//   - default_witness_commitment appears only when a selected transaction
//     has witness data (as btcd does; Core always sends it). Without it the
//     client's coinbase needs no commitment output.
//   - coinbaseaux.flags is the hex of the script bytes the node appends to
//     its own coinbase scripts (Core's meaning: append them verbatim).
//   - The template is built on a placeholder coinbase paying OP_TRUE; the
//     client builds its own from coinbasevalue, height and the commitment.
//   - Unknown keys in the request object are ignored, as BIP22 asks.

// Defaults of GBTOptions.
const (
	DefaultTemplateMaxAge       = 5 * time.Second
	DefaultLongPollMempoolDelay = time.Minute
	DefaultLongPollCheck        = time.Second
)

// GBTOptions tunes getblocktemplate. Zero fields take the defaults.
type GBTOptions struct {
	// MaxAge: while the tip is unchanged, a cached template is rebuilt for
	// a changed mempool only once it is this old (Core's 5 s). With an
	// unchanged mempool it is reused whatever its age, its time refreshed.
	MaxAge time.Duration
	// LongPollMempoolDelay: a long poll returns for a mempool change (as
	// opposed to a new tip) only after waiting this long (Core's 60 s).
	LongPollMempoolDelay time.Duration
	// LongPollCheck is how often a long poll looks at the mempool, and at
	// the tip when no Notifier is set.
	LongPollCheck time.Duration
}

func (o GBTOptions) withDefaults() GBTOptions {
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultTemplateMaxAge
	}
	if o.LongPollMempoolDelay <= 0 {
		o.LongPollMempoolDelay = DefaultLongPollMempoolDelay
	}
	if o.LongPollCheck <= 0 {
		o.LongPollCheck = DefaultLongPollCheck
	}
	return o
}

// BlockTemplateJSON is getblocktemplate's reply in template mode.
type BlockTemplateJSON struct {
	Capabilities             []string          `json:"capabilities"`
	Version                  int32             `json:"version"`
	Rules                    []string          `json:"rules"`
	VBAvailable              map[string]int    `json:"vbavailable"`
	VBRequired               int               `json:"vbrequired"`
	PreviousBlockHash        string            `json:"previousblockhash"`
	Transactions             []TemplateTxJSON  `json:"transactions"`
	CoinbaseAux              map[string]string `json:"coinbaseaux"`
	CoinbaseValue            int64             `json:"coinbasevalue"`
	LongPollID               string            `json:"longpollid"`
	Target                   string            `json:"target"`
	MinTime                  int64             `json:"mintime"`
	Mutable                  []string          `json:"mutable"`
	NonceRange               string            `json:"noncerange"`
	SigOpLimit               int               `json:"sigoplimit"`
	SizeLimit                int               `json:"sizelimit"`
	WeightLimit              int               `json:"weightlimit"`
	CurTime                  int64             `json:"curtime"`
	Bits                     string            `json:"bits"`
	Height                   int32             `json:"height"`
	DefaultWitnessCommitment string            `json:"default_witness_commitment,omitempty"`
}

// TemplateTxJSON is one non-coinbase transaction of a template. Depends
// holds the 1-based positions (in Transactions) of the in-template
// parents; Fee is in dust, SigOps is the BIP141 sigop cost.
type TemplateTxJSON struct {
	Data    string `json:"data"`
	TxID    string `json:"txid"`
	Hash    string `json:"hash"`
	Depends []int  `json:"depends"`
	Fee     int64  `json:"fee"`
	SigOps  int    `json:"sigops"`
	Weight  int    `json:"weight"`
}

// templateRequest is getblocktemplate's single, optional argument.
type templateRequest struct {
	Mode         string          `json:"mode"`
	Capabilities []string        `json:"capabilities"`
	Rules        []string        `json:"rules"`
	LongPollID   string          `json:"longpollid"`
	Data         string          `json:"data"`
	WorkID       json.RawMessage `json:"workid"` // accepted, never issued
}

// gbtTemplate is the cached template and the reply parts that do not
// change while it is reused.
type gbtTemplate struct {
	tmpl  *mining.BlockTemplate
	tip   chainhash.Hash
	gen   uint64 // mempool generation it was built at
	built time.Time
	reply BlockTemplateJSON
}

func (t *gbtTemplate) longPollID() string { return longPollID(t.tip, t.gen) }

func longPollID(tip chainhash.Hash, gen uint64) string {
	return tip.String() + strconv.FormatUint(gen, 10)
}

// poolPrint summarises the mempool; a change of it bumps the generation.
// Every acceptance, removal or replacement changes the count, the size
// or the total fee, short of an eviction of a transaction exactly as big
// and as rich as the one that evicted it.
type poolPrint struct {
	size     int
	bytes    int64
	totalFee int64
}

// gbtState is getblocktemplate's cache, mempool generation counter and
// tip watch. The zero value is ready.
type gbtState struct {
	buildMu sync.Mutex // serialises builds; guards cur
	cur     *gbtTemplate

	genMu sync.Mutex // guards print and gen
	print poolPrint
	gen   uint64

	subOnce sync.Once
	tipMu   sync.Mutex
	tipCh   chan struct{} // closed at the next tip change, then replaced
}

// placeholderPayout is the template's coinbase output script: GBT clients
// build their own coinbase, so no payout address is needed.
var placeholderPayout = []byte{script.OP_TRUE}

func (s *NodeService) getBlockTemplate(ctx context.Context, p json.RawMessage) (any, error) {
	req, err := parseTemplateRequest(p)
	if err != nil {
		return nil, err
	}
	switch req.Mode {
	case "", "template":
	case "proposal":
		return s.proposeBlock(req)
	default:
		return nil, Errorf(CodeInvalidParam, "invalid mode %q: want \"template\" or \"proposal\"", req.Mode)
	}
	if !slices.Contains(req.Rules, "segwit") {
		return nil, Errorf(CodeInvalidParam, `getblocktemplate needs the segwit rule: call it with {"rules":["segwit"]}`)
	}
	if s.Template == nil {
		return nil, Errorf(CodeMisc, "this node builds no block templates")
	}
	if req.LongPollID != "" {
		if _, _, ok := parseLongPollID(req.LongPollID); !ok {
			return nil, Errorf(CodeInvalidParam, "longpollid %q is not one this node issued (tip hash then generation)", req.LongPollID)
		}
		cur, err := s.currentTemplate()
		if err != nil {
			return nil, err
		}
		if cur.longPollID() == req.LongPollID {
			s.waitTemplateChange(ctx, cur.tip, cur.gen)
		}
	}
	cur, err := s.currentTemplate()
	if err != nil {
		return nil, err
	}
	return s.templateReply(cur), nil
}

// parseTemplateRequest decodes the optional request object, positional
// or named template_request.
func parseTemplateRequest(p json.RawMessage) (*templateRequest, error) {
	var raw json.RawMessage
	if err := ParseParams(p, []string{"template_request"}, 0, &raw); err != nil {
		return nil, err
	}
	req := &templateRequest{}
	if isAbsent(raw) {
		return req, nil
	}
	if err := exactKeys(raw, reflect.TypeOf(req)); err != nil {
		return nil, InvalidParams("param \"template_request\": %v", err)
	}
	if err := json.Unmarshal(raw, req); err != nil {
		return nil, InvalidParams("param \"template_request\": %s", typeMsg(err))
	}
	return req, nil
}

// parseLongPollID splits an id of ours: 64 lowercase hex digits of the
// tip, then the mempool generation in decimal. Only the canonical form
// is one of ours (no upper case, no leading zeros, no sign): an id that
// reads the same but is spelled otherwise would never equal the current
// one and end a poll at once.
func parseLongPollID(id string) (chainhash.Hash, uint64, bool) {
	if len(id) <= 2*chainhash.HashSize || len(id) > 2*chainhash.HashSize+20 {
		return chainhash.Hash{}, 0, false
	}
	tip, err := chainhash.NewHashFromStr(id[:2*chainhash.HashSize])
	if err != nil {
		return chainhash.Hash{}, 0, false
	}
	gen, err := strconv.ParseUint(id[2*chainhash.HashSize:], 10, 64)
	if err != nil || longPollID(tip, gen) != id {
		return chainhash.Hash{}, 0, false
	}
	return tip, gen, true
}

// currentTemplate returns the cached template, or builds a new one when
// the tip moved, or when the mempool changed and the cached one is older
// than MaxAge.
func (s *NodeService) currentTemplate() (*gbtTemplate, error) {
	g := &s.gbt
	gen := s.poolGeneration()
	tip := s.Chain.Best().Hash
	g.buildMu.Lock()
	defer g.buildMu.Unlock()
	if c := g.cur; c != nil && c.tip == tip && (c.gen == gen || time.Since(c.built) < s.GBT.withDefaults().MaxAge) {
		return c, nil
	}
	var (
		tmpl *mining.BlockTemplate
		best chain.BestState
		err  error
	)
	// The generator starts over when the tip moves under it; read the
	// tip after it so mintime belongs to the block built on.
	for range 3 {
		tmpl, err = s.Template.NewBlockTemplate(placeholderPayout, 0)
		if err != nil {
			return nil, Errorf(CodeMisc, "build block template: %v", err)
		}
		if best = s.Chain.Best(); best.Hash == tmpl.Block.Header.PrevBlock {
			break
		}
	}
	if best.Hash != tmpl.Block.Header.PrevBlock {
		return nil, Errorf(CodeMisc, "build block template: the tip keeps moving")
	}
	c := &gbtTemplate{tmpl: tmpl, tip: best.Hash, gen: gen, built: time.Now()}
	c.reply = s.templateJSON(c, best)
	g.cur = c
	return c, nil
}

// templateJSON renders the parts of the reply fixed for a template.
func (s *NodeService) templateJSON(c *gbtTemplate, best chain.BestState) BlockTemplateJSON {
	t := c.tmpl
	blk := t.Block
	pos := make(map[chainhash.Hash]int, len(blk.Transactions))
	txs := make([]TemplateTxJSON, 0, len(blk.Transactions)-1)
	for i, tx := range blk.Transactions[1:] {
		txid := tx.TxHash()
		deps := []int{}
		for _, in := range tx.TxIn {
			if j, ok := pos[in.PreviousOutPoint.Hash]; ok && !slices.Contains(deps, j) {
				deps = append(deps, j)
			}
		}
		slices.Sort(deps)
		pos[txid] = i + 1
		txs = append(txs, TemplateTxJSON{Data: hex.EncodeToString(tx.Bytes()), TxID: txid.String(),
			Hash: tx.WitnessHash().String(), Depends: deps, Fee: t.Fees[i+1], SigOps: t.SigOpCosts[i+1],
			Weight: tx.Weight()})
	}
	flags := ""
	if prefix, err := mining.CoinbaseScript(t.Height, 0, nil); err == nil {
		if sig := blk.Transactions[0].TxIn[0].SignatureScript; len(sig) > len(prefix) {
			flags = hex.EncodeToString(sig[len(prefix):])
		}
	}
	j := BlockTemplateJSON{
		Capabilities:      []string{"proposal"},
		Version:           blk.Header.Version,
		Rules:             []string{"csv", "!segwit"},
		VBAvailable:       map[string]int{},
		PreviousBlockHash: c.tip.String(),
		Transactions:      txs,
		CoinbaseAux:       map[string]string{"flags": flags},
		CoinbaseValue:     t.CoinbaseValue,
		LongPollID:        c.longPollID(),
		MinTime:           best.MinNextTime,
		Mutable:           []string{"time", "transactions", "prevblock"},
		NonceRange:        "00000000ffffffff",
		SigOpLimit:        chain.MaxBlockSigOpsCost,
		SizeLimit:         wire.MaxBlockWeight, // a block's size never exceeds its weight
		WeightLimit:       wire.MaxBlockWeight,
		CurTime:           int64(blk.Header.Timestamp),
		Height:            t.Height,
	}
	setBits(&j, blk.Header.Bits)
	if len(t.WitnessCommitment) > 0 {
		j.DefaultWitnessCommitment = hex.EncodeToString(t.WitnessCommitment)
	}
	return j
}

func setBits(j *BlockTemplateJSON, bits uint32) {
	j.Bits = fmt.Sprintf("%08x", bits)
	j.Target = fmt.Sprintf("%064x", chaincfg.CompactToBig(bits))
}

// templateReply is the cached reply with the time brought up to now (and,
// where the difficulty depends on it, the bits).
func (s *NodeService) templateReply(c *gbtTemplate) BlockTemplateJSON {
	j := c.reply
	now := time.Now().Unix()
	if now <= j.CurTime {
		return j
	}
	if s.Params.ReduceMinDifficulty {
		if s.Chain.Best().Hash != c.tip {
			return j // stale already; keep it self-consistent
		}
		bits, err := s.Chain.NextRequiredBits(uint32(now))
		if err != nil {
			return j
		}
		setBits(&j, bits)
	}
	j.CurTime = max(now, j.MinTime)
	return j
}

// poolGeneration returns the mempool generation, bumped whenever the
// pool's summary differs from the last one seen.
func (s *NodeService) poolGeneration() uint64 {
	g := &s.gbt
	g.genMu.Lock()
	defer g.genMu.Unlock()
	mi := s.Mempool.Info()
	if fp := (poolPrint{size: mi.Size, bytes: mi.Bytes, totalFee: mi.TotalFee}); fp != g.print {
		g.print = fp
		g.gen++
	}
	return g.gen
}

// tipChanged returns a channel closed at the next tip change, or nil (never
// ready) without a Notifier.
func (s *NodeService) tipChanged() <-chan struct{} {
	if s.Notifier == nil {
		return nil
	}
	g := &s.gbt
	g.subOnce.Do(func() { s.Notifier.Subscribe(g.onChainNote) })
	g.tipMu.Lock()
	defer g.tipMu.Unlock()
	if g.tipCh == nil {
		g.tipCh = make(chan struct{})
	}
	return g.tipCh
}

// onChainNote runs inside the chain's notification delivery: it only
// wakes the long polls.
func (g *gbtState) onChainNote(n *chain.Notification) {
	if n.Type != chain.NTBlockConnected && n.Type != chain.NTBlockDisconnected {
		return
	}
	g.tipMu.Lock()
	if g.tipCh != nil {
		close(g.tipCh)
		g.tipCh = nil
	}
	g.tipMu.Unlock()
}

// waitTemplateChange blocks until the tip is no longer tip, or the mempool
// generation moved from gen and LongPollMempoolDelay has passed, or ctx
// ends. It holds no lock while it waits.
func (s *NodeService) waitTemplateChange(ctx context.Context, tip chainhash.Hash, gen uint64) {
	o := s.GBT.withDefaults()
	start := time.Now()
	tick := time.NewTicker(o.LongPollCheck)
	defer tick.Stop()
	changed := s.tipChanged() // before reading the tip, so no change is missed
	for {
		if s.Chain.Best().Hash != tip {
			return
		}
		if time.Since(start) >= o.LongPollMempoolDelay && s.poolGeneration() != gen {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
			changed = s.tipChanged()
		case <-tick.C:
		}
	}
}

// proposeBlock checks a BIP23 proposal: null when the block would be
// accepted on the tip (proof of work aside), else a BIP22 reason.
func (s *NodeService) proposeBlock(req *templateRequest) (any, error) {
	if req.Data == "" {
		return nil, InvalidParams(`proposal mode needs "data": the block in hex`)
	}
	blk, err := wire.DecodeBlockHex(req.Data)
	if err != nil {
		return nil, Errorf(CodeDeserialize, "Block decode failed: %v", err)
	}
	chain.CompleteCoinbaseWitness(blk)
	hash := blk.BlockHash()
	if _, _, err := s.Chain.HeaderByHash(hash); err == nil {
		for _, t := range s.Chain.Tips() {
			if t.Hash != hash {
				continue
			}
			switch t.Status {
			case "invalid":
				return "duplicate-invalid", nil
			case "valid-headers":
				return "duplicate-inconclusive", nil
			}
		}
		return "duplicate", nil
	}
	if blk.Header.PrevBlock != s.Chain.Best().Hash {
		return "inconclusive-not-best-prevblk", nil
	}
	if err := s.Chain.CheckConnectBlockTemplate(blk); err != nil {
		var re chain.RuleError
		if errors.As(err, &re) {
			return re.Reason(), nil
		}
		return "rejected", nil
	}
	return nil, nil
}
