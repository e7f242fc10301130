package ggwallet

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
)

func addressCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "address",
		Usage:     "hand out and list receive addresses",
		UsageText: "gg-wallet address new [--account NAME] [--lock-height H | --lock-blocks N | --lock-until TIME | --lock-for DURATION]\n   gg-wallet [--json] address list [--account NAME]",
		Subcommands: []*ucli.Command{
			{
				Name:  "new",
				Usage: "print a new receive address (a new --account is created; needs unlock)",
				UsageText: "gg-wallet address new [--account NAME] [--lock-height H | --lock-blocks N | --lock-until TIME | --lock-for DURATION]\n\n" +
					"With a lock the address is time-locked (GameGold's locktype): coins paid to it count as\n" +
					"locked, with their release, and cannot be spent until the tip reaches height H\n" +
					"(--lock-height, CLTV), N-1 blocks after the payment confirms (--lock-blocks, CSV), the\n" +
					"chain's median time passes TIME (--lock-until, CLTV: RFC 3339 such as\n" +
					"2027-01-01T00:00:00Z, or a unix time), or DURATION after the payment confirms\n" +
					"(--lock-for, CSV: such as 2h, 90m or 30d, rounded up to 512 s, at most 388 days), both\n" +
					"measured by the median time past of the last 11 blocks, which lags the clock by about\n" +
					"an hour. With --json the witness script is printed too.",
				Flags: []ucli.Flag{accountFlag("default"),
					&ucli.Uint64Flag{Name: "lock-height", Aliases: []string{"locktime"}, Usage: "time-lock coins paid to the address until block `H` (CLTV)"},
					&ucli.Uint64Flag{Name: "lock-blocks", Usage: "time-lock coins paid to the address for `N` blocks after they confirm (CSV)"},
					&ucli.StringFlag{Name: "lock-until", Usage: "time-lock coins paid to the address until `TIME` (RFC 3339 or unix time; CLTV)"},
					&ucli.StringFlag{Name: "lock-for", Usage: "time-lock coins paid to the address for `DURATION` after they confirm (2h, 30d; CSV)"}},
				Action: func(c *ucli.Context) error {
					if err := cli.WantArgs(c, 0, "no arguments"); err != nil {
						return err
					}
					lock, err := lockFlags(c, time.Now())
					if err != nil {
						return err
					}
					if lock != (rpc.TimeLockRequest{}) {
						var raw json.RawMessage
						if err := call(c, "address.create", &raw, c.String("account"), lock.Height, lock.Blocks, lock.Time, lock.Seconds); err != nil {
							return err
						}
						if cli.JSONMode(c) {
							return cli.WriteJSON(c, raw)
						}
						var j rpc.WalletTimeLockJSON
						if err := json.Unmarshal(raw, &j); err != nil {
							return err
						}
						_, err = fmt.Fprintln(c.App.Writer, j.Address)
						return err
					}
					var addr string
					if err := call(c, "address.create", &addr, c.String("account")); err != nil {
						return err
					}
					return cli.PrintValue(c, "address", addr)
				},
			},
			{
				Name:      "list",
				Usage:     "list the addresses handed out",
				UsageText: "gg-wallet [--json] address list [--account NAME]",
				Flags:     []ucli.Flag{accountFlag("*")},
				Action: func(c *ucli.Context) error {
					if c.NArg() > 0 {
						return cli.Usagef("unexpected argument %q", c.Args().First())
					}
					var raw json.RawMessage
					if err := call(c, "address.list", &raw, c.String("account")); err != nil {
						return err
					}
					return cli.PrintResult(c, raw, addressTable)
				},
			},
		},
	}
}

func addressTable(raw json.RawMessage) ([]string, [][]string, error) {
	var as []rpc.WalletAddressJSON
	if err := json.Unmarshal(raw, &as); err != nil {
		return nil, nil, err
	}
	rows := [][]string{}
	for _, a := range as {
		kind := "receive"
		if a.Change {
			kind = "change"
		}
		rows = append(rows, []string{a.Address, a.Account, kind, a.Path, a.Label})
	}
	return []string{"ADDRESS", "ACCOUNT", "CHAIN", "PATH", "LABEL"}, rows, nil
}

// Limits of the lock flags: the wallet's.
const (
	lockTimeThreshold = wallet.LockTimeThreshold
	maxLockFor        = time.Duration(wallet.MaxLockSeconds) * time.Second // BIP68: 65535 units of 512 s
)

// lockFlags reads address new's lock flags (at most one) into the
// address.create request; now judges --lock-until in the past.
func lockFlags(c *ucli.Context, now time.Time) (rpc.TimeLockRequest, error) {
	var req rpc.TimeLockRequest
	var given []string
	for _, f := range []string{"lock-height", "lock-blocks", "lock-until", "lock-for"} {
		if c.IsSet(f) {
			given = append(given, "--"+f)
		}
	}
	if len(given) > 1 {
		return req, cli.Usagef("give one of --lock-height, --lock-blocks, --lock-until and --lock-for, not %s", strings.Join(given, " and "))
	}
	if h := c.Uint64("lock-height"); h >= lockTimeThreshold {
		return req, cli.WithHint(cli.Usagef("bad --lock-height %d: a height is below %d", h, lockTimeThreshold),
			"to lock until a time, use --lock-until (such as 2027-01-01T00:00:00Z)")
	} else {
		req.Height = uint32(h)
	}
	if n := c.Uint64("lock-blocks"); n > uint64(wallet.MaxLockBlocks) {
		return req, cli.Usagef("bad --lock-blocks %d: at most %d", n, wallet.MaxLockBlocks)
	} else {
		req.Blocks = uint32(n)
	}
	if s := c.String("lock-until"); s != "" {
		t, err := parseLockUntil(s)
		if err != nil {
			return req, err
		}
		if !t.After(now) {
			return req, cli.Usagef("bad --lock-until %s: the time is not in the future", s)
		}
		req.Time = uint32(t.Unix())
	}
	if s := c.String("lock-for"); s != "" {
		d, err := parseLockFor(s)
		if err != nil {
			return req, err
		}
		req.Seconds = uint32((d + time.Second - 1) / time.Second)
	}
	return req, nil
}

// parseLockUntil reads an RFC 3339 time (2027-01-01T00:00:00Z), a date
// (2027-01-01, midnight UTC) or a unix time of at least 500000000.
func parseLockUntil(s string) (time.Time, error) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		if n < lockTimeThreshold {
			return time.Time{}, cli.Usagef("bad --lock-until %s: a unix time is at least %d (smaller numbers are heights: --lock-height)", s, lockTimeThreshold)
		}
		return time.Unix(int64(n), 0), nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Unix() < lockTimeThreshold || t.Unix() > 1<<32-1 {
				return time.Time{}, cli.Usagef("bad --lock-until %s: want a time from 1985-11-05 to 2106-02-07", s)
			}
			return t, nil
		}
	}
	return time.Time{}, cli.Usagef("bad --lock-until %q: want an RFC 3339 time such as 2027-01-01T00:00:00Z, a date or a unix time", s)
}

// parseLockFor reads a positive duration: Go's form (2h, 90m, 1h30m) or
// whole days (30d), at most 65535 units of 512 s.
func parseLockFor(s string) (time.Duration, error) {
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n uint64
		if n, err = strconv.ParseUint(days, 10, 16); err == nil {
			d = time.Duration(n) * 24 * time.Hour
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	switch {
	case err != nil || d <= 0:
		return 0, cli.Usagef("bad --lock-for %q: want a duration such as 2h, 90m or 30d", s)
	case d > maxLockFor:
		return 0, cli.Usagef("bad --lock-for %s: at most %s (65535 units of 512 s, about 388 days)", s, maxLockFor)
	}
	return d, nil
}
