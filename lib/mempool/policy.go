package mempool

import "time"

// Policy holds the relay rules a node may tune. Consensus rules are not
// here: they are the chain's. Zero fields take the defaults of
// DefaultPolicy, so Policy{} is a valid, Core-like configuration.
type Policy struct {
	// MinRelayFeeRate is the lowest fee rate relayed, in dust per 1000
	// vbytes. It is also the increment a replacement or a newcomer after an
	// eviction must add. Default 1000.
	MinRelayFeeRate int64
	// MaxPoolBytes caps the pool's memory use, estimated per transaction
	// (the decoded transaction, the pool's indexes of it, its game effect:
	// estimateUsage, held within 0.8–1.5× of the measured heap by
	// TestUsageEstimate), listings aside (MaxListings and
	// MaxListingBytes bound them), as
	// bitcoind's -maxmempool does. Default 300 MB (gg-node --maxmempool).
	MaxPoolBytes int64
	// MinFeeHalfLife is how fast the rolling minimum fee rate raised by
	// evictions decays. Default 12 hours.
	MinFeeHalfLife time.Duration

	// MaxOrphanTxs bounds the orphan pool; MaxOrphanTxSize is the largest
	// orphan kept (serialized bytes); OrphanTTL is how long one is kept.
	// Defaults 100, 100,000 and 20 minutes.
	MaxOrphanTxs    int
	MaxOrphanTxSize int
	OrphanTTL       time.Duration

	// Package limits, each counting the transaction itself. Defaults 25
	// transactions and 101,000 vbytes both ways.
	MaxAncestors      int
	MaxDescendants    int
	MaxAncestorSize   int64
	MaxDescendantSize int64

	// AcceptNonStd skips the standardness rules (regtest and tests).
	AcceptNonStd bool
	// MaxTxVersion is the highest standard version (the lowest is 1).
	// Default 2.
	MaxTxVersion int32
	// DustRelayFeeRate prices the dust rule, dust per 1000 vbytes.
	// Default 3000.
	DustRelayFeeRate int64
	// Expiry is how long a transaction may wait in the pool. Default 14 days.
	Expiry time.Duration
	// NoReplacement refuses every conflicting transaction with
	// "txn-mempool-conflict" instead of judging it as a replacement.
	NoReplacement bool
	// MaxReplacementEvictions bounds the transactions one replacement may
	// evict, descendants included. Default 100.
	MaxReplacementEvictions int
	// MaxSigOpCost is the standard per-transaction sigop cost limit.
	// Default MaxBlockSigOpsCost/5 = 16,000.
	MaxSigOpCost int
	// MaxListings bounds the sale listings the pool holds, and
	// MaxListingsPerProducer those of props of one producer. A listing
	// pays no fee (the prop's gold it spends goes to the buyer with the
	// prop) and is never mined, so it neither ranks against paying
	// transactions nor counts toward MaxPoolBytes: these caps bound it.
	// Defaults 10,000 and 1,000.
	MaxListings            int
	MaxListingsPerProducer int
	// MaxListingBytes bounds the listings' estimated memory use (counted
	// as MaxPoolBytes counts a transaction's): a listing's witness may be
	// a standard P2WSH one of ~12 kB, so the count alone would let
	// MaxListings of them hold ~120 MB beside the pool's cap. Default
	// MaxPoolBytes/10.
	MaxListingBytes int64
}

// Policy defaults.
const (
	DefaultMinRelayFeeRate         = 1000
	DefaultMaxPoolBytes            = 300_000_000
	DefaultMinFeeHalfLife          = 12 * time.Hour
	DefaultMaxOrphanTxs            = 100
	DefaultMaxOrphanTxSize         = 100_000
	DefaultOrphanTTL               = 20 * time.Minute
	DefaultMaxAncestors            = 25
	DefaultMaxDescendants          = 25
	DefaultMaxPackageSize          = 101_000
	DefaultMaxTxVersion            = 2
	DefaultDustRelayFeeRate        = 3000
	DefaultExpiry                  = 14 * 24 * time.Hour
	DefaultMaxReplacementEvictions = 100
	DefaultMaxSigOpCost            = 80_000 / 5
	DefaultMaxListings             = 10_000
	DefaultMaxListingsPerProducer  = 1_000

	// MaxStandardTxWeight is the heaviest standard transaction.
	MaxStandardTxWeight = 400_000
	// MaxStandardScriptSigSize is the largest standard signature script
	// (a 15-of-15 P2SH multisig spend fits).
	MaxStandardScriptSigSize = 1650
	// MaxStandardP2SHSigOps bounds the sigops of one P2SH redeem script.
	MaxStandardP2SHSigOps = 15
	// Standard P2WSH witness limits.
	MaxStandardP2WSHScriptSize = 3600
	MaxStandardP2WSHStackItems = 100
	MaxStandardP2WSHItemSize   = 80
	// MaxStandardMultiSigKeys is the largest standard bare multisig.
	MaxStandardMultiSigKeys = 3
)

// DefaultPolicy returns the default relay policy.
func DefaultPolicy() Policy { return Policy{}.withDefaults() }

func (p Policy) withDefaults() Policy {
	setI64 := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	setInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	setI64(&p.MinRelayFeeRate, DefaultMinRelayFeeRate)
	setI64(&p.MaxPoolBytes, DefaultMaxPoolBytes)
	setDur(&p.MinFeeHalfLife, DefaultMinFeeHalfLife)
	setInt(&p.MaxOrphanTxs, DefaultMaxOrphanTxs)
	setInt(&p.MaxOrphanTxSize, DefaultMaxOrphanTxSize)
	setDur(&p.OrphanTTL, DefaultOrphanTTL)
	setInt(&p.MaxAncestors, DefaultMaxAncestors)
	setInt(&p.MaxDescendants, DefaultMaxDescendants)
	setI64(&p.MaxAncestorSize, DefaultMaxPackageSize)
	setI64(&p.MaxDescendantSize, DefaultMaxPackageSize)
	if p.MaxTxVersion == 0 {
		p.MaxTxVersion = DefaultMaxTxVersion
	}
	setI64(&p.DustRelayFeeRate, DefaultDustRelayFeeRate)
	setDur(&p.Expiry, DefaultExpiry)
	setInt(&p.MaxReplacementEvictions, DefaultMaxReplacementEvictions)
	setInt(&p.MaxListings, DefaultMaxListings)
	setInt(&p.MaxListingsPerProducer, DefaultMaxListingsPerProducer)
	setI64(&p.MaxListingBytes, p.MaxPoolBytes/10)
	setInt(&p.MaxSigOpCost, DefaultMaxSigOpCost)
	return p
}

// feeForVSize is the fee a transaction of vsize virtual bytes owes at rate
// (dust per 1000 vbytes), rounded down but never to zero for a non-zero
// rate.
func feeForVSize(rate, vsize int64) int64 {
	fee := rate * vsize / 1000
	if fee == 0 && rate > 0 && vsize > 0 {
		fee = 1
	}
	return fee
}

// feeRate is fee per 1000 vbytes.
func feeRate(fee, vsize int64) int64 {
	if vsize <= 0 {
		return 0
	}
	return fee * 1000 / vsize
}
