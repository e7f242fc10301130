package cli

import (
	"errors"
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
// secret in messages ("passphrase", "key file"). Both are bounded: a
// secret is small, and a wrong path must not read a disk image.
func ReadSecret(c *ucli.Context, path, what string, confirm bool) (string, error) {
	if path != "-" {
		if !strings.HasSuffix(what, " file") {
			what += " file"
		}
		s, err := readSecretFile(path, what)
		if errors.Is(err, errOpen) {
			return "", FileError(c, err, what, path)
		}
		return s, err
	}
	if StdinIsTerminal(c) {
		return PromptSecret(c, what, confirm)
	}
	if err := takeStdin(c, what); err != nil {
		return "", err
	}
	return readBounded(c.App.Reader, what+" on stdin")
}

// errOpen marks readSecretFile's failure to open the file, which each
// caller words with its own hint.
var errOpen = errors.New("open secret file")

// readSecretFile reads the secret file path (what names it), bounded; a
// failure to open it wraps errOpen and the *fs.PathError.
func readSecretFile(path, what string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errOpen, err)
	}
	defer f.Close()
	return readBounded(f, what+" "+path)
}

// ErrNoTerminal is PromptSecret's error (wrapped) when there is no
// terminal to ask on.
var ErrNoTerminal = errors.New("no terminal to ask on")

// ttyPath is the terminal PromptSecret asks on when stdin is not one (a
// variable so that tests can point it elsewhere).
var ttyPath = "/dev/tty"

// PromptSecret asks for what without echo on the terminal that is stdin,
// the prompt on stderr, or else on the process's controlling terminal
// (stdin may carry the data: gg-wallet restore < phrase.txt); twice when
// confirm (a new passphrase). Without a terminal it is a usage error: the
// caller names the other ways in a hint. A prompt does not claim stdin,
// so one run may ask for two secrets.
func PromptSecret(c *ucli.Context, what string, confirm bool) (string, error) {
	var tty *os.File
	prompts := c.App.ErrWriter
	if f, ok := c.App.Reader.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		tty = f
	} else if f, err := os.OpenFile(ttyPath, os.O_RDWR, 0); err == nil {
		defer f.Close()
		if term.IsTerminal(int(f.Fd())) {
			tty, prompts = f, f
		}
	}
	if tty == nil {
		return "", Usagef("no %s given and %w", what, ErrNoTerminal)
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(prompts, prompt)
		b, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(prompts)
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
