package wallet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Contracts (lib/game contract.go, docs/protocol.md "Contracts"): the
// wallet's side. Each account has one contract key (ContractKey, an
// address key of its receive chain, fixed at first use) that it hands to
// counterparties. As party A it publishes (PublishContract: picks plain
// coins for a_gold and A's fee, its props, builds the fulfil skeleton
// and signs every input SIGHASH_ALL|ANYONECANPAY, and signs the id); the
// coins and props committed are Reserved until the offer is fulfilled,
// withdrawn (WithdrawContract) or expires. As party B it accepts
// (SignContract), fulfils (FulfilContract: an exact-value coin made by an
// unconfirmed self-send broadcast first, its inputs added and signed
// SIGHASH_ALL), and claims with the preimage (ExecuteContract). Either
// party settles cooperatively (one builds and signs, the other co-signs
// the hex), A refunds after expiry.
//
// The wallet tracks every contract it is party to in the "contracts"
// bucket (schema version 3): published and signed from its own
// actions and the node's book (ContractBookEvent), withdrawn and
// expired from the book or the tip, and fulfilled, exchanged, refunded
// and settled from the blocks it processes — a block's fulfil record
// naming one of the wallet's keys creates the record, so a rescan (a
// restore from the mnemonic included) rebuilds the chain-derived states
// (doc.go, Contracts).

// Wallet contract states.
const (
	ContractPublished = "published"
	ContractSigned    = "signed"
	ContractFulfilled = "fulfilled"
	ContractExchanged = "exchanged"
	ContractRefunded  = "refunded"
	ContractSettled   = "settled"
	ContractExpired   = "expired"
	ContractWithdrawn = "withdrawn"
)

// ErrContractUnknown: the wallet is no party to the contract, or the
// node does not know it.
const ErrContractUnknown = ErrorKind("contract unknown")

// contractRecord is a tracked contract (JSON in the contracts bucket).
type contractRecord struct {
	Terms      []byte   `json:"terms"`
	AAccount   string   `json:"a_account,omitempty"` // set when the wallet is A
	BAccount   string   `json:"b_account,omitempty"` // set when the wallet is B
	State      string   `json:"state"`
	Reserved   []string `json:"reserved,omitempty"` // outpoints A committed
	Offer      []byte   `json:"offer,omitempty"`    // A's skeleton (A only)
	FulfilTxid string   `json:"fulfil_txid,omitempty"`
	Escrow     []string `json:"escrow,omitempty"` // the fulfil's escrow outpoints
	SettleTxid string   `json:"settle_txid,omitempty"`
	Height     int32    `json:"height"` // of the last chain-derived change
	Preimage   []byte   `json:"preimage,omitempty"`
}

// ContractInfo is a contract the wallet is party to.
type ContractInfo struct {
	ID         game.ID
	Terms      game.Terms
	Role       string // "A", "B" or "AB" (both parties are accounts of this wallet)
	AAccount   string
	BAccount   string
	State      string
	Reserved   []wire.OutPoint
	FulfilTxid chainhash.Hash
	// Escrow lists the escrow outputs of the fulfil (the gold escrow,
	// then one carrier per a_prop; none for a swap): what the execute
	// spends.
	Escrow     []wire.OutPoint
	SettleTxid chainhash.Hash
	Height     int32
	Preimage   []byte
}

// ContractOffer is what PublishContract built: the book's entry.
type ContractOffer struct {
	ID    game.ID
	Terms game.Terms
	ASig  []byte
	Tx    *wire.MsgTx
	Fee   amount.Amount // A's contribution to the fulfil's fee
}

// ContractSpec is what party A asks for; the wallet fills a_key.
type ContractSpec struct {
	BKey   []byte
	AGold  int64
	AProps []game.ID
	BGold  int64
	BProps []game.ID
	Memo   string
	Hash   []byte
	Expiry uint32
	Nonce  uint64
	// BPropGold gives the gold of B's props (from the chain's registry):
	// A's skeleton commits to their carriers.
	BPropGold map[game.ID]int64
}

// EscrowCoin is one escrow output of a fulfilled contract (from the
// chain's registry and UTXO set): the GG escrow or a prop carrier.
type EscrowCoin struct {
	OutPoint wire.OutPoint
	Value    int64
	Prop     game.ID // zero for the GG escrow
}

// ExecuteRequest settles a fulfilled escrow.
type ExecuteRequest struct {
	Terms  game.Terms
	Escrow []EscrowCoin
	Path   game.ContractPath
	// Preimage is B's secret (claim).
	Preimage []byte
	// CoopTx is the other party's half-signed cooperative settlement to
	// co-sign and broadcast; nil builds and signs a new one (returned
	// unsent, for the other party).
	CoopTx *wire.MsgTx
	// PayTo receives the escrow (nil: a new address of the account).
	PayTo []byte
}

func contractKeyMeta(acct uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte("contractkey/"), acct)
}

// ContractKey returns the account's contract public key (compressed),
// deriving it at first use.
func (w *Wallet) ContractKey(account string) ([]byte, error) {
	var key []byte
	err := w.update(func(tx *store.Tx) error {
		acct, err := accountByName(tx, account)
		if err != nil {
			return err
		}
		if acct.Kind == kindXpub {
			return fmt.Errorf("%w: %q", ErrWatchOnly, acct.Name)
		}
		var kerr error
		key, kerr = w.contractKeyTx(tx, acct)
		return kerr
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: contract key: %w", err)
	}
	return key, nil
}

func (w *Wallet) contractKeyTx(tx *store.Tx, acct *accountRecord) ([]byte, error) {
	meta := tx.Bucket(bktMeta)
	if v := meta.Get(contractKeyMeta(acct.Number)); len(v) == game.PubKeySize {
		return bytes.Clone(v), nil
	}
	a, err := w.newAddressTx(tx, acct, BranchReceive)
	if err != nil {
		return nil, err
	}
	ar, err := getAddr(tx, a.PkScript())
	if err != nil {
		return nil, err
	}
	if ar == nil || len(ar.PubKey) != game.PubKeySize {
		return nil, fmt.Errorf("%w: no compressed key for the contract key", ErrCorrupt)
	}
	if err := meta.Put(contractKeyMeta(acct.Number), ar.PubKey); err != nil {
		return nil, err
	}
	return bytes.Clone(ar.PubKey), nil
}

// ownKeyAccount reports the account owning the compressed key pub (any
// key of the wallet: derived, within the lookahead, or imported), ""
// if none.
func ownKeyAccount(tx *store.Tx, pub []byte) (string, error) {
	_, a, err := ownKey(tx, pub)
	if err != nil || a == nil {
		return "", err
	}
	return a.Name, nil
}

func ownKey(tx *store.Tx, pub []byte) (*addrRecord, *accountRecord, error) {
	ar, err := getAddr(tx, game.P2WPKHOf(pub))
	if err != nil || ar == nil || !bytes.Equal(ar.PubKey, pub) {
		return nil, nil, err
	}
	a, err := getAccount(tx, ar.Account)
	if err != nil {
		return nil, nil, err
	}
	return ar, a, nil
}

// contractParty is ownKeyAccount for a key a fulfil record names: when
// the wallet owns it, its address is marked used (which extends the
// lookahead and lets account discovery go past an account whose only
// use is a contract) and, if the account has no contract key yet (a
// wallet restored from its mnemonic), it becomes the account's contract
// key, so the restored wallet signs and executes as that party again.
func (w *Wallet) contractParty(tx *store.Tx, pub []byte) (string, error) {
	ar, a, err := ownKey(tx, pub)
	if err != nil || a == nil {
		return "", err
	}
	if err := w.markUsedTx(tx, game.P2WPKHOf(pub), ar); err != nil {
		return "", err
	}
	meta := tx.Bucket(bktMeta)
	if ar.Branch != BranchImported && meta.Get(contractKeyMeta(a.Number)) == nil {
		if err := meta.Put(contractKeyMeta(a.Number), bytes.Clone(pub)); err != nil {
			return "", err
		}
	}
	return a.Name, nil
}

// ownsKey reports whether account (not watch-only) owns pub, a key a
// contract names for the party it acts as: its contract key, or an
// earlier one (a restored wallet that handed out a new contract key
// before its rescan found the contract).
func (w *Wallet) ownsKey(account string, pub []byte) (bool, error) {
	var ok bool
	err := w.view(func(tx *store.Tx) error {
		acct, err := accountByName(tx, account)
		if err != nil {
			return err
		}
		if acct.Kind == kindXpub {
			return fmt.Errorf("%w: %q", ErrWatchOnly, acct.Name)
		}
		owner, err := ownKeyAccount(tx, pub)
		ok = owner == acct.Name
		return err
	})
	return ok, err
}

// signHash signs hash (32 bytes) with the wallet's key for pub: a DER
// ECDSA signature.
func (w *Wallet) signHash(pub, hash []byte) ([]byte, error) {
	priv, err := w.keyFor(pub)
	if err != nil {
		return nil, err
	}
	return ecdsa.Sign(priv, hash).Serialize(), nil
}

func (w *Wallet) keyFor(pub []byte) (*btcec.PrivateKey, error) {
	if w.IsLocked() {
		return nil, ErrLocked
	}
	priv, _, err := w.privKey(script.Hash160(pub))
	if err != nil {
		return nil, err
	}
	return priv, nil
}

func getContract(tx *store.Tx, id game.ID) (*contractRecord, error) {
	v := tx.Bucket(bktContracts).Get(id[:])
	if v == nil {
		return nil, nil
	}
	r := &contractRecord{}
	if err := json.Unmarshal(v, r); err != nil {
		return nil, fmt.Errorf("%w: contract %s: %v", ErrCorrupt, id, err)
	}
	return r, nil
}

func putContract(tx *store.Tx, id game.ID, r *contractRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bktContracts).Put(id[:], v)
}

// setReserved sets or clears the reserved flag of the coins ops.
func setReserved(tx *store.Tx, ops []string, on bool) error {
	for _, s := range ops {
		op, err := wire.ParseOutPoint(s)
		if err != nil {
			continue
		}
		c, err := getCoin(tx, op)
		if err != nil {
			return err
		}
		if c == nil {
			continue
		}
		if on {
			c.Flags |= coinFlagReserved
		} else {
			c.Flags &^= coinFlagReserved
		}
		if err := putCoin(tx, op, c); err != nil {
			return err
		}
	}
	return nil
}

// endContract moves r to a final off-chain state (withdrawn, expired),
// releasing A's reservations.
func endContract(tx *store.Tx, id game.ID, r *contractRecord, state string) error {
	if r.State != ContractPublished && r.State != ContractSigned {
		return nil
	}
	if err := setReserved(tx, r.Reserved, false); err != nil {
		return err
	}
	r.State = state
	return putContract(tx, id, r)
}

func toInfo(id game.ID, r *contractRecord) ContractInfo {
	ci := ContractInfo{ID: id, AAccount: r.AAccount, BAccount: r.BAccount, State: r.State, Height: r.Height,
		Preimage: r.Preimage}
	if t, err := game.DecodeTerms(r.Terms); err == nil {
		ci.Terms = *t
	}
	switch {
	case r.AAccount != "" && r.BAccount != "":
		ci.Role = "AB"
	case r.AAccount != "":
		ci.Role = "A"
	default:
		ci.Role = "B"
	}
	for _, s := range r.Reserved {
		if op, err := wire.ParseOutPoint(s); err == nil {
			ci.Reserved = append(ci.Reserved, op)
		}
	}
	for _, s := range r.Escrow {
		if op, err := wire.ParseOutPoint(s); err == nil {
			ci.Escrow = append(ci.Escrow, op)
		}
	}
	if h, err := chainhash.NewHashFromStr(r.FulfilTxid); err == nil && r.FulfilTxid != "" {
		ci.FulfilTxid = h
	}
	if h, err := chainhash.NewHashFromStr(r.SettleTxid); err == nil && r.SettleTxid != "" {
		ci.SettleTxid = h
	}
	return ci
}

// Contracts lists the contracts the wallet is party to (account: one of
// the parties' accounts; AllAccounts: every one), in id order.
func (w *Wallet) Contracts(account string) ([]ContractInfo, error) {
	var out []ContractInfo
	err := w.view(func(tx *store.Tx) error {
		return tx.Bucket(bktContracts).ForEach(func(k, v []byte) error {
			r := &contractRecord{}
			if err := json.Unmarshal(v, r); err != nil {
				return fmt.Errorf("%w: contract %x: %v", ErrCorrupt, k, err)
			}
			if account != AllAccounts && r.AAccount != account && r.BAccount != account {
				return nil
			}
			out = append(out, toInfo(game.ID(k), r))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: contracts: %w", err)
	}
	return out, nil
}

// Contract returns the contract id the wallet is party to
// (ErrContractUnknown if none).
func (w *Wallet) Contract(id game.ID) (*ContractInfo, error) {
	var ci *ContractInfo
	err := w.view(func(tx *store.Tx) error {
		r, err := getContract(tx, id)
		if err != nil || r == nil {
			return err
		}
		i := toInfo(id, r)
		ci = &i
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: contract: %w", err)
	}
	if ci == nil {
		return nil, fmt.Errorf("wallet: contract %s: %w", id, ErrContractUnknown)
	}
	return ci, nil
}

// PublishContract builds party A's offer for spec from account o.Account:
// its contract key as a_key, plain coins for a_gold and A's share of
// the fee (the skeleton's size), its props, A's change and a new address
// for B's payment, every input signed SIGHASH_ALL|ANYONECANPAY, and A's
// signature over the id. Unless o.DryRun, submit (the node's book) is
// called with the offer and, once it accepted it, the coins and props
// are reserved and the contract recorded as published.
func (w *Wallet) PublishContract(ctx context.Context, o GameOptions, spec ContractSpec, submit func(*ContractOffer) error) (*ContractOffer, error) {
	fail := func(err error) (*ContractOffer, error) { return nil, fmt.Errorf("wallet: publish contract: %w", err) }
	if w.IsLocked() {
		return fail(ErrLocked)
	}
	if o.Account == AllAccounts {
		return fail(fmt.Errorf("%w: name one account", ErrInvalidArgument))
	}
	if spec.AGold < 0 || spec.BGold < 0 {
		return fail(fmt.Errorf("%w: negative amount", ErrInvalidArgument))
	}
	rate, err := w.feeRate(ctx, o.txOptions())
	if err != nil {
		return fail(err)
	}
	w.sendMu.Lock()
	defer w.sendMu.Unlock()
	var (
		off      *ContractOffer
		reserved []string
		aAcct    string
		prevOuts []*wire.TxOut
	)
	err = w.update(func(tx *store.Tx) error {
		acct, err := accountByName(tx, o.Account)
		if err != nil {
			return err
		}
		if acct.Kind == kindXpub {
			return fmt.Errorf("%w: %q", ErrWatchOnly, acct.Name)
		}
		aAcct = acct.Name
		akey, err := w.contractKeyTx(tx, acct)
		if err != nil {
			return err
		}
		t := game.Terms{AKey: akey, BKey: spec.BKey, AGold: uint64(spec.AGold), AProps: slices.Clone(spec.AProps),
			BGold: uint64(spec.BGold), BProps: slices.Clone(spec.BProps), Memo: spec.Memo, Hash: spec.Hash,
			Expiry: spec.Expiry, Nonce: spec.Nonce}
		game.CanonicalizeTerms(&t)
		if err := game.CheckTerms(&t); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidArgument, err)
		}
		g := &gameBuild{tx: wire.NewMsgTx(2)}
		objs := make([]game.Object, len(t.AProps))
		for i, p := range t.AProps {
			objs[i] = game.Object{Kind: game.KindProp, ID: p}
		}
		cs, err := w.findObjects(tx, acct, objs)
		if err != nil {
			return err
		}
		gold := map[game.ID]int64{}
		var preset int64
		for i, c := range cs {
			g.spend(c)
			gold[t.AProps[i]] = c.c.Value
			preset += c.c.Value
		}
		rec := &game.ContractFulfil{Terms: t}
		if t.BGold > 0 || len(t.BProps) > 0 {
			if rec.AReceiveScript, err = w.newAddr(tx, acct); err != nil {
				return err
			}
		}
		change, err := w.newAddressTx(tx, acct, BranchChange)
		if err != nil {
			return err
		}
		// Size with a change output (the record's change fields are
		// fixed-size), to fund; without change the fee is a little more.
		rec.AChangeScript, rec.AChangeValue = change.PkScript(), 1
		for id, v := range spec.BPropGold {
			if _, ok := gold[id]; !ok {
				gold[id] = v
			}
		}
		goldOf := func(id game.ID) (int64, error) {
			if v, ok := gold[id]; ok {
				return v, nil
			}
			return 0, fmt.Errorf("%w: prop %s: its gold is not known (B's props must be live on chain)", ErrInvalidArgument, id)
		}
		outs, err := game.FulfilOutputs(rec, goldOf)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidArgument, err)
		}
		var target int64
		base := int64(txOverheadVSize) + int64(len(g.tx.TxIn))*p2wpkhInputVSize
		for _, out := range outs {
			base += outputVSize(out.PkScript)
		}
		// B's payment outputs are not A's to fund: A funds a_gold, the
		// carriers of its props (preset) and the fee.
		target = int64(t.AGold) + preset
		if err := w.scanAccount(tx, acct, g); err != nil {
			return err
		}
		req := selectRequest{target: target, baseVSize: base, nPreset: len(g.tx.TxIn), nOutputs: len(outs), preset: preset, rate: rate}
		sel, err := selectSpendable(g.scan.confirmed, g.scan.unconf, g.scan.pending, req)
		if err != nil {
			return err
		}
		for _, c := range sel.coins {
			g.tx.AddTxIn(&wire.TxIn{PreviousOutPoint: c.op, Sequence: wire.MaxTxInSequenceNum})
			g.prevOuts = append(g.prevOuts, &wire.TxOut{Value: c.value, PkScript: c.pkScript})
		}
		if sel.change > 0 {
			rec.AChangeValue = uint64(sel.change)
		} else {
			rec.AChangeScript, rec.AChangeValue = nil, 0
		}
		if outs, err = game.FulfilOutputs(rec, goldOf); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidArgument, err)
		}
		g.tx.TxOut = outs
		for _, in := range g.tx.TxIn {
			in.Sequence = wire.MaxTxInSequenceNum
			reserved = append(reserved, in.PreviousOutPoint.String())
		}
		id, err := game.ContractID(&t)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidArgument, err)
		}
		if old, err := getContract(tx, id); err != nil || old != nil {
			if err == nil {
				err = fmt.Errorf("%w: contract %s exists already (%s); change the nonce", ErrInvalidArgument, id, old.State)
			}
			return err
		}
		off = &ContractOffer{ID: id, Terms: t, Tx: g.tx, Fee: amount.Amount(sel.fee)}
		prevOuts = g.prevOuts
		return nil
	})
	if err == nil {
		// Signing reads the key store: outside the update.
		hashes := script.NewSigHashes(off.Tx)
		for i, po := range prevOuts {
			complete, serr := w.SignInput(off.Tx, i, po.PkScript, po.Value, script.SigHashAll|script.SigHashAnyoneCanPay, hashes)
			if serr == nil && !complete {
				serr = fmt.Errorf("input %d: signature incomplete", i)
			}
			if serr != nil {
				err = serr
				break
			}
		}
	}
	if err == nil {
		off.ASig, err = w.signHash(off.Terms.AKey, off.ID[:])
	}
	if err != nil {
		return fail(err)
	}
	if o.DryRun {
		return off, nil
	}
	if submit != nil {
		if err := submit(off); err != nil {
			return fail(err)
		}
	}
	err = w.update(func(tx *store.Tx) error {
		if err := setReserved(tx, reserved, true); err != nil {
			return err
		}
		enc, err := game.EncodeTerms(&off.Terms)
		if err != nil {
			return err
		}
		r, err := getContract(tx, off.ID)
		if err != nil {
			return err
		}
		if r == nil {
			r = &contractRecord{Terms: enc, State: ContractPublished}
		}
		r.AAccount, r.Reserved, r.Offer = aAcct, reserved, off.Tx.AppendTo(nil)
		return putContract(tx, off.ID, r)
	})
	if err != nil {
		return fail(err)
	}
	return off, nil
}

// SignContract is B's acceptance of terms t from account: the contract
// key of the account must be b_key. It returns B's signature over the id
// and records the contract as signed.
func (w *Wallet) SignContract(account string, t *game.Terms) ([]byte, error) {
	fail := func(err error) ([]byte, error) { return nil, fmt.Errorf("wallet: sign contract: %w", err) }
	id, err := game.ContractID(t)
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrInvalidArgument, err))
	}
	isB, err := w.ownsKey(account, t.BKey)
	if err != nil {
		return fail(err)
	}
	if !isB {
		return fail(fmt.Errorf("%w: the contract's b_key is not a key of account %q (give A its contract key)", ErrInvalidArgument, account))
	}
	sig, err := w.signHash(t.BKey, id[:])
	if err != nil {
		return fail(err)
	}
	err = w.update(func(tx *store.Tx) error {
		r, err := getContract(tx, id)
		if err != nil {
			return err
		}
		if r == nil {
			enc, _ := game.EncodeTerms(t)
			r = &contractRecord{Terms: enc, State: ContractSigned}
		}
		r.BAccount = account
		if r.State == ContractPublished {
			r.State = ContractSigned
		}
		return putContract(tx, id, r)
	})
	if err != nil {
		return fail(err)
	}
	return sig, nil
}

// WithdrawSig is A's signature withdrawing offer t (over
// SHA256("withdraw" ‖ id)).
func (w *Wallet) WithdrawSig(t *game.Terms) ([]byte, error) {
	id, err := game.ContractID(t)
	if err != nil {
		return nil, fmt.Errorf("wallet: withdraw contract: %w: %v", ErrInvalidArgument, err)
	}
	h := sha256.Sum256(append([]byte("withdraw"), id[:]...))
	sig, err := w.signHash(t.AKey, h[:])
	if err != nil {
		return nil, fmt.Errorf("wallet: withdraw contract: %w", err)
	}
	return sig, nil
}

// ContractBookEvent applies a change of the node's book to a tracked
// contract: "signed", "withdrawn" and "expired" (the latter two release
// A's reservations). Other kinds and unknown contracts are ignored.
func (w *Wallet) ContractBookEvent(id game.ID, kind string) {
	err := w.update(func(tx *store.Tx) error {
		r, err := getContract(tx, id)
		if err != nil || r == nil {
			return err
		}
		switch kind {
		case "signed":
			if r.State == ContractPublished {
				r.State = ContractSigned
				return putContract(tx, id, r)
			}
		case "withdrawn":
			return endContract(tx, id, r, ContractWithdrawn)
		case "expired":
			return endContract(tx, id, r, ContractExpired)
		}
		return nil
	})
	if err != nil {
		w.log.Error("contract book event", "id", id, "kind", kind, "err", err)
	}
}

// contractsBlock updates the tracked contracts from block b: fulfil and
// execute records (a fulfil naming one of the wallet's keys starts
// tracking), and offers whose expiry the next height reaches.
func (w *Wallet) contractsBlock(tx *store.Tx, b *Block) error {
	for _, t := range b.Txs {
		rec, _, err := game.FindRecord(t)
		if err != nil || rec == nil {
			continue
		}
		switch r := rec.(type) {
		case *game.ContractFulfil:
			id, err := game.ContractID(&r.Terms)
			if err != nil {
				continue
			}
			cr, err := getContract(tx, id)
			if err != nil {
				return err
			}
			// The parties' accounts, from the keys the record names:
			// a record the wallet lost (a restore from the mnemonic, or
			// an account discovered since) is rebuilt here.
			aAcct, err := w.contractParty(tx, r.Terms.AKey)
			if err != nil {
				return err
			}
			bAcct, err := w.contractParty(tx, r.Terms.BKey)
			if err != nil {
				return err
			}
			if cr == nil {
				if aAcct == "" && bAcct == "" {
					continue
				}
				enc, _ := game.EncodeTerms(&r.Terms)
				cr = &contractRecord{Terms: enc}
			}
			if cr.AAccount == "" {
				cr.AAccount = aAcct
			}
			if cr.BAccount == "" {
				cr.BAccount = bAcct
			}
			if cr.SettleTxid != "" {
				continue // a rescan of an earlier block
			}
			cr.State = ContractFulfilled
			if r.Terms.IsSwap() {
				cr.State = ContractExchanged
			}
			cr.FulfilTxid, cr.Height = t.TxHash().String(), b.Height
			cr.Escrow = escrowOutPoints(t, &r.Terms)
			if err := putContract(tx, id, cr); err != nil {
				return err
			}
		case *game.ContractExecute:
			cr, err := getContract(tx, r.Contract)
			if err != nil {
				return err
			}
			if cr == nil {
				continue
			}
			switch r.Path {
			case game.PathClaim:
				cr.State = ContractExchanged
				terms, _ := game.DecodeTerms(cr.Terms)
				for _, in := range t.TxIn {
					if len(in.Witness) == 4 && terms != nil {
						if p, err := game.EscrowPath(in.Witness, terms); err == nil && p == game.PathClaim {
							cr.Preimage = bytes.Clone(in.Witness[1])
							break
						}
					}
				}
			case game.PathRefund:
				cr.State = ContractRefunded
			case game.PathCoop:
				cr.State = ContractSettled
			}
			cr.SettleTxid, cr.Height = t.TxHash().String(), b.Height
			if err := putContract(tx, r.Contract, cr); err != nil {
				return err
			}
		}
	}
	bk := tx.Bucket(bktContracts)
	type exp struct {
		id game.ID
		r  *contractRecord
	}
	var expired []exp
	err := bk.ForEach(func(k, v []byte) error {
		r := &contractRecord{}
		if err := json.Unmarshal(v, r); err != nil {
			return nil
		}
		if r.State != ContractPublished && r.State != ContractSigned {
			return nil
		}
		t, err := game.DecodeTerms(r.Terms)
		if err == nil && int64(t.Expiry) <= int64(b.Height)+1 {
			expired = append(expired, exp{game.ID(k), r})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range expired {
		if err := endContract(tx, e.id, e.r, ContractExpired); err != nil {
			return err
		}
	}
	return nil
}

// escrowOutPoints lists the outputs of fulfil transaction t paying the
// escrow of terms (none for a swap).
func escrowOutPoints(t *wire.MsgTx, terms *game.Terms) []string {
	if terms.IsSwap() {
		return nil
	}
	pk, err := game.EscrowPkScript(terms)
	if err != nil {
		return nil
	}
	id := t.TxHash()
	var ops []string
	for i, out := range t.TxOut {
		if bytes.Equal(out.PkScript, pk) {
			ops = append(ops, wire.OutPoint{Hash: id, Index: uint32(i)}.String())
		}
	}
	return ops
}

// contractsUndo reverts what contractsBlock derived from block b, which
// is leaving the chain (a reorg): a contract fulfilled in it is signed
// again (its fulfil back in the mempool or gone), one settled in it is
// fulfilled again. Offers that expired with it stay expired (their
// coins were released; a new offer is needed).
func (w *Wallet) contractsUndo(tx *store.Tx, b *Block) error {
	for i := len(b.Txs) - 1; i >= 0; i-- {
		t := b.Txs[i]
		rec, _, err := game.FindRecord(t)
		if err != nil || rec == nil {
			continue
		}
		id := t.TxHash().String()
		switch r := rec.(type) {
		case *game.ContractFulfil:
			cid, err := game.ContractID(&r.Terms)
			if err != nil {
				continue
			}
			cr, err := getContract(tx, cid)
			if err != nil || cr == nil || cr.FulfilTxid != id || cr.SettleTxid != "" {
				if err != nil {
					return err
				}
				continue
			}
			cr.State, cr.Height, cr.Escrow = ContractSigned, 0, nil
			if err := putContract(tx, cid, cr); err != nil {
				return err
			}
		case *game.ContractExecute:
			cr, err := getContract(tx, r.Contract)
			if err != nil {
				return err
			}
			if cr == nil || cr.SettleTxid != id {
				continue
			}
			cr.State, cr.SettleTxid, cr.Preimage = ContractFulfilled, "", nil
			if err := putContract(tx, r.Contract, cr); err != nil {
				return err
			}
		}
	}
	return nil
}

// FulfilContract is B's fulfilment of a signed offer: skeleton is A's
// partially signed fulfil transaction from the book. If B gives GG or
// props, B first makes an exact-value coin (b_gold plus the fee of B's
// inputs) by a self-send it broadcasts, then adds it and its prop coins
// as inputs signed SIGHASH_ALL. Unless DryRun it broadcasts the
// fulfilment (after the self-send) and records it. The returned GameTx
// is the fulfilment; pre is the self-send (nil if none).
func (w *Wallet) FulfilContract(ctx context.Context, o GameOptions, skeleton *wire.MsgTx) (res *GameTx, pre *wire.MsgTx, err error) {
	fail := func(err error) (*GameTx, *wire.MsgTx, error) {
		return nil, nil, fmt.Errorf("wallet: fulfil contract: %w", err)
	}
	if w.IsLocked() {
		return fail(ErrLocked)
	}
	rec, _, ferr := game.FindRecord(skeleton)
	f, ok := rec.(*game.ContractFulfil)
	if ferr != nil || !ok {
		return fail(fmt.Errorf("%w: not a contract fulfil transaction", ErrInvalidArgument))
	}
	t := &f.Terms
	id, err := game.ContractID(t)
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrInvalidArgument, err))
	}
	isB, err := w.ownsKey(o.Account, t.BKey)
	if err != nil {
		return fail(err)
	}
	if !isB {
		return fail(fmt.Errorf("%w: the contract's b_key is not a key of account %q (give A its contract key)", ErrInvalidArgument, o.Account))
	}
	c := w.chainClient()
	if c == nil && !o.DryRun {
		return fail(fmt.Errorf("%w: no chain client (call Start first)", ErrInvalidArgument))
	}
	ftx := skeleton.Copy()
	var prevOuts []*wire.TxOut
	for range ftx.TxIn {
		prevOuts = append(prevOuts, nil)
	}
	rate, err := w.feeRate(ctx, o.txOptions())
	if err != nil {
		return fail(err)
	}
	if t.BGold > 0 || len(t.BProps) > 0 {
		nIn := 1 + len(t.BProps)
		feeB := max(feeFor(int64(nIn)*p2wpkhInputVSize, rate), 1000)
		exact := int64(t.BGold) + feeB
		// B's props.
		if len(t.BProps) > 0 {
			objs := make([]game.Object, len(t.BProps))
			for i, p := range t.BProps {
				objs[i] = game.Object{Kind: game.KindProp, ID: p}
			}
			var cs []ownedCoin
			err := w.view(func(tx *store.Tx) error {
				acct, err := accountByName(tx, o.Account)
				if err != nil {
					return err
				}
				cs, err = w.findObjects(tx, acct, objs)
				return err
			})
			if err != nil {
				return fail(err)
			}
			for _, cc := range cs {
				ftx.AddTxIn(&wire.TxIn{PreviousOutPoint: cc.op, Sequence: wire.MaxTxInSequenceNum})
				prevOuts = append(prevOuts, &wire.TxOut{Value: cc.c.Value, PkScript: cc.c.PkScript})
			}
		}
		addr, err := w.NewAddress(o.Account, false)
		if err != nil {
			return fail(err)
		}
		pk := addr.PkScript()
		if o.DryRun {
			fd, err := w.CreateTx(ctx, o.Account, []*wire.TxOut{{Value: exact, PkScript: pk}}, o.txOptions())
			if err != nil {
				return fail(err)
			}
			pre = fd.Tx
		} else {
			fd, err := w.Send(ctx, o.Account, []*wire.TxOut{{Value: exact, PkScript: pk}}, o.txOptions())
			if err != nil {
				return fail(fmt.Errorf("exact-value coin: %w", err))
			}
			pre = fd.Tx
		}
		pid := pre.TxHash()
		vout := -1
		for i, out := range pre.TxOut {
			if out.Value == exact && bytes.Equal(out.PkScript, pk) {
				vout = i
				break
			}
		}
		if vout < 0 {
			return fail(fmt.Errorf("exact-value coin not found in %s", pid))
		}
		ftx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: pid, Index: uint32(vout)}, Sequence: wire.MaxTxInSequenceNum})
		prevOuts = append(prevOuts, &wire.TxOut{Value: exact, PkScript: pk})
	}
	hashes := script.NewSigHashes(ftx)
	for i, po := range prevOuts {
		if po == nil {
			continue
		}
		complete, err := w.SignInput(ftx, i, po.PkScript, po.Value, script.SigHashAll, hashes)
		if err != nil {
			return fail(err)
		}
		if !complete {
			return fail(fmt.Errorf("input %d: signature incomplete", i))
		}
	}
	res = &GameTx{Tx: ftx, TxID: ftx.TxHash()}
	if o.DryRun {
		return res, pre, nil
	}
	if err := c.Broadcast(ctx, ftx); err != nil {
		return nil, pre, fmt.Errorf("wallet: fulfil contract: broadcast %s: %w", res.TxID, err)
	}
	res.Sent = true
	err = w.update(func(tx *store.Tx) error {
		if _, err := w.addTx(tx, ftx, nil); err != nil {
			return err
		}
		r, err := getContract(tx, id)
		if err != nil {
			return err
		}
		if r == nil {
			enc, _ := game.EncodeTerms(t)
			r = &contractRecord{Terms: enc}
		}
		r.BAccount = o.Account
		if r.FulfilTxid == "" {
			r.FulfilTxid = res.TxID.String()
		}
		if r.State == "" || r.State == ContractPublished || r.State == ContractSigned {
			r.State = ContractSigned // fulfilled once mined
		}
		return putContract(tx, id, r)
	})
	if err != nil {
		return res, pre, fmt.Errorf("wallet: fulfil contract: %w", err)
	}
	return res, pre, nil
}

// escrowSigHash signs input idx of tx spending an escrow output of t.
func (w *Wallet) escrowSig(tx *wire.MsgTx, idx int, value int64, t *game.Terms, pub []byte, hashes *script.SigHashes) ([]byte, error) {
	ws, err := game.EscrowScript(t)
	if err != nil {
		return nil, err
	}
	h, err := script.CalcWitnessSignatureHash(ws, hashes, script.SigHashAll, tx, idx, value)
	if err != nil {
		return nil, err
	}
	priv, err := w.keyFor(pub)
	if err != nil {
		return nil, err
	}
	return append(ecdsa.Sign(priv, h).Serialize(), byte(script.SigHashAll)), nil
}

// ExecuteContract settles a fulfilled escrow from o.Account: a claim (B,
// with the preimage, below expiry), a refund (A, from expiry: nLockTime
// = expiry) or a cooperative settlement (req.CoopTx nil: build it and
// sign this party's half, returned unsent; else co-sign req.CoopTx and
// broadcast). The escrow's GG less the fee and every escrowed prop go to
// req.PayTo or a new address of the account.
func (w *Wallet) ExecuteContract(ctx context.Context, o GameOptions, req ExecuteRequest) (*GameTx, error) {
	fail := func(err error) (*GameTx, error) { return nil, fmt.Errorf("wallet: execute contract: %w", err) }
	if w.IsLocked() {
		return fail(ErrLocked)
	}
	t := &req.Terms
	id, err := game.ContractID(t)
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrInvalidArgument, err))
	}
	if t.IsSwap() {
		return fail(fmt.Errorf("%w: a swap settles at fulfil; there is nothing to execute", ErrInvalidArgument))
	}
	isA, err := w.ownsKey(o.Account, t.AKey)
	if err != nil {
		return fail(err)
	}
	isB, err := w.ownsKey(o.Account, t.BKey)
	if err != nil {
		return fail(err)
	}
	switch {
	case req.Path == game.PathClaim && !isB:
		return fail(fmt.Errorf("%w: only B (b_key) claims; b_key is not a key of account %q", ErrInvalidArgument, o.Account))
	case req.Path == game.PathRefund && !isA:
		return fail(fmt.Errorf("%w: only A (a_key) refunds; a_key is not a key of account %q", ErrInvalidArgument, o.Account))
	case req.Path == game.PathCoop && !isA && !isB:
		return fail(fmt.Errorf("%w: neither a_key nor b_key is a key of account %q", ErrInvalidArgument, o.Account))
	case req.Path == game.PathClaim && len(t.Hash) == 0:
		return fail(fmt.Errorf("%w: the contract has no hash lock: no claim path", ErrInvalidArgument))
	case req.Path == game.PathClaim:
		if len(req.Preimage) != game.PreimageSize {
			return fail(fmt.Errorf("%w: the secret is %d bytes; a claim needs exactly %d", ErrInvalidArgument, len(req.Preimage), game.PreimageSize))
		}
		if h := sha256.Sum256(req.Preimage); !bytes.Equal(h[:], t.Hash) {
			return fail(fmt.Errorf("%w: the secret does not hash to the contract's hash lock", ErrInvalidArgument))
		}
	}
	var (
		ftx        *wire.MsgTx
		funding    *wire.TxOut // the fee coin of a props-only escrow
		fundingIdx = -1
	)
	if req.CoopTx != nil {
		ftx = req.CoopTx.Copy()
		rec, _, err := game.FindRecord(ftx)
		ex, ok := rec.(*game.ContractExecute)
		if err != nil || !ok || ex.Contract != id || ex.Path != game.PathCoop {
			return fail(fmt.Errorf("%w: not a cooperative settlement of contract %s", ErrInvalidArgument, id))
		}
	} else {
		if len(req.Escrow) == 0 {
			return fail(fmt.Errorf("%w: contract %s has no unspent escrow", ErrInvalidArgument, id))
		}
		payTo := req.PayTo
		if payTo == nil {
			a, err := w.NewAddress(o.Account, false)
			if err != nil {
				return fail(err)
			}
			payTo = a.PkScript()
		}
		ftx = wire.NewMsgTx(2)
		ex := &game.ContractExecute{Contract: id, Path: req.Path}
		var gg int64
		for _, e := range req.Escrow {
			seq := wire.MaxTxInSequenceNum
			if req.Path == game.PathRefund {
				seq = wire.MaxTxInSequenceNum - 1
			}
			ftx.AddTxIn(&wire.TxIn{PreviousOutPoint: e.OutPoint, Sequence: seq})
			if e.Prop.IsZero() {
				gg += e.Value
			}
		}
		if req.Path == game.PathRefund {
			ftx.LockTime = t.Expiry
		}
		ftx.AddTxOut(&wire.TxOut{}) // the record, below
		ggOut := -1
		if gg > 0 {
			ftx.AddTxOut(&wire.TxOut{Value: gg, PkScript: payTo})
			ggOut = len(ftx.TxOut) - 1
		}
		for _, e := range req.Escrow {
			if !e.Prop.IsZero() {
				ftx.AddTxOut(&wire.TxOut{Value: e.Value, PkScript: payTo})
				ex.Moves = append(ex.Moves, game.PropMove{Prop: e.Prop, Out: uint32(len(ftx.TxOut) - 1)})
			}
		}
		recOut, err := game.RecordOutput(ex)
		if err != nil {
			return fail(fmt.Errorf("%w: %v", ErrInvalidArgument, err))
		}
		ftx.TxOut[0] = recOut
		// The fee from the GG escrow: size with dummy witnesses.
		ws, _ := game.EscrowScript(t)
		wit := int64(1 + 3*74 + 1 + 33 + 2 + 3 + len(ws))
		vsize := int64(txOverheadVSize) + int64(len(ftx.TxIn))*(41+(wit+3)/4)
		for _, out := range ftx.TxOut {
			vsize += outputVSize(out.PkScript)
		}
		rate, err := w.feeRate(ctx, o.txOptions())
		if err != nil {
			return fail(err)
		}
		fee := feeFor(vsize, rate)
		if ggOut < 0 {
			// Props only: a plain coin of the account pays the fee, its
			// change returns to the account.
			fee += feeFor(p2wpkhInputVSize+p2wpkhOutputVSize, rate)
			coin, err := w.feeCoin(o.Account, fee+1000)
			if err != nil {
				return fail(err)
			}
			change, err := w.NewAddress(o.Account, true)
			if err != nil {
				return fail(err)
			}
			ftx.AddTxIn(&wire.TxIn{PreviousOutPoint: coin.op, Sequence: ftx.TxIn[0].Sequence})
			ftx.AddTxOut(&wire.TxOut{Value: coin.value - fee, PkScript: change.PkScript()})
			funding = &wire.TxOut{Value: coin.value, PkScript: coin.pkScript}
			fundingIdx = len(ftx.TxIn) - 1
		} else {
			if gg-fee < 1000 {
				return fail(fmt.Errorf("%w: the escrow holds too little GG to pay the settlement's fee (%s GG)", ErrInvalidArgument, amount.Amount(fee)))
			}
			ftx.TxOut[ggOut].Value = gg - fee
		}
	}
	// Sign every escrow input.
	values := map[wire.OutPoint]int64{}
	for _, e := range req.Escrow {
		values[e.OutPoint] = e.Value
	}
	hashes := script.NewSigHashes(ftx)
	for i, in := range ftx.TxIn {
		v, ok := values[in.PreviousOutPoint]
		if i == fundingIdx {
			complete, err := w.SignInput(ftx, i, funding.PkScript, funding.Value, script.SigHashAll, hashes)
			if err == nil && !complete {
				err = fmt.Errorf("input %d: signature incomplete", i)
			}
			if err != nil {
				return fail(err)
			}
			continue
		}
		if !ok && req.CoopTx != nil && len(in.Witness) > 0 {
			continue // the builder's fee coin, signed already
		}
		if !ok {
			return fail(fmt.Errorf("%w: input %d is not an escrow output of contract %s", ErrInvalidArgument, i, id))
		}
		var wit wire.TxWitness
		switch req.Path {
		case game.PathClaim:
			sig, err := w.escrowSig(ftx, i, v, t, t.BKey, hashes)
			if err != nil {
				return fail(err)
			}
			wit, err = game.ClaimWitness(t, sig, req.Preimage)
			if err != nil {
				return fail(err)
			}
		case game.PathRefund:
			sig, err := w.escrowSig(ftx, i, v, t, t.AKey, hashes)
			if err != nil {
				return fail(err)
			}
			wit, err = game.RefundWitness(t, sig)
			if err != nil {
				return fail(err)
			}
		case game.PathCoop:
			var sigA, sigB []byte
			if req.CoopTx != nil && len(in.Witness) >= 3 {
				sigA, sigB = in.Witness[1], in.Witness[2]
			}
			mine := t.AKey
			if !isA {
				mine = t.BKey
			}
			sig, err := w.escrowSig(ftx, i, v, t, mine, hashes)
			if err != nil {
				return fail(err)
			}
			if isA {
				sigA = sig
			}
			if isB {
				if isA && req.CoopTx == nil {
					// Both parties in this wallet: sign as B too.
					if sigB, err = w.escrowSig(ftx, i, v, t, t.BKey, hashes); err != nil {
						return fail(err)
					}
				} else {
					sigB = sig
				}
			}
			if wit, err = game.CoopWitness(t, sigA, sigB); err != nil {
				return fail(err)
			}
		default:
			return fail(fmt.Errorf("%w: path %d", ErrInvalidArgument, req.Path))
		}
		in.Witness = wit
	}
	res := &GameTx{Tx: ftx, TxID: ftx.TxHash()}
	for _, e := range req.Escrow {
		if !e.Prop.IsZero() {
			res.Objects = append(res.Objects, game.Object{Kind: game.KindProp, ID: e.Prop})
		}
	}
	complete := true
	if req.Path == game.PathCoop {
		for _, in := range ftx.TxIn {
			if _, esc := values[in.PreviousOutPoint]; !esc {
				continue
			}
			if len(in.Witness) < 3 || len(in.Witness[1]) == 0 || len(in.Witness[2]) == 0 {
				complete = false
			}
		}
	}
	if o.DryRun || !complete {
		return res, nil
	}
	c := w.chainClient()
	if c == nil {
		return fail(fmt.Errorf("%w: no chain client (call Start first)", ErrInvalidArgument))
	}
	if err := c.Broadcast(ctx, ftx); err != nil {
		return nil, fmt.Errorf("wallet: execute contract: broadcast %s: %w", res.TxID, err)
	}
	res.Sent = true
	if err := w.update(func(tx *store.Tx) error {
		_, err := w.addTx(tx, ftx, nil)
		return err
	}); err != nil {
		return res, fmt.Errorf("wallet: execute contract: %w", err)
	}
	return res, nil
}

// feeCoin picks the smallest confirmed plain coin of account worth at
// least min.
func (w *Wallet) feeCoin(account string, min int64) (selCoin, error) {
	var best selCoin
	err := w.view(func(tx *store.Tx) error {
		acct, err := accountByName(tx, account)
		if err != nil {
			return err
		}
		g := &gameBuild{}
		if err := w.scanAccount(tx, acct, g); err != nil {
			return err
		}
		for _, c := range g.scan.confirmed {
			if c.value >= min && (best.value == 0 || c.value < best.value) {
				best = c
			}
		}
		return nil
	})
	if err != nil {
		return selCoin{}, err
	}
	if best.value == 0 {
		return selCoin{}, &InsufficientFundsError{Need: amount.Amount(min)}
	}
	return best, nil
}
