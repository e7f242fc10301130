package game

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// Limits of contract terms (consensus).
const (
	// MaxContractProps bounds the props each party gives (a_props,
	// b_props) and the moves of a ContractExecute.
	MaxContractProps = 100
	// MaxMemoLen bounds the memo of the terms, bytes.
	MaxMemoLen = 256
	// MaxContractScript bounds a_change_script and a_receive_script,
	// bytes (a P2WSH script is 34).
	MaxContractScript = 34
	// MinContractGold is the least non-zero a_gold or b_gold, dust.
	MinContractGold = 10_000
	// MaxExpiry bounds the expiry height: it must stay a height lock
	// (below the lock-time threshold 500,000,000) for CHECKLOCKTIMEVERIFY.
	MaxExpiry = 499_999_999
	// PubKeySize is the length of a compressed public key.
	PubKeySize = 33
)

// Terms are what parties A and B agree on. Their canonical encoding
// (EncodeTerms) is hashed into the contract id and carried by the
// ContractFulfil record.
type Terms struct {
	AKey   []byte // A's compressed secp256k1 public key (33 bytes)
	BKey   []byte // B's compressed public key (33 bytes)
	AGold  uint64 // dust A stakes (0 when A gives only props)
	AProps []ID   // props A gives, strictly ascending bytewise
	BGold  uint64 // dust B pays A on chain at fulfil (0: none)
	BProps []ID   // props B gives A on chain at fulfil, strictly ascending
	Memo   string // off-chain counter-performance, free text
	Hash   []byte // sha256 of the secret (32 bytes), or empty: no hash lock
	Expiry uint32 // height: fulfil and claim below it, refund from it
	Nonce  uint64 // freshness
}

// IsSwap reports whether t is a plain on-chain swap: no hash lock and B
// gives something on chain. A swap settles at fulfil; anything else is
// an escrow settled by a ContractExecute.
func (t *Terms) IsSwap() bool {
	return len(t.Hash) == 0 && (t.BGold > 0 || len(t.BProps) > 0)
}

// EncodeTerms returns the canonical encoding of t: a_key, b_key, a_gold
// u64, a_props (varint n, n ids), b_gold u64, b_props, memo str, hash
// (varint 0 or 32, bytes), expiry u32, nonce u64. It refuses what
// DecodeTerms would refuse (it does not apply CheckTerms).
func EncodeTerms(t *Terms) ([]byte, error) {
	if t == nil {
		return nil, ruleErr(CodeBadRecord, "nil terms")
	}
	return appendTerms(make([]byte, 0, 160+32*(len(t.AProps)+len(t.BProps))+len(t.Memo)), t)
}

func appendTerms(b []byte, t *Terms) ([]byte, error) {
	if len(t.AKey) != PubKeySize || len(t.BKey) != PubKeySize {
		return nil, ruleErr(CodeBadRecord, "terms keys of %d and %d bytes, want %d", len(t.AKey), len(t.BKey), PubKeySize)
	}
	b = append(b, t.AKey...)
	b = append(b, t.BKey...)
	b = binary.LittleEndian.AppendUint64(b, t.AGold)
	var err error
	if b, err = appendIDSet(b, "a_props", t.AProps); err != nil {
		return nil, err
	}
	b = binary.LittleEndian.AppendUint64(b, t.BGold)
	if b, err = appendIDSet(b, "b_props", t.BProps); err != nil {
		return nil, err
	}
	if b, err = appendStr(b, "memo", t.Memo, MaxMemoLen); err != nil {
		return nil, err
	}
	if len(t.Hash) != 0 && len(t.Hash) != 32 {
		return nil, ruleErr(CodeBadRecord, "hash lock of %d bytes, want 0 or 32", len(t.Hash))
	}
	b = appendVarint(b, uint64(len(t.Hash)))
	b = append(b, t.Hash...)
	b = binary.LittleEndian.AppendUint32(b, t.Expiry)
	return binary.LittleEndian.AppendUint64(b, t.Nonce), nil
}

func appendIDSet(b []byte, what string, ids []ID) ([]byte, error) {
	if len(ids) > MaxContractProps {
		return nil, ruleErr(CodeBadRecord, "%s has %d entries, at most %d", what, len(ids), MaxContractProps)
	}
	b = appendVarint(b, uint64(len(ids)))
	for i, id := range ids {
		if i > 0 && bytes.Compare(id[:], ids[i-1][:]) <= 0 {
			return nil, ruleErr(CodeBadRecord, "%s ids not in strictly ascending order at entry %d", what, i)
		}
		b = append(b, id[:]...)
	}
	return b, nil
}

// DecodeTerms parses encoded terms, accepting only the canonical form
// (minimal varints, ascending prop lists of at most MaxContractProps, a
// clean memo, a hash of 0 or 32 bytes, no trailing bytes). Errors are
// *RuleError with CodeBadRecord. DecodeTerms does not apply CheckTerms.
func DecodeTerms(b []byte) (*Terms, error) {
	d := &decoder{b: b}
	t := new(Terms)
	t.decode(d)
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, ruleErr(CodeBadRecord, "%d trailing bytes after the terms", len(d.b))
	}
	return t, nil
}

func (t *Terms) decode(d *decoder) {
	t.AKey = bytes.Clone(d.take(PubKeySize, "a_key"))
	t.BKey = bytes.Clone(d.take(PubKeySize, "b_key"))
	t.AGold = d.u64("a_gold")
	t.AProps = d.idSet("a_props")
	t.BGold = d.u64("b_gold")
	t.BProps = d.idSet("b_props")
	t.Memo = d.str("memo", MaxMemoLen)
	switch n := d.varint("hash length"); {
	case d.err != nil:
	case n == 0:
	case n == 32:
		t.Hash = bytes.Clone(d.take(32, "hash"))
	default:
		d.fail("hash lock of %d bytes, want 0 or 32", n)
	}
	t.Expiry = d.u32("expiry")
	t.Nonce = d.u64("nonce")
}

func (d *decoder) idSet(what string) []ID {
	n := d.varint(what + " count")
	if d.err != nil {
		return nil
	}
	if n > MaxContractProps {
		d.fail("%s has %d entries, at most %d", what, n, MaxContractProps)
		return nil
	}
	if n == 0 {
		return nil
	}
	ids := make([]ID, 0, n)
	for i := 0; i < int(n) && d.err == nil; i++ {
		id := d.id(what)
		if d.err == nil && i > 0 && bytes.Compare(id[:], ids[i-1][:]) <= 0 {
			d.fail("%s ids not in strictly ascending order at entry %d", what, i)
		}
		ids = append(ids, id)
	}
	return ids
}

// CheckTerms applies the semantic rules of terms (CodeBadTerms): both
// keys valid compressed secp256k1 points and distinct; A gives something
// (a_gold > 0 or a prop); a_gold and b_gold each 0 or from
// MinContractGold to the money supply; no prop on both sides; expiry
// from 1 to MaxExpiry. The encoding rules are EncodeTerms'.
func CheckTerms(t *Terms) error {
	if _, err := EncodeTerms(t); err != nil {
		return err
	}
	for _, k := range [][]byte{t.AKey, t.BKey} {
		if k[0] != 0x02 && k[0] != 0x03 {
			return ruleErr(CodeBadTerms, "key %x is not a compressed public key", k)
		}
		if _, err := btcec.ParsePubKey(k); err != nil {
			return ruleErr(CodeBadTerms, "key %x is not a valid public key", k)
		}
	}
	if bytes.Equal(t.AKey, t.BKey) {
		return ruleErr(CodeBadTerms, "a_key and b_key are the same key")
	}
	if t.AGold == 0 && len(t.AProps) == 0 {
		return ruleErr(CodeBadTerms, "A gives nothing (no gold, no props)")
	}
	for _, g := range []struct {
		name string
		v    uint64
	}{{"a_gold", t.AGold}, {"b_gold", t.BGold}} {
		if g.v != 0 && (g.v < MinContractGold || g.v > uint64(amount.MaxMoney)) {
			return ruleErr(CodeBadTerms, "%s %d: want 0 or %d to %d", g.name, g.v, MinContractGold, int64(amount.MaxMoney))
		}
	}
	for _, a := range t.AProps {
		for _, b := range t.BProps {
			if a == b {
				return ruleErr(CodeBadTerms, "prop %v is given by both parties", a)
			}
		}
	}
	if t.Expiry < 1 || t.Expiry > MaxExpiry {
		return ruleErr(CodeBadTerms, "expiry %d out of range 1 to %d", t.Expiry, MaxExpiry)
	}
	return nil
}

// ContractID returns the id of the contract with terms t:
// SHA256("gg/contract\x00" || EncodeTerms(t)).
func ContractID(t *Terms) (ID, error) {
	enc, err := EncodeTerms(t)
	if err != nil {
		return ID{}, err
	}
	h := sha256.New()
	h.Write([]byte("gg/contract\x00"))
	h.Write(enc)
	var id ID
	h.Sum(id[:0])
	return id, nil
}

// PreimageSize is the size of a hash lock's secret: a claim with a
// preimage of any other size fails the escrow script.
const PreimageSize = 32

// EscrowScript returns the witness script of the escrow of t. With a
// hash lock:
//
//	OP_IF OP_SIZE 32 OP_EQUALVERIFY OP_SHA256 <hash> OP_EQUALVERIFY <b_key> OP_CHECKSIG
//	OP_ELSE
//	  OP_IF <expiry> OP_CHECKLOCKTIMEVERIFY OP_DROP <a_key> OP_CHECKSIG
//	  OP_ELSE OP_2 <a_key> <b_key> OP_2 OP_CHECKMULTISIG OP_ENDIF
//	OP_ENDIF
//
// without one, the inner OP_IF ... OP_ENDIF alone. expiry is a minimal
// script number. A claim's preimage must be exactly PreimageSize bytes
// (the size check comes before the hash), the rule of the other chains a
// hash lock is shared with in an atomic swap. Consensus recomputes the
// script and compares bytes.
func EscrowScript(t *Terms) ([]byte, error) {
	if len(t.AKey) != PubKeySize || len(t.BKey) != PubKeySize {
		return nil, ruleErr(CodeBadTerms, "terms keys of %d and %d bytes, want %d", len(t.AKey), len(t.BKey), PubKeySize)
	}
	if len(t.Hash) != 0 && len(t.Hash) != 32 {
		return nil, ruleErr(CodeBadTerms, "hash lock of %d bytes, want 0 or 32", len(t.Hash))
	}
	b := script.NewBuilder()
	if len(t.Hash) != 0 {
		b.AddOps(script.OP_IF, script.OP_SIZE).AddInt64(PreimageSize).AddOps(script.OP_EQUALVERIFY, script.OP_SHA256).
			AddData(t.Hash).AddOp(script.OP_EQUALVERIFY).
			AddData(t.BKey).AddOps(script.OP_CHECKSIG, script.OP_ELSE)
	}
	b.AddOp(script.OP_IF).AddInt64(int64(t.Expiry)).AddOps(script.OP_CHECKLOCKTIMEVERIFY, script.OP_DROP).
		AddData(t.AKey).AddOps(script.OP_CHECKSIG, script.OP_ELSE, script.OP_2).AddData(t.AKey).AddData(t.BKey).
		AddOps(script.OP_2, script.OP_CHECKMULTISIG, script.OP_ENDIF)
	if len(t.Hash) != 0 {
		b.AddOp(script.OP_ENDIF)
	}
	return b.Script()
}

// EscrowPkScript returns the P2WSH output script of t's escrow:
// OP_0 <sha256(EscrowScript(t))>.
func EscrowPkScript(t *Terms) ([]byte, error) {
	s, err := EscrowScript(t)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(s)
	return script.PayToWitnessScriptHash(h[:]), nil
}

// P2WPKHOf returns the P2WPKH output script of a public key (B's
// receiving script in a swap).
func P2WPKHOf(pubKey []byte) []byte { return script.PayToWitnessPubKeyHash(script.Hash160(pubKey)) }

// ContractPath is the settlement path of an escrow.
type ContractPath uint8

// Settlement paths; the values are the path byte of ContractExecute.
const (
	PathClaim  ContractPath = 1 // B with the preimage, below expiry (hash lock only)
	PathRefund ContractPath = 2 // A, from expiry
	PathCoop   ContractPath = 3 // A and B together, any time
)

// String returns "claim", "refund", "cooperative" or "path(n)".
func (p ContractPath) String() string {
	switch p {
	case PathClaim:
		return "claim"
	case PathRefund:
		return "refund"
	case PathCoop:
		return "cooperative"
	}
	return fmt.Sprintf("path(%d)", uint8(p))
}

// Witness selectors: OP_IF takes 0x01 as true and the empty item as false
// (the only forms MINIMALIF allows).
var (
	selTrue  = []byte{0x01}
	selFalse = []byte{}
)

// ClaimWitness returns the witness of B's claim of an escrow input:
// <sigB> <preimage> 0x01 <script>. Hash-locked terms only.
func ClaimWitness(t *Terms, sigB, preimage []byte) (wire.TxWitness, error) {
	if len(t.Hash) == 0 {
		return nil, ruleErr(CodeBadPath, "terms without a hash lock have no claim path")
	}
	s, err := EscrowScript(t)
	if err != nil {
		return nil, err
	}
	return wire.TxWitness{bytes.Clone(sigB), bytes.Clone(preimage), selTrue, s}, nil
}

// RefundWitness returns the witness of A's refund of an escrow input:
// <sigA> 0x01 <> <script> with a hash lock, <sigA> 0x01 <script> without.
// The spending transaction needs nLockTime ≥ expiry (a height) and a
// non-final sequence on the input.
func RefundWitness(t *Terms, sigA []byte) (wire.TxWitness, error) {
	s, err := EscrowScript(t)
	if err != nil {
		return nil, err
	}
	if len(t.Hash) != 0 {
		return wire.TxWitness{bytes.Clone(sigA), selTrue, selFalse, s}, nil
	}
	return wire.TxWitness{bytes.Clone(sigA), selTrue, s}, nil
}

// CoopWitness returns the witness of a cooperative settlement of an
// escrow input: <> <sigA> <sigB> <> <> <script> with a hash lock,
// <> <sigA> <sigB> <> <script> without.
func CoopWitness(t *Terms, sigA, sigB []byte) (wire.TxWitness, error) {
	s, err := EscrowScript(t)
	if err != nil {
		return nil, err
	}
	w := wire.TxWitness{[]byte{}, bytes.Clone(sigA), bytes.Clone(sigB), selFalse}
	if len(t.Hash) != 0 {
		w = append(w, selFalse)
	}
	return append(w, s), nil
}

// EscrowPath classifies the witness of an input spending t's escrow by
// its layout (ClaimWitness, RefundWitness, CoopWitness): item count,
// selectors exactly 0x01 or empty, the last item exactly EscrowScript(t).
// Signatures and the preimage are left to the script. A witness of any
// other shape is a *RuleError with CodeEscrowWitness.
func EscrowPath(w wire.TxWitness, t *Terms) (ContractPath, error) {
	s, err := EscrowScript(t)
	if err != nil {
		return 0, err
	}
	if len(w) == 0 || !bytes.Equal(w[len(w)-1], s) {
		return 0, ruleErr(CodeEscrowWitness, "witness does not end with the contract's escrow script")
	}
	isT := func(i int) bool { return bytes.Equal(w[i], selTrue) }
	isF := func(i int) bool { return len(w[i]) == 0 }
	if len(t.Hash) != 0 {
		switch {
		case len(w) == 4 && isT(2):
			return PathClaim, nil
		case len(w) == 4 && isF(2) && isT(1):
			return PathRefund, nil
		case len(w) == 6 && isF(4) && isF(3) && isF(0):
			return PathCoop, nil
		}
	} else {
		switch {
		case len(w) == 3 && isT(1):
			return PathRefund, nil
		case len(w) == 5 && isF(3) && isF(0):
			return PathCoop, nil
		}
	}
	return 0, ruleErr(CodeEscrowWitness, "witness of %d items is no claim, refund or cooperative layout", len(w))
}

// ContractState is the life state of a contract on chain.
type ContractState uint8

// Contract states.
const (
	ContractFulfilled ContractState = 1 // escrow funded, unsettled
	ContractExchanged ContractState = 2 // swap settled at fulfil, or escrow claimed by B
	ContractRefunded  ContractState = 3 // escrow refunded to A after expiry
	ContractSettled   ContractState = 4 // escrow settled cooperatively
)

// String returns "fulfilled", "exchanged", "refunded", "settled" or
// "state(n)".
func (s ContractState) String() string {
	switch s {
	case ContractFulfilled:
		return "fulfilled"
	case ContractExchanged:
		return "exchanged"
	case ContractRefunded:
		return "refunded"
	case ContractSettled:
		return "settled"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Contract is the registry record of a fulfilled contract.
type Contract struct {
	ID         ID
	Terms      Terms
	State      ContractState
	FulfilTxid chainhash.Hash
	Height     int32 // fulfilled
	// Escrow lists the escrow outputs of the fulfil transaction: the GG
	// escrow (when a_gold > 0), then one carrier per a_prop in terms
	// order. Empty for a swap.
	Escrow []wire.OutPoint
	// Settlement (zero until executed; a swap has none).
	SettleTxid   chainhash.Hash
	SettleHeight int32
	Path         ContractPath
	Preimage     []byte // the claim's secret, from the witness
}

// ContractFulfil is B's fulfilment of the contract with Terms, output 0
// of the fulfil transaction. AChangeValue dust go to AChangeScript
// (empty when 0); B's on-chain part goes to AReceiveScript (empty when B
// gives nothing on chain).
type ContractFulfil struct {
	Terms          Terms
	AChangeScript  []byte
	AChangeValue   uint64
	AReceiveScript []byte
}

// ContractExecute settles the escrow of Contract by Path, moving every
// escrowed prop to an output; Moves are ordered by strictly ascending Out
// (0 to MaxContractProps of them).
type ContractExecute struct {
	Contract ID
	Path     ContractPath
	Moves    []PropMove
}

// Type implements Record.
func (*ContractFulfil) Type() RecordType { return TypeContractFulfil }

// Type implements Record.
func (*ContractExecute) Type() RecordType { return TypeContractExecute }

func appendScriptField(b []byte, what string, s []byte) ([]byte, error) {
	if len(s) > MaxContractScript {
		return nil, ruleErr(CodeBadRecord, "%s of %d bytes exceeds %d", what, len(s), MaxContractScript)
	}
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...), nil
}

func (d *decoder) scriptField(what string) []byte {
	n := d.varint(what + " length")
	if d.err != nil {
		return nil
	}
	if n > MaxContractScript {
		d.fail("%s of %d bytes exceeds %d", what, n, MaxContractScript)
		return nil
	}
	if n == 0 {
		return nil
	}
	return bytes.Clone(d.take(int(n), what))
}

func (r *ContractFulfil) appendBody(b []byte) ([]byte, error) {
	b, err := appendTerms(b, &r.Terms)
	if err != nil {
		return nil, err
	}
	if b, err = appendScriptField(b, "a_change_script", r.AChangeScript); err != nil {
		return nil, err
	}
	b = binary.LittleEndian.AppendUint64(b, r.AChangeValue)
	return appendScriptField(b, "a_receive_script", r.AReceiveScript)
}

func (r *ContractFulfil) decodeBody(d *decoder) error {
	r.Terms.decode(d)
	r.AChangeScript = d.scriptField("a_change_script")
	r.AChangeValue = d.u64("a_change_value")
	r.AReceiveScript = d.scriptField("a_receive_script")
	return d.err
}

func (r *ContractExecute) appendBody(b []byte) ([]byte, error) {
	if r.Path < PathClaim || r.Path > PathCoop {
		return nil, ruleErr(CodeBadRecord, "contract path %d, want 1 to 3", r.Path)
	}
	if len(r.Moves) > MaxContractProps {
		return nil, ruleErr(CodeBadRecord, "contract-execute has %d moves, at most %d", len(r.Moves), MaxContractProps)
	}
	b = append(b, r.Contract[:]...)
	b = append(b, byte(r.Path))
	b = appendVarint(b, uint64(len(r.Moves)))
	for i, m := range r.Moves {
		if i > 0 && m.Out <= r.Moves[i-1].Out {
			return nil, ruleErr(CodeBadRecord, "contract-execute moves not in strictly ascending output order at entry %d", i)
		}
		b = append(b, m.Prop[:]...)
		b = appendVarint(b, uint64(m.Out))
	}
	if i, dup := repeatedProp(r.Moves); dup {
		return nil, ruleErr(CodeBadRecord, "contract-execute names prop %v twice (entry %d)", r.Moves[i].Prop, i)
	}
	return b, nil
}

func (r *ContractExecute) decodeBody(d *decoder) error {
	r.Contract = d.id("contract")
	r.Path = ContractPath(d.u8("path"))
	if d.err == nil && (r.Path < PathClaim || r.Path > PathCoop) {
		d.fail("contract path %d, want 1 to 3", r.Path)
	}
	n := d.varint("contract-execute count")
	if d.err != nil {
		return d.err
	}
	if n > MaxContractProps {
		d.fail("contract-execute has %d moves, at most %d", n, MaxContractProps)
		return d.err
	}
	for i := 0; i < int(n) && d.err == nil; i++ {
		m := PropMove{Prop: d.id("prop")}
		m.Out = d.index("out")
		if d.err == nil && i > 0 && m.Out <= r.Moves[i-1].Out {
			d.fail("contract-execute moves not in strictly ascending output order at entry %d", i)
		}
		r.Moves = append(r.Moves, m)
	}
	if i, dup := repeatedProp(r.Moves); d.err == nil && dup {
		d.fail("contract-execute names prop %v twice (entry %d)", r.Moves[i].Prop, i)
	}
	return d.err
}
