package stratum

import "time"

// Vardiff tuning.
const (
	// retargetShares closes a vardiff window early: after this many
	// accepted shares the rate is measured.
	retargetShares = 12
	// retargetWindows: a window also closes after this many target share
	// intervals, shares or not.
	retargetWindows = 4
	// maxStep bounds one retarget to a factor of 4 either way.
	maxStep = 4.0
	// deadband: a change under 20% is not worth a set_difficulty.
	deadband = 0.2
)

// vardiff steers one connection's share difficulty towards one share per
// interval. It is not safe for concurrent use (the connection's lock
// guards it).
type vardiff struct {
	interval time.Duration // the share interval aimed at; 0: fixed difficulty
	min, max float64
	start    time.Time // of the current window
	shares   int       // accepted in it
	mined    bool      // a share was accepted on the connection
}

func newVardiff(interval time.Duration, min, max float64, now time.Time) vardiff {
	return vardiff{interval: interval, min: min, max: max, start: now}
}

// clamp bounds a difficulty to the configured range.
func (v *vardiff) clamp(d float64) float64 {
	return min(max(d, v.min), v.max)
}

// share counts an accepted share and returns the difficulty to move to,
// or 0 to keep cur.
func (v *vardiff) share(now time.Time, cur float64) float64 {
	v.mined = true
	v.shares++
	if v.shares < retargetShares {
		return 0
	}
	return v.retarget(now, cur)
}

// tick closes a window that ran its length without enough shares and
// returns the difficulty to move to, or 0 to keep cur.
func (v *vardiff) tick(now time.Time, cur float64) float64 {
	if v.interval <= 0 || now.Sub(v.start) < retargetWindows*v.interval {
		return 0
	}
	return v.retarget(now, cur)
}

// retarget measures the window and opens the next one.
func (v *vardiff) retarget(now time.Time, cur float64) float64 {
	elapsed, shares := now.Sub(v.start), v.shares
	v.start, v.shares = now, 0
	if v.interval <= 0 || elapsed <= 0 {
		return 0
	}
	// Shares arrive at rate difficulty⁻¹·hashrate: scale the difficulty
	// by the observed rate over the wanted one. No share at all counts
	// as half of one, so the difficulty falls by the widest step.
	observed := float64(shares)
	if observed == 0 {
		observed = 0.5
	}
	factor := observed * float64(v.interval) / float64(elapsed)
	factor = min(max(factor, 1/maxStep), maxStep)
	next := v.clamp(cur * factor)
	if next == cur || (next/cur > 1-deadband && next/cur < 1+deadband) {
		return 0
	}
	return next
}

// suggest takes a miner's suggested difficulty d and returns the
// difficulty to move to, or 0 to keep cur. d is clamped to the range. It
// may raise the difficulty at any time; it lowers it only as a starting
// difficulty, before any share is accepted and under vardiff (a fixed
// difficulty is only raised): afterwards vardiff alone lowers it, so a
// miner cannot hold its connection at the floor. A move opens a new
// window at now, so that shares at the old difficulty do not retarget
// the new one.
func (v *vardiff) suggest(now time.Time, cur, d float64) float64 {
	d = v.clamp(d)
	if d < cur && (v.mined || v.interval <= 0) || d == cur {
		return 0
	}
	v.start, v.shares = now, 0
	return d
}
