package ggtx

import (
	"fmt"
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
				Usage:     "print a new private key (WIF); --json adds its address and public key",
				UsageText: "gg-tx key new [--type p2wpkh]",
				Flags:     []ucli.Flag{typeFlag},
				Action: func(c *ucli.Context) error {
					p, err := cli.Network(c)
					if err != nil {
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
					if c.Bool(cli.FlagJSON) {
						return cli.PrintJSON(c.App.Writer, map[string]string{"wif": wif, "address": addr,
							"pubkey": fmt.Sprintf("%x", priv.PubKey().SerializeCompressed())})
					}
					_, err = fmt.Fprintln(c.App.Writer, wif)
					return err
				},
			},
			{
				Name:      "address",
				Usage:     "print the address of a WIF key (argument, stdin or a key file's first line)",
				UsageText: "gg-tx key address [--type p2wpkh] [WIF|-]",
				Flags:     []ucli.Flag{typeFlag},
				Action: func(c *ucli.Context) error {
					p, err := cli.Network(c)
					if err != nil {
						return err
					}
					s, err := cli.ArgOrStdin(c, 0, "WIF key")
					if err != nil {
						return err
					}
					s, _, _ = strings.Cut(s, "\n")
					priv, comp, err := keys.DecodeWIF(strings.TrimSpace(s), p)
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
					_, err = fmt.Fprintln(c.App.Writer, addr)
					return err
				},
			},
		},
	}
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
