package ggwallet

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/wallet"
)

func TestParseLockUntil(t *testing.T) {
	for in, want := range map[string]int64{
		"2027-01-01T00:00:00Z":      1798761600,
		"2027-01-01T02:00:00+02:00": 1798761600,
		"2027-01-01":                1798761600,
		"1798761600":                1798761600,
		"500000000":                 500_000_000,
	} {
		got, err := parseLockUntil(in)
		if err != nil || got.Unix() != want {
			t.Errorf("%s: %d %v, want %d", in, got.Unix(), err, want)
		}
	}
	for in, msg := range map[string]string{
		"499999999":            "a unix time is at least 500000000",
		"1985-01-01T00:00:00Z": "from 1985-11-05",
		"2200-01-01":           "to 2106-02-07",
		"tomorrow":             "want an RFC 3339 time",
		"2027-13-01":           "want an RFC 3339 time",
	} {
		if _, err := parseLockUntil(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", in, err, msg)
		}
	}
}

func TestParseLockFor(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"2h": 2 * time.Hour, "90m": 90 * time.Minute, "1h30m": 90 * time.Minute, "30d": 30 * 24 * time.Hour,
		"1s": time.Second, "388d": 388 * 24 * time.Hour,
	} {
		if got, err := parseLockFor(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for in, msg := range map[string]string{
		"0": "want a duration", "-2h": "want a duration", "soon": "want a duration", "2": "want a duration",
		"389d": "at most", "9400h": "at most", "d": "want a duration", "1.5d": "want a duration",
	} {
		if _, err := parseLockFor(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", in, err, msg)
		}
	}
}

// TestLockLimitsAreTheWallets: the client refuses exactly what the wallet
// would: --lock-for up to wallet.MaxLockSeconds (BIP68's 65535 units of
// 512 s), --lock-until from wallet.LockTimeThreshold.
func TestLockLimitsAreTheWallets(t *testing.T) {
	max := fmt.Sprintf("%ds", wallet.MaxLockSeconds)
	if d, err := parseLockFor(max); err != nil || d != time.Duration(wallet.MaxLockSeconds)*time.Second {
		t.Errorf("%s: %v %v", max, d, err)
	}
	over := fmt.Sprintf("%ds", wallet.MaxLockSeconds+1)
	if _, err := parseLockFor(over); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("%s: %v, want at most", over, err)
	}
	if _, err := parseLockUntil(fmt.Sprint(wallet.LockTimeThreshold)); err != nil {
		t.Errorf("the threshold: %v", err)
	}
	if _, err := parseLockUntil(fmt.Sprint(wallet.LockTimeThreshold - 1)); err == nil {
		t.Error("a height taken for a time")
	}
}
