package ggwallet

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

type createOptions struct {
	passphrase string
	mnemonic   string // restore
	birthday   uint64
}

func createCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "create",
		Usage:     "create the node's wallet, encrypted with a passphrase; prints the mnemonic once on stderr",
		UsageText: "gg-wallet create [--passphrase-file FILE]",
		Description: "The mnemonic (recovery phrase) goes to stderr, once: write it down. The\n" +
			"wallet starts locked; run 'gg-wallet unlock' before spending.",
		Flags: []ucli.Flag{passphraseFlag()},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q", c.Args().First())
			}
			pass, err := readPassphrase(c, true)
			if err != nil {
				return err
			}
			return runCreate(c, createOptions{passphrase: pass})
		},
	}
}

func restoreCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "restore",
		Usage: "recreate the node's wallet from a mnemonic (stdin or --mnemonic-file) or a backup file",
		UsageText: "gg-wallet restore [--passphrase-file FILE] [--mnemonic-file FILE] [--birthday HEIGHT] < mnemonic.txt\n" +
			"   gg-wallet restore --backup FILE [--backup-passphrase-file FILE] [--passphrase-file FILE]",
		Description: "The wallet rescans the chain from --birthday (default 0) for its coins.\n" +
			"The mnemonic is never taken from an argument (it would show in the process list).\n" +
			"With --backup the wallet comes from a 'gg-wallet backup' file: accounts with their\n" +
			"names, imported keys, watch-only entries, scripts and labels too, and the rescan\n" +
			"starts at the backup's birthday. The new wallet is encrypted with --passphrase-file\n" +
			"(or GG_PASSPHRASE, or a prompt); the backup opens with its own passphrase.",
		Flags: []ucli.Flag{passphraseFlag(),
			&ucli.StringFlag{Name: "mnemonic-file", Usage: "read the mnemonic from `FILE` (- or none: stdin)"},
			&ucli.Uint64Flag{Name: "birthday", Usage: "block `HEIGHT` before which the wallet had no transactions"},
			&ucli.StringFlag{Name: "backup", Usage: "restore from the backup `FILE` written by gg-wallet backup"},
			backupPassphraseFlag(),
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument: give the mnemonic on stdin or with --mnemonic-file")
			}
			if path := c.String("backup"); path != "" {
				if c.IsSet("mnemonic-file") || c.IsSet("birthday") {
					return cli.Usagef("--backup holds the seed and birthday: drop --mnemonic-file and --birthday")
				}
				return runRestoreBackup(c, path)
			}
			var m string
			if path := c.String("mnemonic-file"); path != "" {
				s, err := cli.ReadSecret(c, path, "mnemonic", false)
				if err != nil {
					return err
				}
				m = s
			} else {
				s, err := cli.ReadStdin(c, "mnemonic")
				if err != nil {
					return err
				}
				m = s
			}
			m = strings.Join(strings.Fields(m), " ")
			if m == "" {
				return cli.Usagef("empty mnemonic")
			}
			if c.Uint64("birthday") > 1<<31-1 {
				return cli.Usagef("--birthday out of range")
			}
			pass, err := readPassphrase(c, true)
			if err != nil {
				return err
			}
			return runCreate(c, createOptions{passphrase: pass, mnemonic: m, birthday: c.Uint64("birthday")})
		},
	}
}

func runCreate(c *ucli.Context, o createOptions) error {
	var res struct {
		Mnemonic string `json:"mnemonic"`
	}
	params := []any{o.passphrase}
	if o.mnemonic != "" {
		params = append(params, o.mnemonic, o.birthday)
	}
	if err := call(c, "wallet.create", &res, params...); err != nil {
		return err
	}
	w := c.App.ErrWriter
	if o.mnemonic != "" {
		fmt.Fprintln(w, "gg-wallet: wallet restored; it is locked: run 'gg-wallet unlock' to spend")
		return printState(c, map[string]any{"restored": true, "locked": true, "birthday": o.birthday})
	}
	fmt.Fprintln(w, "gg-wallet: wallet created. Write down this recovery phrase; it is shown only once:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "    "+res.Mnemonic)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "gg-wallet: the wallet is locked: run 'gg-wallet unlock' to spend")
	return printState(c, map[string]any{"created": true, "locked": true})
}
