package stratum

import (
	"maps"
	"sort"
	"time"
)

// Reject reasons, as counted and reported (miner.stratum.info,
// gg_stratum_shares_rejected_total).
const (
	ReasonJobNotFound   = "job-not-found"
	ReasonStale         = "stale"
	ReasonDuplicate     = "duplicate"
	ReasonLowDifficulty = "low-difficulty"
	ReasonUnauthorized  = "unauthorized"
	ReasonNotSubscribed = "not-subscribed"
	ReasonExtranonce2   = "bad-extranonce2"
	ReasonNTime         = "ntime-out-of-range"
	ReasonVersionBits   = "bad-version-bits"
	ReasonBadParams     = "bad-params"
)

// RejectReasons lists every reason a share is rejected for.
var RejectReasons = []string{ReasonJobNotFound, ReasonStale, ReasonDuplicate, ReasonLowDifficulty, ReasonUnauthorized,
	ReasonNotSubscribed, ReasonExtranonce2, ReasonNTime, ReasonVersionBits, ReasonBadParams}

// hashrateWindow is the span the hashrate estimate covers, in buckets of
// hashrateBucket.
const (
	hashrateBucket  = time.Minute
	hashrateBuckets = 10
)

// twoTo32 is the expected number of hashes per share of difficulty 1.
const twoTo32 = 4294967296.0

// tally counts one party's shares: a connection, a worker or the server.
type tally struct {
	since     time.Time
	accepted  uint64
	rejected  uint64
	reasons   map[string]uint64
	diffSum   float64 // of the accepted shares
	lastShare time.Time
	blocks    uint64
	// Difficulty accepted per minute, the last hashrateBuckets minutes.
	bucketSum [hashrateBuckets]float64
	bucketMin [hashrateBuckets]int64
}

func newTally(now time.Time) tally { return tally{since: now, reasons: map[string]uint64{}} }

func (t *tally) accept(now time.Time, diff float64) {
	t.accepted++
	t.diffSum += diff
	t.lastShare = now
	m := now.Unix() / int64(hashrateBucket/time.Second)
	i := m % hashrateBuckets
	if t.bucketMin[i] != m {
		t.bucketMin[i], t.bucketSum[i] = m, 0
	}
	t.bucketSum[i] += diff
}

func (t *tally) reject(reason string) {
	t.rejected++
	t.reasons[reason]++
}

// hashrate estimates hashes per second from the difficulty accepted over
// the last hashrateBuckets minutes (or since the tally began, if later).
func (t *tally) hashrate(now time.Time) float64 {
	m := now.Unix() / int64(hashrateBucket/time.Second)
	var sum float64
	for i := range hashrateBuckets {
		if t.bucketMin[i] > m-hashrateBuckets && t.bucketMin[i] <= m {
			sum += t.bucketSum[i]
		}
	}
	window := min(now.Sub(t.since), hashrateBuckets*hashrateBucket).Seconds()
	if window < 1 {
		window = 1
	}
	return sum * twoTo32 / window
}

// TallyInfo is one party's share accounting.
type TallyInfo struct {
	Accepted uint64 `json:"accepted"`
	Rejected uint64 `json:"rejected"`
	// RejectReasons counts the rejected shares by reason (Reason*).
	RejectReasons map[string]uint64 `json:"rejected_reasons"`
	// DifficultySum is the sum of the accepted shares' difficulties.
	DifficultySum float64 `json:"difficulty_sum"`
	// Hashrate is an estimate in hashes per second over the last ten
	// minutes.
	Hashrate float64 `json:"hashrate"`
	// LastShare is the Unix time of the last accepted share (0: none).
	LastShare int64  `json:"last_share"`
	Blocks    uint64 `json:"blocks"`
}

func (t *tally) info(now time.Time) TallyInfo {
	ti := TallyInfo{Accepted: t.accepted, Rejected: t.rejected, RejectReasons: maps.Clone(t.reasons),
		DifficultySum: t.diffSum, Hashrate: t.hashrate(now), Blocks: t.blocks}
	if !t.lastShare.IsZero() {
		ti.LastShare = t.lastShare.Unix()
	}
	return ti
}

// worker is a worker name's tally across its connections.
type worker struct {
	tally
	conns    int // live connections authorized as it
	lastSeen time.Time
}

// maxWorkers bounds the worker table; beyond it the offline worker seen
// longest ago is forgotten.
const maxWorkers = 10000

// WorkerInfo is a worker's accounting.
type WorkerInfo struct {
	Name        string `json:"name"`
	Connections int    `json:"connections"`
	TallyInfo
}

// ConnInfo is a connection's accounting.
type ConnInfo struct {
	ID          string   `json:"id"` // the session id (extranonce1 hex)
	Remote      string   `json:"remote"`
	UserAgent   string   `json:"user_agent"`
	Workers     []string `json:"workers"`
	Difficulty  float64  `json:"difficulty"`
	VersionMask string   `json:"version_mask,omitempty"`
	Connected   int64    `json:"connected"` // Unix time
	TallyInfo
}

// BlockInfo is a block found through the server.
type BlockInfo struct {
	Hash     string `json:"hash"`
	Height   int32  `json:"height"`
	Worker   string `json:"worker"`
	Time     int64  `json:"time"`
	Accepted bool   `json:"accepted"`
	// Reason says why the chain did not take the block on its main chain
	// (empty when it did).
	Reason string `json:"reason,omitempty"`
}

// maxBlocksKept bounds Info's list of found blocks.
const maxBlocksKept = 32

// JobInfo describes the current job.
type JobInfo struct {
	ID           string `json:"id"`
	Height       int32  `json:"height"`
	PrevHash     string `json:"prevhash"`
	Transactions int    `json:"transactions"` // besides the coinbase
	Bits         string `json:"bits"`
	Created      int64  `json:"created"` // Unix time
}

// Info is the server's state and accounting (miner.stratum.info).
type Info struct {
	Listen          []string     `json:"listen"`
	Open            bool         `json:"open"`
	CoinbaseTag     string       `json:"coinbase_tag"`
	Extranonce2Size int          `json:"extranonce2_size"`
	Difficulty      float64      `json:"difficulty"`
	ShareInterval   float64      `json:"share_interval"` // seconds; 0: fixed difficulty
	Connections     int          `json:"connections"`
	Job             *JobInfo     `json:"job"`
	Totals          TallyInfo    `json:"totals"`
	Workers         []WorkerInfo `json:"workers"`
	Conns           []ConnInfo   `json:"conns"`
	Blocks          []BlockInfo  `json:"blocks"`
}

// Stats is the summary the metrics read.
type Stats struct {
	Connections int
	Workers     int // with a live connection
	Accepted    uint64
	Rejected    map[string]uint64
	Blocks      uint64
	Hashrate    float64
}

func sortWorkers(ws []WorkerInfo) {
	sort.Slice(ws, func(i, j int) bool { return ws[i].Name < ws[j].Name })
}
