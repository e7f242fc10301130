package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	ucli "github.com/urfave/cli/v2"
)

// Error is an error meant for the user: a message, optional hints naming
// the fix, and the exit code to use.
type Error struct {
	Err   error
	Hints []string
	Code  int
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Usagef returns a usage error (exit 2).
func Usagef(format string, args ...any) *Error {
	return &Error{Err: fmt.Errorf(format, args...), Code: ExitUsage}
}

// Failf returns an operation error (exit 1).
func Failf(format string, args ...any) *Error {
	return &Error{Err: fmt.Errorf(format, args...), Code: ExitError}
}

// WithHint adds a hint to err, wrapping it in an *Error if needed.
func WithHint(err error, hint string) *Error {
	var e *Error
	if errors.As(err, &e) {
		e.Hints = append(e.Hints, hint)
		return e
	}
	return &Error{Err: err, Hints: []string{hint}, Code: ExitError}
}

// Unavailable marks err as "could not reach or open" (exit 3).
func Unavailable(err error, hint string) *Error {
	e := &Error{Err: err, Code: ExitUnavailable}
	if hint != "" {
		e.Hints = []string{hint}
	}
	return e
}

// FileError is the error for a file named by a flag that cannot be read:
// a missing or unreadable file is the user's to fix, so a usage error (2)
// whose hint names the flag that gave the path. what names the file in the
// message ("passphrase file", "key file").
func FileError(c *ucli.Context, err error, what, path string) *Error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var e *Error
	switch {
	case errors.Is(err, fs.ErrNotExist):
		e = Usagef("%s %s does not exist", what, path)
	case errors.Is(err, fs.ErrPermission):
		e = Usagef("%s %s: permission denied", what, path)
	default:
		e = Usagef("read %s %s: %v", what, path, err)
	}
	if f := flagGiving(c, path); f != "" {
		e.Hints = append(e.Hints, "check the path given to --"+f)
	} else {
		e.Hints = append(e.Hints, "check the file's path")
	}
	return e
}

// flagGiving returns the name of the flag of c's command line whose value
// is (or, for a list, holds) value.
func flagGiving(c *ucli.Context, value string) string {
	if c == nil {
		return ""
	}
	for _, ctx := range c.Lineage() {
		var flags []ucli.Flag
		if ctx.Command != nil {
			flags = ctx.Command.Flags
		} else if ctx.App != nil {
			flags = ctx.App.Flags
		}
		for _, f := range flags {
			name := f.Names()[0]
			switch f.(type) {
			case *ucli.StringFlag, *ucli.PathFlag:
				if ctx.IsSet(name) && ctx.String(name) == value {
					return name
				}
			case *ucli.StringSliceFlag:
				if ctx.IsSet(name) && slices.Contains(ctx.StringSlice(name), value) {
					return name
				}
			}
		}
	}
	return ""
}

// Library jargon, translated at the edge. Messages that reach Report may
// carry a library's wording: package prefixes ("wallet: ", "wire: "),
// bech32 and encoding/hex internals, Go's file errors. humanize rewrites
// them, with one table for every binary, into what the user did wrong and
// how to fix it; --log-level=debug prints the original (Report).

// libPackages are the prefixes stripped from messages: the module's lib
// packages (TestLibPackagesStripped keeps the list whole) and bech32.
var libPackages = []string{"address", "amount", "bech32", "blockfile", "chain", "chaincfg", "chaingen", "chainhash", "cli", "explorer", "game",
	"gcs", "h5wallet", "index", "keys", "mempool", "mining", "netsim", "netsync", "node", "p2p", "rpc", "script", "sha256d", "siphash", "spv",
	"store", "stratum", "tui", "version", "wallet", "wallethost", "webwallet", "wire"}

// rePackagePrefix matches a package prefix. It and the jargon table are
// built on the first error, not in every run's init.
var rePackagePrefix = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(^|: )(?:` + strings.Join(libPackages, "|") + `): `)
})

// jargonEntry is a known library wording: a pattern, what to say instead
// (the match is replaced; $1... are its groups), and a hint added when the
// error has none.
type jargonEntry struct {
	re   *regexp.Regexp
	repl func(m []string) string
	hint string
}

// jargon is the table of known library wordings.
var jargon = sync.OnceValue(func() []jargonEntry {
	return []jargonEntry{
		// the wallet's account lookup, in any context
		{re: regexp.MustCompile(`^.*account not found: "([^"]*)"$`),
			repl: func(m []string) string { return fmt.Sprintf("no account %q in the wallet", m[1]) },
			hint: "list the accounts: gg-wallet account list (new ones: gg-wallet account create NAME)"},
		// bech32 internals of an address
		{re: regexp.MustCompile(`(?:not a valid address: "[^"]*": )?invalid character not part of charset: (\d+)`),
			repl: func(m []string) string {
				return fmt.Sprintf("%s cannot be part of an address (bech32 uses 0-9 and a-z except 1, b, i, o)", quoteChar(m[1]))
			},
			hint: "check the address for a typo"},
		{re: regexp.MustCompile(`(?:not a valid address: "[^"]*": )?invalid character in string: '(.)'`),
			repl: func(m []string) string { return fmt.Sprintf("'%s' cannot be part of an address", m[1]) },
			hint: "check the address for a typo"},
		{re: regexp.MustCompile(`(?:not a valid address: "[^"]*": )?invalid (?:bech32 string length \d+|separator index \d+)`),
			repl: func([]string) string { return "too short or too long for an address" },
			hint: "check that the whole address was copied"},
		{re: regexp.MustCompile(`(?:not a valid address: "[^"]*": )?invalid checksum \(expected .*\)`),
			repl: func([]string) string { return "the address's checksum does not match: a character is mistyped" },
			hint: "check the address for a typo"},
		{re: regexp.MustCompile(`(?:not a valid address: "[^"]*": )?string not all lowercase or all uppercase`),
			repl: func([]string) string { return "the address mixes upper and lower case" }},
		// hex
		{re: regexp.MustCompile(`(?:tx hex: )?encoding/hex: invalid byte: U\+[0-9A-F]+ '(.+)'`),
			repl: func(m []string) string { return fmt.Sprintf("'%s' is not a hex digit", m[1]) }},
		{re: regexp.MustCompile(`(?:tx hex: )?encoding/hex: odd length hex string`),
			repl: func([]string) string { return "odd number of hex digits" }},
		{re: regexp.MustCompile(`^not a transaction: `),
			repl: func(m []string) string { return m[0] },
			hint: "give the transaction as hex or as gg-tx decode's JSON"},
		// files
		{re: regexp.MustCompile(`open ([^:]+): no such file or directory`),
			repl: func(m []string) string { return m[1] + " does not exist" }},
		{re: regexp.MustCompile(`open ([^:]+): permission denied`),
			repl: func(m []string) string { return m[1] + ": permission denied" }},
		// numbers and JSON
		{re: regexp.MustCompile(`strconv\.Parse\w+: parsing "([^"]*)": invalid syntax`),
			repl: func(m []string) string { return fmt.Sprintf("%q is not a number", m[1]) }},
		{re: regexp.MustCompile(`strconv\.Parse\w+: parsing "([^"]*)": value out of range`),
			repl: func(m []string) string { return fmt.Sprintf("%q is out of range", m[1]) }},
		{re: regexp.MustCompile(`invalid character '(.+)' looking for beginning of value`),
			repl: func(m []string) string { return fmt.Sprintf("not JSON ('%s' where a value should start)", m[1]) }},
		{re: regexp.MustCompile(`unexpected end of JSON input`),
			repl: func([]string) string { return "JSON cut short" }},
		{re: regexp.MustCompile(`context deadline exceeded`),
			repl: func([]string) string { return "timed out" }},
	}
})

// humanize strips package prefixes from msg and hints and rewrites the
// known library wordings, adding the table's hint when there is none.
func humanize(msg string, hints []string) (string, []string) {
	msg = stripPackages(msg)
	var add []string
	for _, j := range jargon() {
		loc := j.re.FindStringSubmatchIndex(msg)
		if loc == nil {
			continue
		}
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = msg[loc[2*i]:loc[2*i+1]]
			}
		}
		msg = msg[:loc[0]] + j.repl(m) + msg[loc[1]:]
		if j.hint != "" && !slices.Contains(add, j.hint) {
			add = append(add, j.hint)
		}
	}
	out := make([]string, 0, len(hints))
	for _, h := range hints {
		out = append(out, stripPackages(h))
	}
	if len(out) == 0 {
		out = add
	}
	return msg, out
}

func stripPackages(s string) string {
	for {
		t := rePackagePrefix().ReplaceAllString(s, "$1")
		if t == s {
			return s
		}
		s = t
	}
}

// quoteChar quotes the character with code n ('o').
func quoteChar(n string) string {
	v, err := strconv.Atoi(n)
	if err != nil || v < 0x20 || v > 0x10ffff {
		return "character " + n
	}
	return fmt.Sprintf("'%c'", rune(v))
}
