package mempool

import (
	"math"
	"time"
)

// rollingFee is the pool's minimum fee rate after size-cap evictions: it
// jumps to the evicted package's rate plus the relay increment and then
// halves every halfLife, dropping to zero once under half the relay rate.
type rollingFee struct {
	rate     float64 // dust per kvB as of last
	last     time.Time
	halfLife time.Duration
}

// at returns the rate in force at now; it does not modify r.
func (r *rollingFee) at(now time.Time, minRelay int64) int64 {
	if r.rate <= 0 {
		return 0
	}
	rate := r.rate
	if el := now.Sub(r.last); el > 0 && r.halfLife > 0 {
		rate *= math.Pow(0.5, float64(el)/float64(r.halfLife))
	}
	if rate < float64(minRelay)/2 {
		return 0
	}
	return int64(math.Ceil(rate))
}

// bump raises the rate to at least rate, as of now.
func (r *rollingFee) bump(rate int64, now time.Time, minRelay int64) {
	cur := r.at(now, minRelay)
	if rate < cur {
		rate = cur
	}
	r.rate, r.last = float64(rate), now
}
