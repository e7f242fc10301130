package ggwallet

import (
	"errors"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

// EnvPassphrase names the environment variable holding the passphrase.
const EnvPassphrase = "GG_PASSPHRASE"

func passphraseFlag() *ucli.StringFlag {
	return &ucli.StringFlag{Name: "passphrase-file", Usage: "read the passphrase from `FILE` (first line; - for stdin; else $" + EnvPassphrase + " or a prompt)"}
}

// EnvBackupPassphrase names the environment variable holding a backup's
// passphrase.
const EnvBackupPassphrase = "GG_BACKUP_PASSPHRASE"

func backupPassphraseFlag() *ucli.StringFlag {
	return &ucli.StringFlag{Name: "backup-passphrase-file",
		Usage: "read the backup's passphrase from `FILE` (first line; - for stdin; else $" + EnvBackupPassphrase + " or a prompt)"}
}

// readPassphrase returns the passphrase from --passphrase-file, then
// $GG_PASSPHRASE, then a prompt on the terminal (twice when confirm).
func readPassphrase(c *ucli.Context, confirm bool) (string, error) {
	return readSecret(c, "passphrase-file", EnvPassphrase, "passphrase", confirm)
}

// readBackupPassphrase is readPassphrase for a backup's passphrase.
func readBackupPassphrase(c *ucli.Context, confirm bool) (string, error) {
	return readSecret(c, "backup-passphrase-file", EnvBackupPassphrase, "backup passphrase", confirm)
}

// readSecret returns the first line of the file (or stdin, "-") named by
// flag, else $env, else what is asked for on a terminal.
func readSecret(c *ucli.Context, flag, env, what string, confirm bool) (string, error) {
	if path := c.String(flag); path != "" {
		s, err := cli.ReadSecret(c, path, what, confirm)
		if err != nil {
			return "", err
		}
		pass := cli.FirstLine(s)
		switch {
		case pass != "":
			return pass, nil
		case path == "-":
			return "", cli.Usagef("no %s on stdin", what)
		default:
			return "", cli.Usagef("%s file %s is empty", what, path)
		}
	}
	if pass := os.Getenv(env); pass != "" {
		return pass, nil
	}
	pass, err := cli.PromptSecret(c, what, confirm)
	if errors.Is(err, cli.ErrNoTerminal) {
		return "", cli.WithHint(err, "pass --"+flag+" FILE (or - for stdin) or set "+env)
	}
	return pass, err
}
