package mempool

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// The contract book (architecture §4): the offers of contracts that are
// published or signed but not fulfilled. Nothing here is mined. An offer
// is the terms, A's signature over the contract id and A's partially
// signed fulfil transaction (every input signed
// SIGHASH_ALL|ANYONECANPAY, so B can only add inputs). B's acceptance
// (a signature over the id with b_key) moves it from published to
// signed. It leaves the book when its fulfil transaction enters the pool
// or a block (Fulfilled), when A withdraws it (a signature over
// "withdraw" ‖ id), or when the tip reaches the height below its expiry
// (Prune: no block can fulfil it any more). The book persists itself to
// one file (contracts.dat in the datadir, atomic writes) after each
// change; Listen reports every change so wallets learn of signatures,
// withdrawals and expiry. Submit is also the entry point for P2P relay
// (later).

// OfferState is the state of an offer in the book.
type OfferState uint8

// Offer states.
const (
	OfferPublished OfferState = 1 // A's offer, not accepted by B yet
	OfferSigned    OfferState = 2 // B accepted it (BSig)
)

// String returns "published" or "signed".
func (s OfferState) String() string {
	switch s {
	case OfferPublished:
		return "published"
	case OfferSigned:
		return "signed"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Kinds of book rejection.
const (
	ErrOfferInvalid   = ErrorKind("contract offer invalid")
	ErrOfferDuplicate = ErrorKind("contract offer already in the book")
	ErrOfferUnknown   = ErrorKind("no such contract offer in the book")
	ErrOfferBadSig    = ErrorKind("contract signature invalid")
	ErrOfferState     = ErrorKind("contract offer in the wrong state")
	ErrBookFull       = ErrorKind("contract book full")
)

// MaxBookOffers bounds the book.
const MaxBookOffers = 10_000

// Offer is one entry of the book.
type Offer struct {
	ID    game.ID
	Terms game.Terms
	// ASig is A's DER ECDSA signature (a_key) over ID.
	ASig []byte
	// Tx is A's partially signed fulfil transaction.
	Tx    *wire.MsgTx
	State OfferState
	// BSig is B's DER ECDSA signature (b_key) over ID, once signed.
	BSig  []byte
	Added time.Time
}

// Fulfil returns the ContractFulfil record of o.Tx.
func (o *Offer) Fulfil() *game.ContractFulfil {
	rec, _, err := game.FindRecord(o.Tx)
	if err != nil {
		return nil
	}
	f, _ := rec.(*game.ContractFulfil)
	return f
}

// BookEvent is a change of the book.
type BookEvent struct {
	Offer *Offer
	// Kind is "published", "signed", "withdrawn", "expired" or
	// "fulfilled" (its fulfil transaction entered the pool or a block).
	Kind string
	// WithdrawSig is A's signature of a withdrawal (kind "withdrawn" by
	// Withdraw), which peers need to apply it too.
	WithdrawSig []byte
}

// WithdrawHash is what A signs to withdraw offer id:
// SHA256("withdraw" ‖ id).
func WithdrawHash(id game.ID) []byte {
	h := sha256.Sum256(append([]byte("withdraw"), id[:]...))
	return h[:]
}

// VerifyContractSig checks a DER ECDSA signature by pubKey over hash.
func VerifyContractSig(pubKey, sig, hash []byte) bool {
	pk, err := btcec.ParsePubKey(pubKey)
	if err != nil {
		return false
	}
	s, err := ecdsa.ParseDERSignature(sig)
	if err != nil {
		return false
	}
	return s.Verify(hash, pk)
}

// BookConfig configures a Book.
type BookConfig struct {
	Params *chaincfg.Params
	// Path is the book's file; "" keeps it in memory only.
	Path string
	// PrevOut returns an unspent output (confirmed, or created by a pool
	// transaction) not spent by a pool transaction; false when spent or
	// unknown.
	PrevOut func(op wire.OutPoint) (*wire.TxOut, bool)
	// Tip returns the chain's height.
	Tip    func() int32
	Now    func() time.Time
	Logger *slog.Logger
}

// Book is the contract book. It is safe for concurrent use.
type Book struct {
	cfg BookConfig
	log *slog.Logger

	mu     sync.Mutex
	offers map[game.ID]*Offer

	lmu       sync.Mutex
	listeners map[int]func(BookEvent)
	nextL     int
}

// NewBook returns an empty book.
func NewBook(cfg BookConfig) *Book {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Book{cfg: cfg, log: cfg.Logger, offers: map[game.ID]*Offer{}, listeners: map[int]func(BookEvent){}}
}

// Listen calls fn for each change (outside the book's lock, in order per
// caller); the returned function stops it.
func (b *Book) Listen(fn func(BookEvent)) (cancel func()) {
	b.lmu.Lock()
	id := b.nextL
	b.nextL++
	b.listeners[id] = fn
	b.lmu.Unlock()
	return func() {
		b.lmu.Lock()
		delete(b.listeners, id)
		b.lmu.Unlock()
	}
}

func (b *Book) emit(evs []BookEvent) {
	if len(evs) == 0 {
		return
	}
	b.lmu.Lock()
	fns := make([]func(BookEvent), 0, len(b.listeners))
	ids := make([]int, 0, len(b.listeners))
	for id := range b.listeners {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		fns = append(fns, b.listeners[id])
	}
	b.lmu.Unlock()
	for _, e := range evs {
		for _, fn := range fns {
			fn(e)
		}
	}
}

func offerErr(kind ErrorKind, format string, args ...any) error {
	return fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))
}

// CheckOffer validates an offer against the book's view of the chain:
// terms rules, A's signature over the id, the fulfil skeleton carrying
// exactly these terms with every input A's, signed
// SIGHASH_ALL|ANYONECANPAY and valid against unspent outputs, and an
// expiry above the next height.
func (b *Book) CheckOffer(o *Offer) error {
	if err := game.CheckTerms(&o.Terms); err != nil {
		return offerErr(ErrOfferInvalid, "%v", err)
	}
	id, err := game.ContractID(&o.Terms)
	if err != nil {
		return offerErr(ErrOfferInvalid, "%v", err)
	}
	if id != o.ID {
		return offerErr(ErrOfferInvalid, "id %s does not match the terms (%s)", o.ID, id)
	}
	if !VerifyContractSig(o.Terms.AKey, o.ASig, id[:]) {
		return offerErr(ErrOfferBadSig, "A's signature over the id does not verify with a_key")
	}
	if o.State == OfferSigned && !VerifyContractSig(o.Terms.BKey, o.BSig, id[:]) {
		return offerErr(ErrOfferBadSig, "B's signature over the id does not verify with b_key")
	}
	if b.cfg.Tip != nil {
		if next := int64(b.cfg.Tip()) + 1; int64(o.Terms.Expiry) <= next {
			return offerErr(ErrOfferInvalid, "expiry %d is not above the next height %d", o.Terms.Expiry, next)
		}
	}
	if o.Tx == nil || len(o.Tx.TxIn) == 0 {
		return offerErr(ErrOfferInvalid, "no fulfil transaction with A's inputs")
	}
	rec, _, err := game.CheckRecord(o.Tx, b.cfg.Params)
	if err != nil {
		return offerErr(ErrOfferInvalid, "fulfil transaction: %v", err)
	}
	f, ok := rec.(*game.ContractFulfil)
	if !ok {
		return offerErr(ErrOfferInvalid, "the transaction's record is not a contract fulfil")
	}
	enc, _ := game.EncodeTerms(&o.Terms)
	if got, err := game.EncodeTerms(&f.Terms); err != nil || !bytes.Equal(got, enc) {
		return offerErr(ErrOfferInvalid, "the fulfil record's terms differ from the offer's")
	}
	if b.cfg.PrevOut == nil {
		return nil
	}
	hashes := script.NewSigHashes(o.Tx)
	for i, in := range o.Tx.TxIn {
		po, ok := b.cfg.PrevOut(in.PreviousOutPoint)
		if !ok {
			return offerErr(ErrOfferInvalid, "input %d (%s) is spent or unknown", i, in.PreviousOutPoint)
		}
		if len(in.Witness) == 0 || len(in.Witness[0]) == 0 ||
			script.SigHashType(in.Witness[0][len(in.Witness[0])-1]) != script.SigHashAll|script.SigHashAnyoneCanPay {
			return offerErr(ErrOfferBadSig, "input %d is not signed SIGHASH_ALL|ANYONECANPAY", i)
		}
		if err := script.VerifyInput(o.Tx, i, po.PkScript, po.Value, script.StandardFlags, nil, hashes); err != nil {
			return offerErr(ErrOfferBadSig, "input %d: %v", i, err)
		}
	}
	return nil
}

// Submit adds a published offer (from a wallet, or later a peer).
func (b *Book) Submit(o *Offer) error {
	o.State, o.BSig = OfferPublished, nil
	if o.Added.IsZero() {
		o.Added = b.cfg.Now()
	}
	if err := b.CheckOffer(o); err != nil {
		return err
	}
	b.mu.Lock()
	if _, ok := b.offers[o.ID]; ok {
		b.mu.Unlock()
		return offerErr(ErrOfferDuplicate, "contract %s", o.ID)
	}
	if len(b.offers) >= MaxBookOffers {
		b.mu.Unlock()
		return offerErr(ErrBookFull, "%d offers", len(b.offers))
	}
	for _, other := range b.offers {
		if conflicts(other.Tx, o.Tx) {
			b.mu.Unlock()
			return offerErr(ErrOfferInvalid, "an input is already committed to contract %s", other.ID)
		}
	}
	b.offers[o.ID] = o
	b.saveLocked()
	b.mu.Unlock()
	b.emit([]BookEvent{{Offer: o, Kind: "published"}})
	return nil
}

func conflicts(a, c *wire.MsgTx) bool {
	for _, x := range a.TxIn {
		for _, y := range c.TxIn {
			if x.PreviousOutPoint == y.PreviousOutPoint {
				return true
			}
		}
	}
	return false
}

// Sign records B's acceptance of offer id: sig is B's DER ECDSA
// signature over the id with b_key.
func (b *Book) Sign(id game.ID, sig []byte) (*Offer, error) {
	b.mu.Lock()
	o, ok := b.offers[id]
	if !ok {
		b.mu.Unlock()
		return nil, offerErr(ErrOfferUnknown, "contract %s", id)
	}
	if o.State != OfferPublished {
		b.mu.Unlock()
		return nil, offerErr(ErrOfferState, "contract %s is %s already", id, o.State)
	}
	if !VerifyContractSig(o.Terms.BKey, sig, id[:]) {
		b.mu.Unlock()
		return nil, offerErr(ErrOfferBadSig, "B's signature over the id does not verify with b_key")
	}
	// Offers handed out are never mutated: the signed one replaces it.
	signed := *o
	signed.State, signed.BSig = OfferSigned, bytes.Clone(sig)
	o = &signed
	b.offers[id] = o
	b.saveLocked()
	b.mu.Unlock()
	b.emit([]BookEvent{{Offer: o, Kind: "signed"}})
	return o, nil
}

// Withdraw removes offer id on A's signature over WithdrawHash(id).
func (b *Book) Withdraw(id game.ID, sig []byte) (*Offer, error) {
	b.mu.Lock()
	o, ok := b.offers[id]
	if !ok {
		b.mu.Unlock()
		return nil, offerErr(ErrOfferUnknown, "contract %s", id)
	}
	if !VerifyContractSig(o.Terms.AKey, sig, WithdrawHash(id)) {
		b.mu.Unlock()
		return nil, offerErr(ErrOfferBadSig, "A's withdrawal signature does not verify with a_key")
	}
	delete(b.offers, id)
	b.saveLocked()
	b.mu.Unlock()
	b.emit([]BookEvent{{Offer: o, Kind: "withdrawn", WithdrawSig: bytes.Clone(sig)}})
	return o, nil
}

// Get returns offer id, nil if the book does not hold it. Offers are
// shared and read-only.
func (b *Book) Get(id game.ID) *Offer {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.offers[id]
}

// BookQuery filters and pages List. Zero fields do not filter.
type BookQuery struct {
	State OfferState
	// Key is a party's public key (a_key or b_key).
	Key    []byte
	Offset int
	Limit  int
}

// List returns the offers matching q in id order and how many match.
func (b *Book) List(q BookQuery) ([]*Offer, int) {
	b.mu.Lock()
	var all []*Offer
	for _, o := range b.offers {
		if q.State != 0 && o.State != q.State {
			continue
		}
		if q.Key != nil && !bytes.Equal(o.Terms.AKey, q.Key) && !bytes.Equal(o.Terms.BKey, q.Key) {
			continue
		}
		all = append(all, o)
	}
	b.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return bytes.Compare(all[i].ID[:], all[j].ID[:]) < 0 })
	total := len(all)
	if q.Offset >= len(all) {
		return nil, total
	}
	all = all[q.Offset:]
	if q.Limit > 0 && len(all) > q.Limit {
		all = all[:q.Limit]
	}
	return all, total
}

// Count returns the number of offers.
func (b *Book) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.offers)
}

// SawTx removes the offers whose fulfil transaction is tx (it entered
// the pool or a block) and the offers whose inputs tx spends (they can
// no longer be fulfilled).
func (b *Book) SawTx(tx *wire.MsgTx) {
	var evs []BookEvent
	rec, _, _ := game.FindRecord(tx)
	var fid game.ID
	isFulfil := false
	if f, ok := rec.(*game.ContractFulfil); ok {
		if id, err := game.ContractID(&f.Terms); err == nil {
			fid, isFulfil = id, true
		}
	}
	b.mu.Lock()
	for id, o := range b.offers {
		switch {
		case isFulfil && id == fid:
			evs = append(evs, BookEvent{Offer: o, Kind: "fulfilled"})
		case conflicts(o.Tx, tx):
			evs = append(evs, BookEvent{Offer: o, Kind: "withdrawn"})
		default:
			continue
		}
		delete(b.offers, id)
	}
	if len(evs) > 0 {
		b.saveLocked()
	}
	b.mu.Unlock()
	b.emit(evs)
}

// Prune removes the offers no block can fulfil any more: expiry at or
// below height+1 (the next block's height).
func (b *Book) Prune(height int32) {
	var evs []BookEvent
	b.mu.Lock()
	for id, o := range b.offers {
		if int64(o.Terms.Expiry) <= int64(height)+1 {
			delete(b.offers, id)
			evs = append(evs, BookEvent{Offer: o, Kind: "expired"})
		}
	}
	if len(evs) > 0 {
		b.saveLocked()
	}
	b.mu.Unlock()
	sort.Slice(evs, func(i, j int) bool { return bytes.Compare(evs[i].Offer.ID[:], evs[j].Offer.ID[:]) < 0 })
	b.emit(evs)
}

// saveLocked writes the book to its file, logging a failure.
func (b *Book) saveLocked() {
	if b.cfg.Path == "" {
		return
	}
	all := make([]*Offer, 0, len(b.offers))
	for _, o := range b.offers {
		all = append(all, o)
	}
	sort.Slice(all, func(i, j int) bool { return bytes.Compare(all[i].ID[:], all[j].ID[:]) < 0 })
	data, err := encodeBook(b.cfg.Params.Net, all)
	if err == nil {
		err = writeAtomic(b.cfg.Path, data)
	}
	if err != nil {
		b.log.Error("contract book not saved", "path", b.cfg.Path, "err", err)
	}
}

// Load reads the book's file, keeping the offers still valid (their
// signatures, inputs unspent, expiry ahead). A missing file is an empty
// book; a corrupt one is an error (ErrBadFile) and loads nothing.
func (b *Book) Load() (kept, dropped int, err error) {
	if b.cfg.Path == "" {
		return 0, 0, nil
	}
	data, err := os.ReadFile(b.cfg.Path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("contract book: %w", err)
	}
	offers, err := decodeBook(data, b.cfg.Params.Net)
	if err != nil {
		return 0, 0, fmt.Errorf("contract book %s: %w", b.cfg.Path, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, o := range offers {
		if err := b.CheckOffer(o); err != nil {
			b.log.Info("contract offer dropped at load", "id", o.ID, "err", err)
			dropped++
			continue
		}
		b.offers[o.ID] = o
		kept++
	}
	if dropped > 0 {
		b.saveLocked()
	}
	return kept, dropped, nil
}

// writeAtomic writes data to path through a fsynced temporary file in
// the same directory, renamed over path.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
