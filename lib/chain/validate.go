package chain

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// BehaviorFlags modify how ProcessBlock validates a block.
type BehaviorFlags uint32

const (
	// BFNone is the default: full validation.
	BFNone BehaviorFlags = 0
	// BFNoPoWCheck skips the check that the block hash meets its target
	// (the target must still be in range and as required).
	BFNoPoWCheck BehaviorFlags = 1 << iota
	// BFRequested marks a block this node asked for or its operator
	// submitted (submitblock, the node's own miner): it is stored whatever
	// its chain's work. Without it a block is unsolicited and stored only
	// when its chain could become the best one (see ProcessBlock).
	BFRequested
)

// MinBlockVersion is the lowest header version accepted: BIP34, BIP66 and
// BIP65 (versions 2, 3 and 4) are active from genesis.
const MinBlockVersion = 4

// witnessCommitmentPrefix starts a BIP141 commitment output: OP_RETURN,
// a 36-byte push and the tag aa21a9ed.
var witnessCommitmentPrefix = []byte{0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed}

// witnessCommitmentIndex returns the index of the coinbase's last output
// carrying a witness commitment, or -1.
func witnessCommitmentIndex(cb *wire.MsgTx) int {
	for i := len(cb.TxOut) - 1; i >= 0; i-- {
		s := cb.TxOut[i].PkScript
		if len(s) >= 38 && bytes.HasPrefix(s, witnessCommitmentPrefix) {
			return i
		}
	}
	return -1
}

// CompleteCoinbaseWitness gives blk's coinbase the BIP141 reserved value
// (one 32-byte zero item) when it has a witness commitment output but no
// witness, as bitcoind's submitblock does: getblocktemplate miners add the
// commitment and send the coinbase without its witness. It reports
// whether it changed the block. The block hash does not change (the
// witness is not in the txid); the commitment is still checked as usual.
func CompleteCoinbaseWitness(blk *wire.MsgBlock) bool {
	if len(blk.Transactions) == 0 || len(blk.Transactions[0].TxIn) == 0 {
		return false
	}
	cb := blk.Transactions[0]
	if len(cb.TxIn[0].Witness) != 0 || witnessCommitmentIndex(cb) < 0 {
		return false
	}
	cb.TxIn[0].Witness = wire.TxWitness{make([]byte, 32)}
	return true
}

// CheckBlockSanity runs the context-free checks on a block: proof of work
// (unless flags has BFNoPoWCheck) against its own bits and params'
// limit, transactions present, size and weight limits, exactly one
// coinbase and in first place, every transaction's sanity, the merkle
// root and its CVE-2012-2459 mutation (ErrDuplicateTx), the legacy sigop
// limit, and the BIP141 witness commitment.
func CheckBlockSanity(blk *wire.MsgBlock, params *chaincfg.Params, flags BehaviorFlags) error {
	_, err := checkBlockSanity(blk, blk.BlockHash(), params, flags)
	return err
}

// checkBlockSanity is CheckBlockSanity returning the txids it computed.
func checkBlockSanity(blk *wire.MsgBlock, hash chainhash.Hash, params *chaincfg.Params, flags BehaviorFlags) ([]chainhash.Hash, error) {
	if err := checkProofOfWork(&blk.Header, &hash, params.PowLimit, flags&BFNoPoWCheck != 0); err != nil {
		return nil, err
	}
	return checkBlockBody(blk)
}

// CheckBlockBody is CheckBlockSanity but the header's proof of work
// (checked when the header was accepted): what a block must pass before
// it is relayed ahead of its validation (BIP152 high bandwidth).
func CheckBlockBody(blk *wire.MsgBlock) error {
	_, err := checkBlockBody(blk)
	return err
}

// checkBlockBody checks what a block's transactions must be on their
// own (count, size, coinbase, each transaction's sanity, merkle root and
// mutation, sigops, witness commitment, weight) and returns their txids.
func checkBlockBody(blk *wire.MsgBlock) ([]chainhash.Hash, error) {
	txs := blk.Transactions
	if len(txs) == 0 {
		return nil, ruleError(ErrNoTransactions, "block has no transactions")
	}
	if len(txs)*wire.MinTxSize*wire.WitnessScaleFactor > wire.MaxBlockWeight {
		return nil, ruleError(ErrBlockTooBig, "block has %d transactions, too many to fit", len(txs))
	}
	stripped := blk.SerializeSizeStripped()
	if stripped*wire.WitnessScaleFactor > wire.MaxBlockWeight {
		return nil, ruleError(ErrBlockTooBig, "block stripped size %d exceeds %d", stripped, wire.MaxBlockWeight/wire.WitnessScaleFactor)
	}
	if !txs[0].IsCoinBase() {
		return nil, ruleError(ErrFirstTxNotCoinbase, "first transaction is not a coinbase")
	}
	for i, tx := range txs[1:] {
		if tx.IsCoinBase() {
			return nil, ruleError(ErrMultipleCoinbases, "transaction %d is a second coinbase", i+1)
		}
	}
	txids := make([]chainhash.Hash, len(txs))
	sigOps := 0
	for i, tx := range txs {
		if err := CheckTransactionSanity(tx); err != nil {
			var re RuleError
			if errors.As(err, &re) {
				re.Description = "transaction " + itoa(i) + ": " + re.Description
				return nil, re
			}
			return nil, err
		}
		txids[i] = tx.TxHash()
		sigOps += legacySigOps(tx) * wire.WitnessScaleFactor
	}
	root, mutated := wire.MerkleRoot(txids)
	if root != blk.Header.MerkleRoot {
		return nil, ruleError(ErrBadMerkleRoot, "merkle root %v, header says %v", root, blk.Header.MerkleRoot)
	}
	if mutated {
		return nil, ruleError(ErrDuplicateTx, "transaction list has a duplicated subtree (merkle mutation)")
	}
	if sigOps > MaxBlockSigOpsCost {
		return nil, ruleError(ErrTooManySigOps, "legacy sigop cost %d exceeds %d", sigOps, MaxBlockSigOpsCost)
	}
	if err := checkWitnessCommitment(blk); err != nil {
		return nil, err
	}
	if w := stripped*(wire.WitnessScaleFactor-1) + blk.SerializeSize(); w > wire.MaxBlockWeight {
		return nil, ruleError(ErrBlockWeightTooHigh, "block weight %d exceeds %d", w, wire.MaxBlockWeight)
	}
	return txids, nil
}

// checkWitnessCommitment enforces BIP141: with a commitment output in the
// coinbase, the coinbase witness is one 32-byte reserved value and the
// commitment matches the witness merkle root; without one, no
// transaction may carry witness data.
func checkWitnessCommitment(blk *wire.MsgBlock) error {
	cb := blk.Transactions[0]
	idx := witnessCommitmentIndex(cb)
	if idx < 0 {
		for i, tx := range blk.Transactions {
			if tx.HasWitness() {
				return ruleError(ErrUnexpectedWitness, "transaction %d has witness data but the block has no witness commitment", i)
			}
		}
		return nil
	}
	w := cb.TxIn[0].Witness
	if len(w) != 1 || len(w[0]) != 32 {
		return ruleErrorReason(ErrBadWitnessCommitment, "bad-witness-nonce-size", "coinbase witness must be one 32-byte reserved value")
	}
	wroot := wire.WitnessMerkleRoot(blk.Transactions)
	var buf [64]byte
	copy(buf[:32], wroot[:])
	copy(buf[32:], w[0])
	want := chainhash.DoubleHashH(buf[:])
	if !bytes.Equal(cb.TxOut[idx].PkScript[6:38], want[:]) {
		return ruleError(ErrBadWitnessCommitment, "witness commitment does not match the witness merkle root")
	}
	return nil
}

// checkHeaderContext checks a header against its parent: required bits,
// timestamp after the median time past, version. Failures here make the
// header invalid. The future-time check is separate (checkHeaderTime)
// because a block too far ahead may become valid later.
func (c *Chain) checkHeaderContext(h *wire.BlockHeader, prev *blockNode) error {
	return CheckHeaderRules(c.params, h, prev.height, c.index.ancestorsOf(prev))
}

// MaxTimewarp is BIP94's bound: on networks that enforce it, the first
// block of a retarget window may be at most this many seconds older than
// its parent, which takes the time-warp attack (dating the last block of
// each window far in the future and the next one far in the past) away.
const MaxTimewarp = 600

// opensWindowBIP94 reports whether a block on prev opens a retarget window
// on a network that enforces BIP94.
func (c *Chain) opensWindowBIP94(prev *blockNode) bool {
	p := c.params
	return p.EnforceBIP94 && !p.NoRetargeting && (prev.height+1)%p.BlocksPerRetarget() == 0
}

// minNextTime is the earliest timestamp a block on tip may carry.
func (c *Chain) minNextTime(tip *blockNode) int64 {
	t := medianTimePast(tip) + 1
	if c.opensWindowBIP94(tip) {
		t = max(t, int64(tip.header.Timestamp)-MaxTimewarp)
	}
	return t
}

func (c *Chain) checkHeaderTime(h *wire.BlockHeader) error {
	return CheckHeaderTime(h, c.now())
}

func (c *Chain) now() time.Time {
	if c.cfg.TimeSource != nil {
		return c.cfg.TimeSource()
	}
	return time.Now()
}

// bip34Prefix is the script "CScript() << height" that a coinbase script
// must start with.
func bip34Prefix(height int32) []byte {
	s, _ := script.NewBuilder().AddInt64(int64(height)).Script()
	return s
}

// checkBlockContext runs the checks that need the parent but not the UTXO
// set: the BIP34 height in the coinbase and the finality of every
// transaction at the parent's median time past.
func checkBlockContext(blk *wire.MsgBlock, prev *blockNode) error {
	height := prev.height + 1
	if !bytes.HasPrefix(blk.Transactions[0].TxIn[0].SignatureScript, bip34Prefix(height)) {
		return ruleError(ErrBadCoinbaseHeight, "coinbase script does not start with height %d", height)
	}
	mtp := medianTimePast(prev)
	for i, tx := range blk.Transactions {
		if !IsFinalizedTransaction(tx, height, mtp) {
			return ruleError(ErrUnfinalizedTx, "transaction %d is not final at height %d, time %d", i, height, mtp)
		}
	}
	return nil
}

// calcSequenceLock computes tx's BIP68 lock for a block on prev. Like
// Bitcoin Core it reads the version as unsigned: "version >= 2" includes
// negative versions.
func (c *Chain) calcSequenceLock(prev *blockNode, tx *wire.MsgTx, view UtxoView, mempool bool) (*SequenceLock, error) {
	lock := &SequenceLock{Seconds: -1, BlockHeight: -1}
	if uint32(tx.Version) < 2 || tx.IsCoinBase() {
		return lock, nil
	}
	next := prev.height + 1
	for i, in := range tx.TxIn {
		seq := in.Sequence
		if seq&wire.SequenceLockTimeDisabled != 0 {
			continue
		}
		e := view.LookupEntry(in.PreviousOutPoint)
		if e == nil {
			return nil, ruleError(ErrMissingTxOut, "input %d: output %v missing or spent", i, in.PreviousOutPoint)
		}
		h := e.Height
		if mempool && h == UnconfirmedHeight {
			h = next
		}
		rel := int64(seq & wire.SequenceLockTimeMask)
		if seq&wire.SequenceLockTimeIsSeconds != 0 {
			base := c.index.ancestor(prev, max(min(h-1, prev.height), 0))
			secs := medianTimePast(base) + rel<<wire.SequenceLockTimeGranularity - 1
			lock.Seconds = max(lock.Seconds, secs)
		} else {
			lock.BlockHeight = max(lock.BlockHeight, h+int32(rel)-1)
		}
	}
	return lock, nil
}

// checkConnectBlock validates blk (whose txids are known) as the child of
// node.parent against view, applies it to view and returns its undo data.
// With a game hook and write set, the hook's ConnectBlock runs too.
//
// Script checks run in the background: the block is valid only once the
// returned wait function has returned nil. Until then the caller may go
// on writing (in the same database transaction) but must not commit. On
// error the background work has already been stopped.
func (c *Chain) checkConnectBlock(tx *store.Tx, node *blockNode, blk *wire.MsgBlock, txids []chainhash.Hash,
	view *UtxoViewpoint, write bool) (undo *blockUndo, wait func() error, err error) {
	var checker *scriptChecker
	if len(blk.Transactions) > 1 {
		checker = newScriptChecker(len(blk.Transactions)-1, script.ConsensusFlags, c.cfg.SigCache)
	}
	undo, err = c.connectBlockUtxos(tx, node, blk, txids, view, write, checker)
	if checker == nil {
		return undo, func() error { return nil }, err
	}
	if err != nil {
		checker.abort()
		return nil, nil, err
	}
	return undo, checker.wait, nil
}

func (c *Chain) connectBlockUtxos(tx *store.Tx, node *blockNode, blk *wire.MsgBlock, txids []chainhash.Hash,
	view *UtxoViewpoint, write bool, checker *scriptChecker) (*blockUndo, error) {
	height := node.height
	prev := node.parent
	params := c.params
	txs := blk.Transactions

	mtp := medianTimePast(prev)
	nIn := 0
	for _, t := range txs[1:] {
		nIn += len(t.TxIn)
	}
	undo := &blockUndo{spent: make([]*UtxoEntry, 0, nIn)}
	reg := newRegistry(tx)
	prevs := make([][]*UtxoEntry, len(txs))
	prevSlab := make([]*UtxoEntry, nIn) // prevs[i] are windows on it
	var fees int64
	sigOpCost := 0
	for i, t := range txs {
		// BIP30: no transaction may overwrite an unspent output. Checked
		// per transaction, before its inputs, rather than for the whole
		// block up front, so script checks can start at once (a block
		// breaking several rules may report a different one than Core).
		for j := range t.TxOut {
			op := wire.OutPoint{Hash: txids[i], Index: uint32(j)}
			e, err := c.loadEntry(tx, view, op)
			if err != nil {
				return nil, err
			}
			if e != nil {
				return nil, ruleError(ErrOverwriteTx, "transaction %v overwrites unspent output %v", txids[i], op)
			}
		}
		if i > 0 {
			prevs[i], prevSlab = prevSlab[:len(t.TxIn):len(t.TxIn)], prevSlab[len(t.TxIn):]
			for j, in := range t.TxIn {
				op := in.PreviousOutPoint
				e, err := c.loadEntry(tx, view, op)
				if err != nil {
					return nil, err
				}
				if e == nil {
					if old, ok := view.lookup(op); ok && old.IsSpent() {
						return nil, ruleError(ErrDoubleSpendInBlock, "transaction %v input %d: output %v already spent in this block", txids[i], j, op)
					}
					return nil, ruleError(ErrMissingTxOut, "transaction %v input %d: output %v missing or spent", txids[i], j, op)
				}
				prevs[i][j] = e
			}
			fee, err := CheckTransactionInputs(t, height, view, params)
			if err != nil {
				return nil, prefixRule(err, "transaction "+txids[i].String()+": ")
			}
			fees += fee
			if fees > MaxMoney {
				return nil, ruleError(ErrBadTxOutValue, "total fees exceed %d", MaxMoney)
			}
			lock, err := c.calcSequenceLock(prev, t, view, false)
			if err != nil {
				return nil, err
			}
			if !SequenceLockActive(lock, height, mtp) {
				return nil, ruleError(ErrSequenceLocked, "transaction %v is sequence-locked until height %d / time %d",
					txids[i], lock.BlockHeight, lock.Seconds)
			}
		}
		if err := c.checkGameTx(reg, t, txids[i], i, prevs[i], height); err != nil {
			return nil, err
		}
		cost, err := GetSigOpCost(t, view, script.ConsensusFlags)
		if err != nil {
			return nil, err
		}
		sigOpCost += cost
		if sigOpCost > MaxBlockSigOpsCost {
			return nil, ruleError(ErrTooManySigOps, "block sigop cost exceeds %d", MaxBlockSigOpsCost)
		}
		if i > 0 {
			checker.add(t, prevs[i])
			for j, in := range t.TxIn {
				spent := *prevs[i][j]
				spent.state = 0
				undo.spent = append(undo.spent, &spent)
				view.SpendEntry(in.PreviousOutPoint)
			}
		}
		view.addTxOuts(t, txids[i], height)
	}

	var cbOut int64
	for _, out := range txs[0].TxOut {
		cbOut += out.Value
	}
	if limit := params.Subsidy(height) + fees; cbOut > limit {
		return nil, ruleError(ErrBadCoinbaseValue, "coinbase pays %d, limit is subsidy plus fees %d", cbOut, limit)
	}

	if write {
		journal, err := reg.flush()
		if err != nil {
			return nil, fmt.Errorf("chain: write game registries: %w", err)
		}
		undo.game = journal
	}
	if hook := c.cfg.GameHook; hook != nil {
		if err := hook.CheckBlock(tx, blk, height, view); err != nil {
			return nil, gameError(err)
		}
		if write {
			g, err := hook.ConnectBlock(tx, blk, height, view)
			if err != nil {
				return nil, gameError(err)
			}
			undo.game = append(undo.game, g...)
		}
	}
	return undo, nil
}

func gameError(err error) error {
	var re RuleError
	switch {
	case errors.As(err, &re):
		return re
	case errors.Is(err, ErrGameRule):
		return RuleError{Kind: ErrGameRule, Description: "game rule: " + err.Error()}
	}
	// Anything else (a database or decoding failure in the game layer) is a
	// local fault, not a verdict on the block: the transaction rolls back and
	// the block is not marked invalid, so a node never splits off the network
	// because of its own I/O error.
	return fmt.Errorf("chain: game hook: %w", err)
}

func prefixRule(err error, prefix string) error {
	var re RuleError
	if errors.As(err, &re) {
		re.Description = prefix + re.Description
		return re
	}
	return err
}

// disconnectBlock reverts blk (at height, with its undo data) in view:
// its outputs are spent, the outputs it spent come back.
func disconnectBlock(view *UtxoViewpoint, blk *wire.MsgBlock, undo *blockUndo) error {
	k := len(undo.spent)
	for i := len(blk.Transactions) - 1; i >= 0; i-- {
		t := blk.Transactions[i]
		txid := t.TxHash()
		for j, out := range t.TxOut {
			if script.IsUnspendable(out.PkScript) {
				continue
			}
			view.SpendEntry(wire.OutPoint{Hash: txid, Index: uint32(j)})
		}
		if i == 0 {
			break
		}
		for j := len(t.TxIn) - 1; j >= 0; j-- {
			k--
			if k < 0 {
				return errors.New("chain: undo data shorter than the block's inputs")
			}
			e := *undo.spent[k]
			view.AddEntry(t.TxIn[j].PreviousOutPoint, &e)
		}
	}
	if k != 0 {
		return errors.New("chain: undo data longer than the block's inputs")
	}
	return nil
}
