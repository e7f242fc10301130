package h5wallet

import (
	"encoding/hex"
	"fmt"
	"slices"
	"sort"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// Fee rates, dust per 1000 virtual bytes.
const (
	// MinFeeRate is the node's default minimum relay rate; lower rates
	// are raised to it.
	MinFeeRate = 1000
	// DefaultFeeRate is used when a request names none.
	DefaultFeeRate = 2000
	// MaxFeeRate refuses a rate that is surely a typo (1 GG per kvB).
	MaxFeeRate = 100_000_000
)

// ChangeDust is the smallest change output kept: less goes to the fee
// (a P2WPKH output below the node's dust limit would be refused).
const ChangeDust = 1000

// Coin is an unspent output of the wallet (the address index's
// utxos.json rows, with the value in dust and the address it pays).
type Coin struct {
	TxID     string `json:"txid"`
	Vout     uint32 `json:"vout"`
	Value    int64  `json:"value"`
	Address  string `json:"address"`
	Height   int32  `json:"height"` // 0 or less: unconfirmed
	Coinbase bool   `json:"coinbase,omitempty"`
}

// Output is a payment.
type Output struct {
	Address string `json:"address"`
	Value   int64  `json:"value"`
}

// SendRequest asks for a plain GG send from Coins (the page leaves out
// coins carrying game objects) to To, change to ChangeAddress (one of
// the keyring's derived addresses).
type SendRequest struct {
	Coins         []Coin   `json:"coins"`
	To            []Output `json:"to"`
	ChangeAddress string   `json:"change"`
	FeeRate       int64    `json:"feerate,omitempty"` // dust per kvB; 0: DefaultFeeRate
	Tip           int32    `json:"tip"`               // the chain's height, for coinbase maturity
}

// SaleRequest asks for a sale listing of the prop Prop carried by Coin.
type SaleRequest struct {
	Prop    string `json:"prop"`
	Coin    Coin   `json:"coin"`
	BuyNow  int64  `json:"buynow"`
	Reserve int64  `json:"reserve"`
	End     uint32 `json:"end,omitempty"` // 0: Tip + the network's auction period
	Tip     int32  `json:"tip"`
}

// BidRequest asks for a bid of Price on the auction whose current
// transaction (the listing or the best bid) is SaleHex, paying the
// seller's address Seller; the prop (Gold) goes to PropAddress (like
// ChangeAddress, one of the keyring's derived addresses).
// ReplacedFees are the fees of the transaction replaced (the pool's
// replacement rules want them paid again on top).
type BidRequest struct {
	SaleHex       string `json:"sale"`
	Seller        string `json:"seller"`
	Gold          int64  `json:"gold"`
	Price         int64  `json:"price"`
	ReplacedFees  int64  `json:"replaced_fees"`
	Coins         []Coin `json:"coins"`
	PropAddress   string `json:"prop_address"`
	ChangeAddress string `json:"change"`
	FeeRate       int64  `json:"feerate,omitempty"`
	Tip           int32  `json:"tip"`
}

// TxResult is a signed transaction.
type TxResult struct {
	Hex   string   `json:"hex"`
	TxID  string   `json:"txid"`
	Fee   int64    `json:"fee"`
	VSize int      `json:"vsize"`
	Spent []string `json:"spent"` // the wallet's outpoints it spends, TXID:N
}

// vsize estimates, virtual bytes.
const (
	txOverheadVSize  = 11 // version, locktime, counts, segwit marker (rounded up)
	p2wpkhInputVSize = 68 // outpoint, sequence, empty script, witness of a signature and a key
)

func outputVSize(pk []byte) int64 { return int64(8 + wire.CompactSizeLen(uint64(len(pk))) + len(pk)) }

// feeFor is the fee of vsize at rate (dust per kvB), rounded up.
func feeFor(vsize, rate int64) int64 { return (vsize*rate + 999) / 1000 }

func (k *Keyring) feeRate(r int64) (int64, error) {
	switch {
	case r == 0:
		return DefaultFeeRate, nil
	case r < 0 || r > MaxFeeRate:
		return 0, fmt.Errorf("%w: fee rate %d dust/kvB, want 0 to %d", ErrInvalidArgument, r, MaxFeeRate)
	}
	return max(r, MinFeeRate), nil
}

// script returns the output script of addr on the keyring's network.
func (k *Keyring) script(addr, what string) ([]byte, error) {
	a, err := address.Decode(addr, k.params)
	if err != nil {
		return nil, fmt.Errorf("%w: %s address %q: %v", ErrInvalidArgument, what, addr, err)
	}
	return a.PkScript(), nil
}

// ownScript returns the output script of addr, which must be one of the
// keyring's derived addresses (ErrUnknownAddress otherwise): change and
// a bought prop go only where the wallet holds the key.
func (k *Keyring) ownScript(addr, what string) ([]byte, error) {
	pk, err := k.script(addr, what)
	if err != nil {
		return nil, err
	}
	if _, ok := k.known[addr]; !ok {
		return nil, fmt.Errorf("%s address: %w: %s", what, ErrUnknownAddress, addr)
	}
	return pk, nil
}

// spendable returns the coins that may be spent at the next block, the
// largest first, each checked to be the keyring's.
func (k *Keyring) spendable(coins []Coin, tip int32) ([]Coin, error) {
	out := make([]Coin, 0, len(coins))
	seen := map[string]bool{}
	for _, c := range coins {
		if c.Value <= 0 {
			return nil, fmt.Errorf("%w: coin %s:%d of value %d", ErrInvalidArgument, c.TxID, c.Vout, c.Value)
		}
		if _, ok := k.known[c.Address]; !ok {
			return nil, fmt.Errorf("coin %s:%d: %w: %s", c.TxID, c.Vout, ErrUnknownAddress, c.Address)
		}
		op := fmt.Sprintf("%s:%d", c.TxID, c.Vout)
		if seen[op] {
			return nil, fmt.Errorf("%w: coin %s given twice", ErrInvalidArgument, op)
		}
		seen[op] = true
		if c.Coinbase && (c.Height <= 0 || tip+1-c.Height < k.params.CoinbaseMaturity) {
			continue // immature
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Value > out[j].Value })
	return out, nil
}

// builder is a transaction under construction with the previous outputs
// of the inputs the wallet signs (nil for a foreign input).
type builder struct {
	k        *Keyring
	tx       *wire.MsgTx
	prevOuts []*wire.TxOut
	addrs    []string
	spent    []string
}

func (b *builder) addCoin(c Coin) error {
	h, err := chainhash.NewHashFromStr(c.TxID)
	if err != nil {
		return fmt.Errorf("%w: coin txid %q", ErrInvalidArgument, c.TxID)
	}
	pk, err := b.k.script(c.Address, "coin")
	if err != nil {
		return err
	}
	b.tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: h, Index: c.Vout}, Sequence: wire.MaxTxInSequenceNum - 2})
	b.prevOuts = append(b.prevOuts, &wire.TxOut{Value: c.Value, PkScript: pk})
	b.addrs = append(b.addrs, c.Address)
	b.spent = append(b.spent, fmt.Sprintf("%s:%d", c.TxID, c.Vout))
	return nil
}

// fund adds coins (largest first) until the inputs cover the outputs,
// extra and the fee at rate, then a change output to change when it is
// worth keeping. preset is what the inputs already there bring,
// foreignVSize the virtual size of the foreign inputs. It returns the
// fee.
func (b *builder) fund(coins []Coin, preset, extra, foreignVSize, rate int64, change []byte) (int64, error) {
	var target int64
	vsize := int64(txOverheadVSize) + foreignVSize
	for _, po := range b.prevOuts {
		if po != nil {
			vsize += p2wpkhInputVSize
		}
	}
	for _, o := range b.tx.TxOut {
		target += o.Value
		vsize += outputVSize(o.PkScript)
	}
	have := preset
	for _, c := range coins {
		if have >= target+extra+feeFor(vsize, rate) {
			break
		}
		if err := b.addCoin(c); err != nil {
			return 0, err
		}
		have += c.Value
		vsize += p2wpkhInputVSize
	}
	fee := extra + feeFor(vsize, rate)
	if have < target+fee {
		return 0, fmt.Errorf("%w: need %s GG, have %s GG", ErrInsufficientFunds, gg(target+fee), gg(have))
	}
	if rest := have - target - fee - feeFor(outputVSize(change), rate); rest >= ChangeDust {
		b.tx.AddTxOut(&wire.TxOut{Value: rest, PkScript: change})
		fee += feeFor(outputVSize(change), rate)
	} else {
		fee = have - target
	}
	return fee, nil
}

// sign signs every input of the wallet (P2WPKH: a BIP143 signature and
// the key in the witness) with SIGHASH_ALL, or input 0 with
// SIGHASH_SINGLE|ANYONECANPAY when single. lib/script's SignInput would
// also run the script engine over each input, which the node does on
// receipt: left out, the module is smaller (the tests verify every
// input with the engine).
func (b *builder) sign(single bool) error {
	hashes := script.NewSigHashes(b.tx)
	for i, po := range b.prevOuts {
		if po == nil {
			continue
		}
		priv, err := b.k.privKey(b.addrs[i])
		if err != nil {
			return err
		}
		pub := priv.PubKey().SerializeCompressed()
		ht := script.SigHashAll
		if single && i == 0 {
			ht = script.SigHashSingle | script.SigHashAnyoneCanPay
		}
		sig, err := script.RawTxInWitnessSignature(b.tx, hashes, i, po.Value, script.PayToPubKeyHash(hash160(pub)), ht, priv)
		priv.Zero()
		if err != nil {
			return fmt.Errorf("sign input %d: %w", i, err)
		}
		b.tx.TxIn[i].Witness = wire.TxWitness{sig, pub}
	}
	return nil
}

func (b *builder) result(fee int64) *TxResult {
	return &TxResult{Hex: hex.EncodeToString(b.tx.Bytes()), TxID: b.tx.TxHash().String(), Fee: fee, VSize: b.tx.VSize(),
		Spent: b.spent}
}

// Send builds and signs a plain GG send.
func (k *Keyring) Send(r SendRequest) (*TxResult, error) {
	rate, err := k.feeRate(r.FeeRate)
	if err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	if len(r.To) == 0 {
		return nil, fmt.Errorf("send: %w: no output", ErrInvalidArgument)
	}
	b := &builder{k: k, tx: wire.NewMsgTx(2)}
	for _, o := range r.To {
		pk, err := k.script(o.Address, "destination")
		if err != nil {
			return nil, fmt.Errorf("send: %w", err)
		}
		if o.Value < ChangeDust {
			return nil, fmt.Errorf("send: %w: amount %s GG below the smallest payment %s GG", ErrInvalidArgument, gg(o.Value), gg(ChangeDust))
		}
		b.tx.AddTxOut(&wire.TxOut{Value: o.Value, PkScript: pk})
	}
	change, err := k.ownScript(r.ChangeAddress, "change")
	if err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	coins, err := k.spendable(r.Coins, r.Tip)
	if err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	fee, err := b.fund(coins, 0, 0, 0, rate, change)
	if err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	if err := b.sign(false); err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	return b.result(fee), nil
}

// Sale builds the listing of a prop at auction, as gg-wallet's prop
// sale: input 0 spends the prop, signed SIGHASH_SINGLE|ANYONECANPAY,
// output 0 is the Sale record, nothing else; bids build on it. The
// seller pays no fee: a listing is never mined.
func (k *Keyring) Sale(r SaleRequest) (*TxResult, error) {
	prop, err := game.ParseID(r.Prop)
	if err != nil {
		return nil, fmt.Errorf("sale: %w: %v", ErrInvalidArgument, err)
	}
	end := r.End
	if end == 0 {
		end = uint32(r.Tip + k.params.AuctionPeriod)
	}
	switch {
	case r.BuyNow <= 0 || r.Reserve < 0 || r.Reserve > r.BuyNow:
		return nil, fmt.Errorf("sale: %w: want 0 <= reserve <= buy-now and buy-now > 0", ErrInvalidArgument)
	case int64(end) <= int64(r.Tip):
		return nil, fmt.Errorf("sale: %w: end height %d is not above the tip %d", ErrInvalidArgument, end, r.Tip)
	case r.BuyNow <= r.Coin.Value:
		return nil, fmt.Errorf("sale: %w: the buy-now price %s GG must exceed the prop's gold %s GG", ErrInvalidArgument, gg(r.BuyNow), gg(r.Coin.Value))
	}
	if _, ok := k.known[r.Coin.Address]; !ok {
		return nil, fmt.Errorf("sale: %w: %s", ErrUnknownAddress, r.Coin.Address)
	}
	b := &builder{k: k, tx: wire.NewMsgTx(2)}
	if err := b.addCoin(r.Coin); err != nil {
		return nil, fmt.Errorf("sale: %w", err)
	}
	out, err := game.RecordOutput(&game.Sale{Prop: prop, BuyNow: uint64(r.BuyNow), Reserve: uint64(r.Reserve), End: end})
	if err != nil {
		return nil, fmt.Errorf("sale: %w: %v", ErrInvalidArgument, err)
	}
	b.tx.AddTxOut(out)
	if err := b.sign(true); err != nil {
		return nil, fmt.Errorf("sale: %w", err)
	}
	return b.result(0), nil
}

// Bid builds a bid on an auction, as gg-wallet's prop bid: it keeps
// input 0 (the prop, with the seller's witness) and output 0 (the
// record), pays Price to the seller at output 1, carries the prop (Gold)
// to PropAddress at output 2, and funds the price and fee from Coins
// (SIGHASH_ALL). The node's pool replaces the previous bid with it.
func (k *Keyring) Bid(r BidRequest) (*TxResult, error) {
	rate, err := k.feeRate(r.FeeRate)
	if err != nil {
		return nil, fmt.Errorf("bid: %w", err)
	}
	sale, err := wire.DecodeTxHex(r.SaleHex)
	if err != nil || len(sale.TxIn) == 0 || len(sale.TxOut) == 0 {
		return nil, fmt.Errorf("bid: %w: the sale transaction does not decode", ErrInvalidArgument)
	}
	rec, idx, err := game.FindRecord(sale)
	if err != nil || rec == nil || rec.Type() != game.TypeSale || idx != 0 {
		return nil, fmt.Errorf("bid: %w: not a sale listing or bid", ErrInvalidArgument)
	}
	s := rec.(*game.Sale)
	switch {
	case r.Price < r.Gold:
		return nil, fmt.Errorf("bid: %w: the bid %s GG is below the prop's gold %s GG", ErrInvalidArgument, gg(r.Price), gg(r.Gold))
	case r.Price < int64(s.Reserve):
		return nil, fmt.Errorf("bid: %w: the bid %s GG is below the reserve %s GG", ErrInvalidArgument, gg(r.Price), gg(int64(s.Reserve)))
	case len(sale.TxOut) >= 2 && r.Price <= sale.TxOut[1].Value:
		return nil, fmt.Errorf("bid: %w: the bid %s GG must exceed the best bid %s GG", ErrInvalidArgument, gg(r.Price), gg(sale.TxOut[1].Value))
	case r.ReplacedFees < 0:
		return nil, fmt.Errorf("bid: %w: negative replaced fees", ErrInvalidArgument)
	}
	seller, err := k.script(r.Seller, "seller")
	if err != nil {
		return nil, fmt.Errorf("bid: %w", err)
	}
	if !game.IsCarrierScript(seller) {
		return nil, fmt.Errorf("bid: %w: the seller must be a P2WPKH or P2WSH address", ErrInvalidArgument)
	}
	propPk, err := k.ownScript(r.PropAddress, "prop")
	if err != nil {
		return nil, fmt.Errorf("bid: %w", err)
	}
	change, err := k.ownScript(r.ChangeAddress, "change")
	if err != nil {
		return nil, fmt.Errorf("bid: %w", err)
	}
	coins, err := k.spendable(r.Coins, r.Tip)
	if err != nil {
		return nil, fmt.Errorf("bid: %w", err)
	}
	in0 := sale.TxIn[0]
	b := &builder{k: k, tx: wire.NewMsgTx(sale.Version)}
	b.tx.LockTime = sale.LockTime
	b.tx.AddTxIn(&wire.TxIn{PreviousOutPoint: in0.PreviousOutPoint, SignatureScript: in0.SignatureScript,
		Witness: slices.Clone(in0.Witness), Sequence: in0.Sequence})
	b.prevOuts, b.addrs = append(b.prevOuts, nil), append(b.addrs, "")
	b.tx.AddTxOut(sale.TxOut[0])
	b.tx.AddTxOut(&wire.TxOut{Value: r.Price, PkScript: seller})
	b.tx.AddTxOut(&wire.TxOut{Value: r.Gold, PkScript: propPk})
	fee, err := b.fund(coins, r.Gold, r.ReplacedFees, in0.VirtualSize(), rate, change)
	if err != nil {
		return nil, fmt.Errorf("bid: %w", err)
	}
	if err := b.sign(false); err != nil {
		return nil, fmt.Errorf("bid: %w", err)
	}
	return b.result(fee), nil
}

// gg formats dust as GG.
func gg(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%08d", sign, v/100_000_000, v%100_000_000)
}
