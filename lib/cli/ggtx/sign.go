package ggtx

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// prevout describes the output an input spends, in the JSON shape of
// bitcoind's signrawtransactionwithkey prevtxs.
type prevout struct {
	Txid          string          `json:"txid"`
	Vout          uint32          `json:"vout"`
	Amount        json.RawMessage `json:"amount"` // GG as number or string
	ScriptPubKey  string          `json:"scriptPubKey"`
	RedeemScript  string          `json:"redeemScript,omitempty"`
	WitnessScript string          `json:"witnessScript,omitempty"`
}

type signResult struct {
	Hex      string      `json:"hex"`
	Complete bool        `json:"complete"`
	Errors   []signError `json:"errors,omitempty"`
}

type signError struct {
	Input int    `json:"input"`
	Txid  string `json:"txid"`
	Vout  uint32 `json:"vout"`
	Error string `json:"error"`
}

func signCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "sign",
		Usage: "sign a transaction's inputs with explicit keys",
		UsageText: "gg-tx sign [--key-file FILE|-]... [--prevout TXID:VOUT:AMOUNT:SCRIPTHEX]...\n" +
			"           [--prevouts FILE] [--redeem-script HEX]... [--sighash ALL] [HEX|-]",
		Description: "Signs P2PKH, P2WPKH, P2SH-P2WPKH and P2SH/P2WSH multisig inputs; multisig may be\n" +
			"signed partially and completed by another key holder later. Inputs this tool cannot\n" +
			"sign are left unchanged and reported on stderr (and in --json's \"errors\").\n\n" +
			"The keys come from key files: one WIF key a line, blank lines and '#' comments\n" +
			"skipped (gg-tx key new --out FILE writes one). --key-file - reads them from stdin,\n" +
			"the transaction then being an argument. --key WIF still works, with a warning:\n" +
			"every user of the machine sees a process's arguments.",
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "key-file", Usage: "`FILE` of WIF keys, one per line ('-': stdin; repeatable)"},
			&ucli.StringSliceFlag{Name: "key", Usage: "private key in `WIF` (repeatable; visible to other users in ps: prefer --key-file)"},
			&ucli.StringSliceFlag{Name: "prevout", Usage: "spent output `TXID:VOUT:AMOUNT:SCRIPTHEX` (repeatable)"},
			&ucli.StringFlag{Name: "prevouts", Usage: "JSON `FILE`: [{txid,vout,amount,scriptPubKey,redeemScript?,witnessScript?}]"},
			&ucli.StringSliceFlag{Name: "redeem-script", Usage: "P2SH redeem or P2WSH witness script `HEX` (repeatable)"},
			&ucli.StringFlag{Name: "sighash", Value: "ALL", Usage: "ALL, NONE or SINGLE, optionally |ANYONECANPAY"},
			&ucli.BoolFlag{Name: "lookup", Usage: "look up spent outputs not given by --prevout/--prevouts on the node (gettxout: mempool, then confirmed)"},
		},
		Action: func(c *ucli.Context) error {
			p, err := cli.Network(c)
			if err != nil {
				return err
			}
			kdb, err := loadKeys(c, p)
			if err != nil {
				return err
			}
			sdb := scriptDB{}
			prevs, err := loadPrevouts(c.StringSlice("prevout"), c.String("prevouts"), sdb)
			if err != nil {
				return err
			}
			for _, s := range c.StringSlice("redeem-script") {
				if err := sdb.add(s); err != nil {
					return err
				}
			}
			ht, err := parseSigHash(c.String("sighash"))
			if err != nil {
				return err
			}
			tx, err := readTx(c)
			if err != nil {
				return err
			}
			if c.Bool("lookup") {
				if err := lookupPrevouts(c, tx, prevs); err != nil {
					return err
				}
			}
			res := runSign(tx, kdb, sdb, prevs, ht)
			for _, e := range res.Errors {
				fmt.Fprintf(c.App.ErrWriter, "gg-tx: warning: input %d (%s:%d) not signed: %s\n", e.Input, e.Txid, e.Vout, e.Error)
			}
			if cli.JSONMode(c) {
				return cli.WriteJSON(c, res)
			}
			_, err = fmt.Fprintln(c.App.Writer, res.Hex)
			return err
		},
	}
}

type spent struct {
	amount   int64
	pkScript []byte
}

func runSign(tx *wire.MsgTx, kdb keyDB, sdb scriptDB, prevs map[wire.OutPoint]spent, ht script.SigHashType) signResult {
	res := signResult{Complete: true}
	hashes := script.NewSigHashes(tx)
	for i, in := range tx.TxIn {
		op := in.PreviousOutPoint
		fail := func(msg string) {
			res.Complete = false
			res.Errors = append(res.Errors, signError{Input: i, Txid: op.Hash.String(), Vout: op.Index, Error: msg})
		}
		prev, ok := prevs[op]
		if !ok {
			fail("spent output unknown: pass --prevout " + op.String() + ":AMOUNT:SCRIPTHEX")
			continue
		}
		complete, err := script.SignInput(tx, i, prev.pkScript, prev.amount, ht, kdb, sdb, hashes)
		switch {
		case err != nil:
			fail(err.Error())
		case !complete:
			fail("more signatures needed")
		}
	}
	res.Hex = hex.EncodeToString(tx.Bytes())
	return res
}

type keyDB map[string]struct {
	key        *btcec.PrivateKey
	compressed bool
}

func (k keyDB) GetKey(h []byte) (*btcec.PrivateKey, bool, bool) {
	e, ok := k[string(h)]
	return e.key, e.compressed, ok
}

// loadKeys reads the keys of --key-file (every line) and --key (with the
// warning): the keys and a transaction read from stdin cannot share it.
func loadKeys(c *ucli.Context, p *chaincfg.Params) (keyDB, error) {
	wifs := c.StringSlice("key")
	if len(wifs) > 0 {
		cli.WarnSecretArg(c, "a key", "--key-file")
	}
	for _, f := range c.StringSlice("key-file") {
		if f == "-" && (c.NArg() == 0 || c.Args().First() == "-") {
			return nil, cli.WithHint(cli.Usagef("the keys and the transaction both come from stdin"),
				"give the transaction as an argument, or the keys in a file")
		}
		list, err := readKeyFile(c, f)
		if err != nil {
			return nil, err
		}
		wifs = append(wifs, list...)
	}
	kdb := keyDB{}
	for i, w := range wifs {
		priv, comp, err := keys.DecodeWIF(w, p)
		if err != nil {
			return nil, cli.Usagef("key %d: %v", i+1, err)
		}
		pub := priv.PubKey().SerializeUncompressed()
		if comp {
			pub = priv.PubKey().SerializeCompressed()
		}
		kdb[string(keys.Hash160(pub))] = struct {
			key        *btcec.PrivateKey
			compressed bool
		}{priv, comp}
	}
	if len(kdb) == 0 {
		return nil, cli.Usagef("no keys: pass --key-file FILE ('-': stdin)")
	}
	return kdb, nil
}

// scriptDB holds redeem scripts by hash160 and witness scripts by sha256.
type scriptDB map[string][]byte

func (s scriptDB) GetScript(h []byte) ([]byte, bool) { b, ok := s[string(h)]; return b, ok }

func (s scriptDB) add(hexScript string) error {
	b, err := hex.DecodeString(hexScript)
	if err != nil || len(b) == 0 {
		return cli.Usagef("bad script hex %q", hexScript)
	}
	sum := sha256.Sum256(b)
	s[string(keys.Hash160(b))] = b
	s[string(sum[:])] = b
	return nil
}

func loadPrevouts(flags []string, file string, sdb scriptDB) (map[wire.OutPoint]spent, error) {
	var list []prevout
	for _, f := range flags {
		parts := strings.Split(f, ":")
		if len(parts) != 4 {
			return nil, cli.Usagef("bad --prevout %q: want TXID:VOUT:AMOUNT:SCRIPTHEX", f)
		}
		list = append(list, prevout{Txid: parts[0], Amount: json.RawMessage(`"` + parts[2] + `"`), ScriptPubKey: parts[3]})
		if _, err := fmt.Sscanf(parts[1], "%d", &list[len(list)-1].Vout); err != nil {
			return nil, cli.Usagef("bad vout in --prevout %q", f)
		}
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, cli.Failf("read prevouts: %v", err)
		}
		var fromFile []prevout
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fromFile); err != nil {
			return nil, cli.Usagef("prevouts file %s: %v", file, err)
		}
		list = append(list, fromFile...)
	}
	out := map[wire.OutPoint]spent{}
	for _, pv := range list {
		op, err := wire.ParseOutPoint(fmt.Sprintf("%s:%d", pv.Txid, pv.Vout))
		if err != nil {
			return nil, cli.Usagef("prevout %s: %v", pv.Txid, err)
		}
		amt, err := parseAmountJSON(pv.Amount)
		if err != nil {
			return nil, cli.Usagef("prevout %s amount: %v", op, err)
		}
		pk, err := hex.DecodeString(pv.ScriptPubKey)
		if err != nil || len(pk) == 0 {
			return nil, cli.Usagef("prevout %s: scriptPubKey is not hex", op)
		}
		for _, s := range []string{pv.RedeemScript, pv.WitnessScript} {
			if s != "" {
				if err := sdb.add(s); err != nil {
					return nil, err
				}
			}
		}
		out[op] = spent{amount: int64(amt), pkScript: pk}
	}
	return out, nil
}

func parseAmountJSON(raw json.RawMessage) (amount.Amount, error) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	return amount.Parse(s)
}

func parseSigHash(s string) (script.SigHashType, error) {
	base, acp, _ := strings.Cut(strings.ToUpper(s), "|")
	var t script.SigHashType
	switch base {
	case "ALL":
		t = script.SigHashAll
	case "NONE":
		t = script.SigHashNone
	case "SINGLE":
		t = script.SigHashSingle
	default:
		return 0, cli.Usagef("bad --sighash %q: want ALL, NONE or SINGLE[|ANYONECANPAY]", s)
	}
	switch acp {
	case "":
	case "ANYONECANPAY":
		t |= script.SigHashAnyoneCanPay
	default:
		return 0, cli.Usagef("bad --sighash %q", s)
	}
	return t, nil
}

// lookupPrevouts asks the node (gettxout with the mempool) for every spent
// output the flags did not describe.
func lookupPrevouts(c *ucli.Context, tx *wire.MsgTx, prevs map[wire.OutPoint]spent) error {
	client, err := cli.NodeClient(c)
	if err != nil {
		return err
	}
	for _, in := range tx.TxIn {
		op := in.PreviousOutPoint
		if _, ok := prevs[op]; ok {
			continue
		}
		var out *struct {
			Value        json.RawMessage `json:"value"`
			ScriptPubKey struct {
				Hex string `json:"hex"`
			} `json:"scriptPubKey"`
		}
		// With the mempool first (outputs of unconfirmed parents); then the
		// confirmed view alone, which still shows a coin that a mempool
		// transaction spends — needed to sign its replacement.
		for _, withMempool := range []bool{true, false} {
			if err := client.Call(c.Context, "gettxout", &out, op.Hash.String(), op.Index, withMempool); err != nil {
				return cli.CallError(err, "look up "+op.String(), false)
			}
			if out != nil {
				break
			}
		}
		if out == nil {
			continue // unknown or spent: reported as unsigned below
		}
		amt, err1 := parseAmountJSON(out.Value)
		pk, err2 := hex.DecodeString(out.ScriptPubKey.Hex)
		if err1 != nil || err2 != nil {
			return cli.Failf("node returned a malformed output for %s", op)
		}
		prevs[op] = spent{amount: int64(amt), pkScript: pk}
	}
	return nil
}
