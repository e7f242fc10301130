package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// Secrets (keys, passphrases, mnemonics, contract secrets) come from a
// file, from stdin ("-") or from a prompt on the terminal: every user of
// the machine can read a process's arguments (ps, /proc/PID/cmdline).
// Commands that still take a secret as an argument, so that scripts keep
// working, say so once with WarnSecretArg.

// maxSecret bounds a secret file or a secret on stdin (a key file of ten
// thousand WIF keys is half of it).
const maxSecret = 1 << 20

// Keys of App.Metadata this file uses.
const (
	metaStdin  = "cli.stdin"  // what stdin was read for
	metaWarned = "cli.warned" // map[string]bool of the secret warnings printed
)

// WarnSecretArg prints, once per run and per what, the warning that a
// secret came from the command line: "gg-x: warning: WHAT on the command
// line is visible to other users (ps); use FIX". what names the secret
// with its article ("a key"), fix the flag to use instead.
func WarnSecretArg(c *ucli.Context, what, fix string) {
	warned, _ := c.App.Metadata[metaWarned].(map[string]bool)
	if warned == nil {
		warned = map[string]bool{}
		setMeta(c, metaWarned, warned)
	}
	if warned[what] {
		return
	}
	warned[what] = true
	fmt.Fprintf(c.App.ErrWriter, "%s: warning: %s on the command line is visible to other users (ps); use %s\n", c.App.Name, what, fix)
}

// WarnSecretURL is WarnSecretArg for a URL from the command line that
// carries a password (scheme://USER:PASSWORD@host).
func WarnSecretURL(c *ucli.Context, url, fix string) {
	if _, rest, ok := strings.Cut(url, "://"); ok {
		url = rest
	}
	if cred, _, ok := strings.Cut(url, "@"); ok && strings.Contains(cred, ":") {
		WarnSecretArg(c, "an RPC password", fix)
	}
}

// ReadSecret returns the content of the secret file path, or of stdin
// when path is "-". When stdin is a terminal, "-" asks for a one-line
// secret there without echo instead (twice when confirm). what names the
// secret in messages ("passphrase", "key file").
func ReadSecret(c *ucli.Context, path, what string, confirm bool) (string, error) {
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			if !strings.HasSuffix(what, " file") {
				what += " file"
			}
			return "", FileError(c, err, what, path)
		}
		defer f.Close()
		return readBounded(f, what+" "+path)
	}
	if StdinIsTerminal(c) {
		return PromptSecret(c, what, confirm)
	}
	if err := takeStdin(c, what); err != nil {
		return "", err
	}
	return readBounded(c.App.Reader, what+" on stdin")
}

// PromptSecret asks for what on the terminal that is stdin, without echo,
// the prompt on stderr; twice when confirm (a new passphrase). Without a
// terminal it is a usage error: the caller names the other ways in a
// hint.
func PromptSecret(c *ucli.Context, what string, confirm bool) (string, error) {
	if !StdinIsTerminal(c) {
		return "", Usagef("no %s given and no terminal to ask on", what)
	}
	if err := takeStdin(c, what); err != nil {
		return "", err
	}
	fd := int(c.App.Reader.(*os.File).Fd())
	ask := func(prompt string) (string, error) {
		fmt.Fprint(c.App.ErrWriter, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(c.App.ErrWriter)
		if err != nil {
			return "", Failf("read %s: %v", what, err)
		}
		return string(b), nil
	}
	s, err := ask(what + ": ")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", Usagef("empty %s", what)
	}
	if confirm {
		again, err := ask(what + " again: ")
		if err != nil {
			return "", err
		}
		if again != s {
			return "", Usagef("the %ss differ", what)
		}
	}
	return s, nil
}

// FirstLine returns s's first line without its line ending (a passphrase
// keeps its other spaces).
func FirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSuffix(line, "\r")
}

// SecretLines returns the lines of a key file: trimmed, without blank
// lines and '#' comments.
func SecretLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// StdinIsTerminal reports whether the app's stdin is a terminal.
func StdinIsTerminal(c *ucli.Context) bool {
	f, ok := c.App.Reader.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// takeStdin claims stdin for what: one run reads it once, so a second
// claim is a usage error naming both.
func takeStdin(c *ucli.Context, what string) error {
	if prev, ok := c.App.Metadata[metaStdin].(string); ok {
		return WithHint(Usagef("%s and %s both come from stdin", prev, what), "put one of them in a file")
	}
	setMeta(c, metaStdin, what)
	return nil
}

func setMeta(c *ucli.Context, key string, v any) {
	if c.App.Metadata == nil {
		c.App.Metadata = map[string]any{}
	}
	c.App.Metadata[key] = v
}

func readBounded(r io.Reader, what string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxSecret+1))
	if err != nil {
		return "", Failf("read %s: %v", what, err)
	}
	if len(b) > maxSecret {
		return "", Usagef("%s exceeds %d bytes", what, maxSecret)
	}
	return string(b), nil
}
