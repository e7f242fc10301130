package ggwallet

import (
	"fmt"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/gamegold/gg/lib/cli"
)

// EnvPassphrase names the environment variable holding the passphrase.
const EnvPassphrase = "GG_PASSPHRASE"

func passphraseFlag() *ucli.StringFlag {
	return &ucli.StringFlag{Name: "passphrase-file", Usage: "read the passphrase from `FILE` (first line; else $" + EnvPassphrase + " or a prompt)"}
}

// EnvBackupPassphrase names the environment variable holding a backup's
// passphrase.
const EnvBackupPassphrase = "GG_BACKUP_PASSPHRASE"

func backupPassphraseFlag() *ucli.StringFlag {
	return &ucli.StringFlag{Name: "backup-passphrase-file",
		Usage: "read the backup's passphrase from `FILE` (first line; else $" + EnvBackupPassphrase + " or a prompt)"}
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

func readSecret(c *ucli.Context, flag, env, what string, confirm bool) (string, error) {
	if path := c.String(flag); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", cli.FileError(c, err, what+" file", path)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		pass := strings.TrimRight(line, "\r")
		if pass == "" {
			return "", cli.Usagef("%s file %s is empty", what, path)
		}
		return pass, nil
	}
	if pass := os.Getenv(env); pass != "" {
		return pass, nil
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", cli.WithHint(cli.Usagef("no %s given and no terminal to ask on", what),
			"pass --"+flag+" FILE or set "+env)
	}
	defer tty.Close()
	ask := func(prompt string) (string, error) {
		fmt.Fprint(tty, prompt)
		b, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(tty)
		if err != nil {
			return "", cli.Failf("read %s: %v", what, err)
		}
		return string(b), nil
	}
	pass, err := ask(what + ": ")
	if err != nil {
		return "", err
	}
	if pass == "" {
		return "", cli.Usagef("empty %s", what)
	}
	if confirm {
		again, err := ask(what + " again: ")
		if err != nil {
			return "", err
		}
		if again != pass {
			return "", cli.Usagef("the %ss differ", what)
		}
	}
	return pass, nil
}
