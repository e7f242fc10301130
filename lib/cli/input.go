package cli

import (
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/gamegold/gg/lib/game"
)

// maxStdin bounds what a command reads from stdin (a block is ≤ 4 MB, hex
// doubles it).
const maxStdin = 16 << 20

// ArgOrStdin returns positional argument i, or stdin's content when the
// argument is absent or "-". Reading from an interactive terminal is
// refused with a usage hint instead of waiting forever.
func ArgOrStdin(c *ucli.Context, i int, what string) (string, error) {
	if a := c.Args().Get(i); a != "" && a != "-" {
		return strings.TrimSpace(a), nil
	}
	return ReadStdin(c, what)
}

// ReadStdin reads what from stdin, refusing an interactive terminal.
func ReadStdin(c *ucli.Context, what string) (string, error) {
	in := c.App.Reader
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return "", Usagef("no %s given: pass it as an argument or pipe it on stdin", what)
	}
	if err := takeStdin(c, what); err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(in, maxStdin+1))
	if err != nil {
		return "", Failf("read %s from stdin: %v", what, err)
	}
	if len(b) > maxStdin {
		return "", Usagef("%s on stdin exceeds %d bytes", what, maxStdin)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", Usagef("no %s given: stdin was empty", what)
	}
	return s, nil
}

// PrintJSON writes v as indented JSON followed by a newline.
func PrintJSON(w io.Writer, v any) error {
	enc := newJSONEncoder(w)
	return enc.Encode(v)
}

// WantArgs refuses a command line without exactly n positional arguments;
// what names them in the usage error ("ID", "no arguments").
func WantArgs(c *ucli.Context, n int, what string) error {
	if c.NArg() != n {
		return Usagef("want %s, got %d arguments", what, c.NArg())
	}
	return nil
}

// CheckID refuses s unless it is a game id of 64 hex digits (a producer,
// prop or contract); what names it in the usage error.
func CheckID(s, what string) error {
	if _, err := game.ParseID(s); err != nil {
		return Usagef("bad %s %q: want an id of 64 hex digits", what, s)
	}
	return nil
}
