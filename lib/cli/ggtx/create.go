package ggtx

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

type createOptions struct {
	ins, outs []string
	version   int64
	locktime  uint64
	sequence  uint64
	json      bool
}

func createCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "create",
		Usage:     "build an unsigned transaction",
		UsageText: "gg-tx create [--in TXID:VOUT[:SEQ]]... [--out ADDR=AMOUNT | --out data=HEX]... [--locktime N] [--sequence N] [--version N]",
		Description: "Amounts are in GG (decimal, at most 8 places). An input's sequence defaults to\n" +
			"0xfffffffd (locktime enabled, replaceable) when --locktime is set, else 0xffffffff.",
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "in", Usage: "input `TXID:VOUT[:SEQUENCE]` (repeatable)"},
			&ucli.StringSliceFlag{Name: "out", Usage: "output `ADDR=AMOUNT` or data=HEX (repeatable)"},
			&ucli.Int64Flag{Name: "version", Value: 2, Usage: "transaction version"},
			&ucli.Uint64Flag{Name: "locktime", Usage: "lock time: a height (< 500000000) or a unix time"},
			&ucli.Uint64Flag{Name: "sequence", Usage: "default sequence for inputs without one"},
		},
		Action: func(c *ucli.Context) error {
			p, err := cli.Network(c)
			if err != nil {
				return err
			}
			opts := createOptions{ins: c.StringSlice("in"), outs: c.StringSlice("out"), version: c.Int64("version"),
				locktime: c.Uint64("locktime"), sequence: c.Uint64("sequence"), json: cli.JSONMode(c)}
			if !c.IsSet("sequence") {
				opts.sequence = uint64(wire.MaxTxInSequenceNum)
				if opts.locktime != 0 {
					opts.sequence = 0xfffffffd
				}
			}
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q: inputs and outputs go in --in/--out flags, before any argument", c.Args().First())
			}
			tx, err := runCreate(opts, p)
			if err != nil {
				return err
			}
			return printTx(c, tx, p)
		},
	}
}

func runCreate(o createOptions, p *chaincfg.Params) (*wire.MsgTx, error) {
	if o.version < 1 || o.version > 0x7fffffff {
		return nil, cli.Usagef("bad --version %d", o.version)
	}
	if o.locktime > 0xffffffff || o.sequence > 0xffffffff {
		return nil, cli.Usagef("--locktime and --sequence must fit in 32 bits")
	}
	tx := wire.NewMsgTx(int32(o.version))
	tx.LockTime = uint32(o.locktime)
	for _, s := range o.ins {
		in, err := parseInput(s, uint32(o.sequence))
		if err != nil {
			return nil, err
		}
		tx.AddTxIn(in)
	}
	for _, s := range o.outs {
		out, err := parseOutput(s, p)
		if err != nil {
			return nil, err
		}
		tx.AddTxOut(out)
	}
	if len(tx.TxOut) == 0 {
		return nil, cli.Usagef("no outputs: add --out ADDR=AMOUNT")
	}
	return tx, nil
}

func parseInput(s string, defSeq uint32) (*wire.TxIn, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, cli.Usagef("bad --in %q: want TXID:VOUT[:SEQUENCE]", s)
	}
	op, err := wire.ParseOutPoint(parts[0] + ":" + parts[1])
	if err != nil {
		return nil, cli.Usagef("bad --in %q: %v", s, err)
	}
	seq := defSeq
	if len(parts) == 3 {
		v, err := strconv.ParseUint(parts[2], 0, 32)
		if err != nil {
			return nil, cli.Usagef("bad sequence in --in %q", s)
		}
		seq = uint32(v)
	}
	return &wire.TxIn{PreviousOutPoint: op, Sequence: seq}, nil
}

func parseOutput(s string, p *chaincfg.Params) (*wire.TxOut, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" || v == "" {
		return nil, cli.Usagef("bad --out %q: want ADDR=AMOUNT or data=HEX", s)
	}
	if k == "data" {
		data, err := hex.DecodeString(v)
		if err != nil {
			return nil, cli.Usagef("bad --out %q: data is not hex", s)
		}
		pk, err := script.NullDataScript(data)
		if err != nil {
			return nil, cli.Usagef("bad --out %q: %v", s, err)
		}
		return &wire.TxOut{PkScript: pk}, nil
	}
	a, err := address.Decode(k, p)
	if err != nil {
		return nil, cli.WithHint(cli.Usagef("bad --out %q: %v", s, err), fmt.Sprintf("this is the %s network (--network)", p.Name))
	}
	amt, err := amount.Parse(v)
	if err != nil {
		return nil, cli.Usagef("bad amount in --out %q: %v", s, err)
	}
	return &wire.TxOut{Value: int64(amt), PkScript: a.PkScript()}, nil
}

// printTx writes one line of hex, or the decoded JSON with --json.
func printTx(c *ucli.Context, tx *wire.MsgTx, p *chaincfg.Params) error {
	if cli.JSONMode(c) {
		return cli.WriteJSON(c, rpc.NewTxJSON(tx, p))
	}
	_, err := fmt.Fprintln(c.App.Writer, hex.EncodeToString(tx.Bytes()))
	return err
}
