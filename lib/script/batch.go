package script

import (
	"sync"

	"github.com/gamegold/gg/lib/wire"
)

// Batch verifies many inputs with their ECDSA checks gathered and handed
// to the signature backend together: with the libsecp256k1 backend (build
// tag libsecp256k1) one cgo call verifies them all. It also keeps the
// public keys it has parsed, so a key that signs many inputs is parsed
// once.
//
// The verdicts are VerifyInput's. Add runs an input's scripts assuming
// that each plain signature check (OP_CHECKSIG, OP_CHECKSIGVERIFY, the
// P2WPKH spend) whose cheap parts pass will verify, and queues the curve
// arithmetic; Flush does it. An input whose queued check fails, or whose
// run failed with checks queued, is verified again with every check made
// at once, so its verdict and error are exactly VerifyInput's: a script
// may expect a signature to fail. OP_CHECKMULTISIG tries signatures
// against keys that are meant to miss, so its checks are never deferred.
//
// A Batch is not safe for concurrent use: give each goroutine its own.
type Batch struct {
	cache  *SigCache
	keys   keyTable
	checks []sigCheck
	inputs []batchInput
	ok     []bool
	bad    []bool
}

// sigCheck is one deferred ECDSA verification.
type sigCheck struct {
	key      int32    // index into the batch's key table
	input    int32    // index into the batch's inputs
	sig      [64]byte // R || S, big-endian, each below the group order
	hash     [32]byte
	cacheKey [32]byte // the SigCache entry to add when it verifies
}

// batchInput is what it takes to verify a queued input again.
type batchInput struct {
	tx       *wire.MsgTx
	idx      int
	pkScript []byte
	amount   int64
	flags    Flags
	hashes   *SigHashes
}

// keyTable holds the distinct serialized public keys a batch has met and
// their parsed forms, parsed by the backend when first verified against.
type keyTable struct {
	index map[string]int32
	ser   []string
	// The pure-Go backend's parsed keys (nil until parsed), state and
	// odd multiples (nil until the key is verified against twice).
	goKeys  []goKey
	goState []uint8
	goMult  []*keyMultiples
	// The libsecp256k1 backend's parsed keys (empty in the pure-Go build).
	secp secpKeys
}

// Key states.
const (
	keyPending uint8 = iota
	keyOK            // parsed
	keyUsed          // parsed and verified against once
	keyBad
)

// maxBatchKeys bounds a reused batch's key table; past it PutBatch
// empties the table (a batch used for one block is bounded by the block).
// A key verified against twice keeps its odd multiples (about 2 KB), so a
// pooled batch holds at most about 8 MB of tables, one batch per
// verifying goroutine; sync.Pool drops idle batches at a collection.
const maxBatchKeys = 4096

func (t *keyTable) add(pk []byte) int32 {
	if i, ok := t.index[string(pk)]; ok {
		return i
	}
	if t.index == nil {
		t.index = make(map[string]int32)
	}
	i := int32(len(t.ser))
	s := string(pk)
	t.index[s] = i
	t.ser = append(t.ser, s)
	t.goKeys = append(t.goKeys, nil)
	t.goState = append(t.goState, keyPending)
	t.goMult = append(t.goMult, nil)
	t.secp.grow()
	return i
}

func (t *keyTable) len() int { return len(t.ser) }

func (t *keyTable) reset() {
	clear(t.index)
	t.ser = t.ser[:0]
	clear(t.goKeys)
	t.goKeys = t.goKeys[:0]
	t.goState = t.goState[:0]
	clear(t.goMult)
	t.goMult = t.goMult[:0]
	t.secp.reset()
}

// NewBatch returns an empty batch that consults sc (which may be nil)
// before queueing a check and adds the checks that verify to it.
func NewBatch(sc *SigCache) *Batch {
	return &Batch{cache: sc}
}

var batchPool = sync.Pool{New: func() any { return new(Batch) }}

// GetBatch returns an empty batch from a pool, for callers that verify
// one transaction at a time; PutBatch hands it back. Its key table may
// hold keys from earlier use.
func GetBatch(sc *SigCache) *Batch {
	b := batchPool.Get().(*Batch)
	b.cache = sc
	return b
}

// PutBatch returns b to the pool. Its pending checks are dropped.
func PutBatch(b *Batch) {
	b.drop()
	b.cache = nil
	if b.keys.len() > maxBatchKeys {
		b.keys.reset()
	}
	batchPool.Put(b)
}

// Pending returns the number of queued signature checks.
func (b *Batch) Pending() int { return len(b.checks) }

// Full reports whether enough checks are queued for a Flush to be worth
// its fixed cost with the signature backend in use.
func (b *Batch) Full() bool { return len(b.checks) >= backendBatchSize }

// Add verifies input idx of tx like VerifyInput, queueing its plain
// signature checks. An error is the input's final verdict (VerifyInput's
// error); nil means it is valid if its queued checks pass, which Flush
// tells. hashes may be nil. After an error the checks of inputs added
// before stay queued: Flush or Reset.
func (b *Batch) Add(tx *wire.MsgTx, idx int, pkScript []byte, amount int64, flags Flags, hashes *SigHashes) error {
	mark := len(b.checks)
	b.inputs = append(b.inputs, batchInput{tx, idx, pkScript, amount, flags, hashes})
	err := verifyInput(tx, idx, pkScript, amount, flags, b.cache, hashes, b)
	if len(b.checks) == mark {
		// Nothing queued: the verdict is final.
		b.inputs = b.inputs[:len(b.inputs)-1]
		return err
	}
	if err != nil {
		// The run assumed queued checks pass; were one to fail the
		// script could take another path. Decide it now.
		b.checks = b.checks[:mark]
		b.inputs = b.inputs[:len(b.inputs)-1]
		return VerifyInput(tx, idx, pkScript, amount, flags, b.cache, hashes)
	}
	return nil
}

// Flush verifies the queued checks and returns the first input, in Add
// order, found invalid, with VerifyInput's error for it; a nil error
// means every input added since the last Flush is valid. The batch is
// empty afterwards and keeps its parsed keys.
func (b *Batch) Flush() (tx *wire.MsgTx, idx int, err error) {
	defer b.drop()
	if len(b.checks) == 0 {
		return nil, 0, nil
	}
	b.ok = growBools(b.ok, len(b.checks))
	verifyChecks(&b.keys, b.checks, b.ok)
	b.bad = growBools(b.bad, len(b.inputs))
	store := b.cache.stores()
	anyBad := false
	for i := range b.checks {
		c := &b.checks[i]
		switch {
		case !b.ok[i]:
			b.bad[c.input] = true
			anyBad = true
		case store:
			b.cache.add(&c.cacheKey)
		}
	}
	if !anyBad {
		return nil, 0, nil
	}
	for i, bad := range b.bad {
		if !bad {
			continue
		}
		in := &b.inputs[i]
		if err := VerifyInput(in.tx, in.idx, in.pkScript, in.amount, in.flags, b.cache, in.hashes); err != nil {
			return in.tx, in.idx, err
		}
	}
	return nil, 0, nil
}

// Reset drops the queued checks, unverified, keeping the parsed keys: for
// a caller that gives up on the inputs added since the last Flush (say,
// after Add returned an error) and reuses the batch.
func (b *Batch) Reset() { b.drop() }

// drop forgets the queued checks and inputs (not the parsed keys).
func (b *Batch) drop() {
	b.checks = b.checks[:0]
	clear(b.inputs) // let the transactions go
	b.inputs = b.inputs[:0]
}

// growBools returns s resized to n, all false.
func growBools(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// queue defers the curve check of der (R and S already parsed into sig)
// against pk over hash, for the input being added.
func (b *Batch) queue(pk []byte, sig *[64]byte, hash *[32]byte, cacheKey *[32]byte) {
	b.checks = append(b.checks, sigCheck{
		key:      b.keys.add(pk),
		input:    int32(len(b.inputs) - 1),
		sig:      *sig,
		hash:     *hash,
		cacheKey: *cacheKey,
	})
}

// maybePubKey reports whether pk has a length and prefix byte some
// backend could accept (compressed, uncompressed or hybrid); anything
// else fails at once, without being queued.
func maybePubKey(pk []byte) bool {
	switch len(pk) {
	case 33:
		return pk[0] == 0x02 || pk[0] == 0x03
	case 65:
		return pk[0] == 0x04 || pk[0] == 0x06 || pk[0] == 0x07
	}
	return false
}
