package ggwallet

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

type backupOptions struct {
	out        string
	force      bool
	passphrase string
}

func backupCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "backup",
		Usage:     "write an encrypted backup of the wallet to a file (needs unlock)",
		UsageText: "gg-wallet backup --out FILE [--force] [--backup-passphrase-file FILE]",
		Description: "The backup holds the seed and mnemonic, the accounts (names and the addresses\n" +
			"handed out), imported keys, watch-only addresses and xpubs, imported and\n" +
			"time-locked scripts, labels and the birthday, sealed with argon2id and\n" +
			"XChaCha20-Poly1305 under a backup passphrase of at least 8 characters (asked\n" +
			"twice on a terminal).\n" +
			"The file is created with mode 0600; an existing file is kept unless --force.\n" +
			"stdout gets a JSON summary of what the backup holds.\n" +
			"Restore it with: gg-wallet restore --backup FILE",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "out", Usage: "write the backup to `FILE`", Required: true},
			&ucli.BoolFlag{Name: "force", Usage: "overwrite FILE if it exists"},
			backupPassphraseFlag(),
		},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 0, "no arguments"); err != nil {
				return err
			}
			o := backupOptions{out: c.String("out"), force: c.Bool("force")}
			if !o.force {
				if _, err := os.Stat(o.out); err == nil {
					return cli.WithHint(cli.Failf("%s exists", o.out), "choose another file, or pass --force to overwrite it")
				}
			}
			pass, err := readBackupPassphrase(c, true)
			if err != nil {
				return err
			}
			o.passphrase = pass
			return runBackup(c, o)
		},
	}
}

func runBackup(c *ucli.Context, o backupOptions) error {
	var res rpc.WalletBackupJSON
	if err := call(c, "wallet.backup", &res, o.passphrase); err != nil {
		return err
	}
	blob, err := base64.StdEncoding.DecodeString(res.Backup)
	if err != nil {
		return cli.Failf("the node sent a backup that is not base64: %v", err)
	}
	write := cli.WriteNewFile
	if o.force {
		write = cli.ReplaceFile // the old file stays whole if this one fails
	}
	err = write(o.out, blob, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return cli.WithHint(cli.Failf("%s exists", o.out), "choose another file, or pass --force to overwrite it")
	}
	if err != nil {
		return cli.Failf("backup: %v", err)
	}
	res.Backup = ""
	return cli.WriteJSON(c, struct {
		File string `json:"file"`
		rpc.WalletBackupJSON
	}{o.out, res})
}

// runRestoreBackup creates the node's wallet from a backup file.
func runRestoreBackup(c *ucli.Context, path string) error {
	blob, err := os.ReadFile(path)
	if err != nil {
		return cli.FileError(c, err, "backup file", path)
	}
	bpass, err := readBackupPassphrase(c, false)
	if err != nil {
		return err
	}
	pass, err := readPassphrase(c, true)
	if err != nil {
		return err
	}
	var res rpc.WalletBackupJSON
	err = call(c, "wallet.import", &res, base64.StdEncoding.EncodeToString(blob), bpass, pass)
	var ce *cli.Error
	if errors.As(err, &ce) && ce.Err != nil && ce.Err.Error() == "wrong backup passphrase" {
		return cli.WithHint(cli.Failf("wrong backup passphrase"), "check --backup-passphrase-file or "+EnvBackupPassphrase)
	}
	if err != nil {
		return err
	}
	if err := cli.WriteJSON(c, res); err != nil {
		return err
	}
	_, err = c.App.ErrWriter.Write([]byte("gg-wallet: wallet restored from backup; it is locked: run 'gg-wallet unlock' to spend\n"))
	return err
}
