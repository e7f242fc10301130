package ggtx

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
)

func keyCommand() *ucli.Command {
	typeFlag := &ucli.StringFlag{Name: "type", Value: "p2wpkh", Usage: "address type: p2wpkh, p2pkh or p2sh-p2wpkh"}
	return &ucli.Command{
		Name:  "key",
		Usage: "create keys and derive their addresses",
		Subcommands: []*ucli.Command{
			{
				Name:      "new",
				Usage:     "print a new private key (WIF), or write it into a new file and print its address; --json adds address and public key",
				UsageText: "gg-tx key new [--type p2wpkh] [--out FILE]",
				Description: "With --out the key goes into FILE, created with mode 0600 (an existing file is\n" +
					"refused), and stdout carries its address: the key file serves gg-tx sign --key-file\n" +
					"and gg-tx key address --key-file.",
				Flags: []ucli.Flag{typeFlag,
					&ucli.StringFlag{Name: "out", Usage: "write the key into a new `FILE` (mode 0600) and print its address"}},
				Action: func(c *ucli.Context) error {
					p, err := cli.Network(c)
					if err != nil {
						return err
					}
					if err := cli.WantArgs(c, 0, "no arguments"); err != nil {
						return err
					}
					priv, err := keys.Generate()
					if err != nil {
						return err
					}
					wif := keys.EncodeWIF(priv, true, p)
					addr, err := keyAddress(keys.Hash160(priv.PubKey().SerializeCompressed()), c.String("type"), p)
					if err != nil {
						return err
					}
					out := map[string]string{"wif": wif, "address": addr, "pubkey": fmt.Sprintf("%x", priv.PubKey().SerializeCompressed())}
					line := wif
					if path := c.String("out"); path != "" {
						if err := writeKeyFile(path, wif); err != nil {
							return err
						}
						delete(out, "wif")
						out["file"] = path
						line = addr
					}
					if cli.JSONMode(c) {
						return cli.WriteJSON(c, out)
					}
					_, err = fmt.Fprintln(c.App.Writer, line)
					return err
				},
			},
			{
				Name:  "address",
				Usage: "print the address of a WIF key (key file, stdin or argument)",
				UsageText: "gg-tx key address [--type p2wpkh] [--key-file FILE|-]\n" +
					"   gg-tx key address [--type p2wpkh] < FILE",
				Description: "The key is the first of a key file (one WIF key a line, '#' comments skipped),\n" +
					"read from --key-file or stdin. A WIF argument still works, with a warning: every\n" +
					"user of the machine sees a process's arguments.",
				Flags: []ucli.Flag{typeFlag,
					&ucli.StringFlag{Name: "key-file", Usage: "read the key from `FILE` (its first key; '-': stdin)"}},
				Action: func(c *ucli.Context) error {
					p, err := cli.Network(c)
					if err != nil {
						return err
					}
					if c.NArg() > 1 {
						return cli.Usagef("want at most one key, got %d arguments", c.NArg())
					}
					var wif string
					switch arg, file := c.Args().First(), c.String("key-file"); {
					case file != "" && arg != "":
						return cli.Usagef("give the key in --key-file or as an argument, not both")
					case arg != "" && arg != "-":
						cli.WarnSecretArg(c, "a key", "--key-file")
						wif = strings.TrimSpace(arg)
					default:
						if file == "" {
							file = "-"
						}
						list, err := readKeyFile(c, file)
						if err != nil {
							return err
						}
						wif = list[0]
					}
					priv, comp, err := keys.DecodeWIF(wif, p)
					if err != nil {
						return cli.Usagef("%v", err)
					}
					pub := priv.PubKey().SerializeUncompressed()
					if comp {
						pub = priv.PubKey().SerializeCompressed()
					}
					addr, err := keyAddress(keys.Hash160(pub), c.String("type"), p)
					if err != nil {
						return err
					}
					return cli.PrintValue(c, "address", addr)
				},
			},
		},
	}
}

// readKeyFile returns the keys of a key file (stdin for "-", or one key
// asked for when stdin is a terminal): one WIF a line, blank lines and '#'
// comments skipped. A file without a key is refused.
func readKeyFile(c *ucli.Context, path string) ([]string, error) {
	if path == "-" && cli.StdinIsTerminal(c) {
		wif, err := cli.PromptSecret(c, "WIF key", false)
		return []string{strings.TrimSpace(wif)}, err
	}
	s, err := cli.ReadSecret(c, path, "key file", false)
	if err != nil {
		return nil, err
	}
	wifs := cli.SecretLines(s)
	if len(wifs) == 0 {
		if path == "-" {
			return nil, cli.Usagef("no keys: stdin holds no key")
		}
		return nil, cli.Usagef("no keys: key file %s holds no key", path)
	}
	return wifs, nil
}

// writeKeyFile writes wif into a new file only its owner can read.
func writeKeyFile(path, wif string) error {
	err := cli.WriteNewFile(path, []byte(wif+"\n"), 0o600)
	if errors.Is(err, fs.ErrExist) {
		return cli.WithHint(cli.Usagef("key file %s exists", path), "choose another file: gg-tx never overwrites a key")
	}
	if err != nil {
		return cli.Failf("key file: %v", err)
	}
	return nil
}

func keyAddress(h160 []byte, typ string, p *chaincfg.Params) (string, error) {
	switch typ {
	case "p2wpkh":
		return address.NewP2WPKH(h160, p).String(), nil
	case "p2pkh":
		return address.NewP2PKH(h160, p).String(), nil
	case "p2sh-p2wpkh":
		return address.NewP2SH(keys.Hash160(script.PayToWitnessPubKeyHash(h160)), p).String(), nil
	}
	return "", cli.Usagef("bad --type %q: want p2wpkh, p2pkh or p2sh-p2wpkh", typ)
}
