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

// readPassphrase returns the passphrase from --passphrase-file, then
// $GG_PASSPHRASE, then a prompt on the terminal (twice when confirm).
func readPassphrase(c *ucli.Context, confirm bool) (string, error) {
	if path := c.String("passphrase-file"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", cli.Failf("read passphrase: %v", err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		pass := strings.TrimRight(line, "\r")
		if pass == "" {
			return "", cli.Usagef("passphrase file %s is empty", path)
		}
		return pass, nil
	}
	if pass := os.Getenv(EnvPassphrase); pass != "" {
		return pass, nil
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", cli.WithHint(cli.Usagef("no passphrase given and no terminal to ask on"),
			"pass --passphrase-file FILE or set "+EnvPassphrase)
	}
	defer tty.Close()
	ask := func(prompt string) (string, error) {
		fmt.Fprint(tty, prompt)
		b, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(tty)
		if err != nil {
			return "", cli.Failf("read passphrase: %v", err)
		}
		return string(b), nil
	}
	pass, err := ask("passphrase: ")
	if err != nil {
		return "", err
	}
	if pass == "" {
		return "", cli.Usagef("empty passphrase")
	}
	if confirm {
		again, err := ask("passphrase again: ")
		if err != nil {
			return "", err
		}
		if again != pass {
			return "", cli.Usagef("the passphrases differ")
		}
	}
	return pass, nil
}
