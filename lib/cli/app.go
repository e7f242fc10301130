package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/version"
)

// Names of the common flags.
const (
	FlagNetwork  = "network"
	FlagDataDir  = "datadir"
	FlagRPCURL   = "rpc-url"
	FlagJSON     = "json"
	FlagLogLevel = "log-level"
	FlagJQ       = "jq"
	FlagFields   = "fields"
	FlagWide     = "wide"
)

// envName maps a flag name to its environment variable: GG_<FLAG>.
func envName(flag string) string {
	return "GG_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// CommonFlags returns the flags every binary accepts, before or after the
// command (see hoistFlags).
func CommonFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: FlagNetwork, Value: "main", Usage: "network: main, testnet or regtest", EnvVars: []string{envName(FlagNetwork)}},
		&ucli.StringFlag{Name: FlagDataDir, Usage: "data directory (default ~/.gg/<network>)", EnvVars: []string{envName(FlagDataDir)}},
		&ucli.StringFlag{Name: FlagRPCURL, Usage: "node RPC URL (default from the datadir)", EnvVars: []string{envName(FlagRPCURL)}},
		&ucli.StringFlag{Name: FlagRPCPassFile, Usage: "read the node's RPC password (or user:password) from `FILE`, for a --rpc-url without one (or GG_RPC_PASS)", EnvVars: []string{envName(FlagRPCPassFile)}},
		&ucli.BoolFlag{Name: FlagJSON, Usage: "print JSON instead of text", EnvVars: []string{envName(FlagJSON)}},
		&ucli.StringFlag{Name: FlagLogLevel, Value: "info", Usage: "log level: debug, info, warn, error (debug also shows an error's original wording)", EnvVars: []string{envName(FlagLogLevel)}},
		&ucli.StringFlag{Name: FlagJQ, Usage: "print what the jq `EXPR` yields for the JSON result (strings raw; implies --json)"},
		&ucli.StringFlag{Name: FlagFields, Usage: "keep only the top-level `KEYS` (comma-separated) of the JSON result (implies --json)"},
		&ucli.BoolFlag{Name: FlagWide, Usage: "print tables whole: ids and addresses uncut", EnvVars: []string{envName(FlagWide)}},
	}
}

// Names of the flags the wallet's thin clients share.
const (
	FlagAccount = "account"
	FlagDryRun  = "dry-run"
)

// AccountFlag is --account, the wallet account a command acts for, with
// default def and usage naming what the account does in this binary.
func AccountFlag(def, usage string) *ucli.StringFlag {
	return &ucli.StringFlag{Name: FlagAccount, Value: def, Usage: usage}
}

// DryRunFlag is --dry-run of the commands that build a transaction: print
// its signed hex (for gg-tx send) instead of broadcasting it.
func DryRunFlag() *ucli.BoolFlag {
	return &ucli.BoolFlag{Name: FlagDryRun, Usage: "print the signed transaction's hex instead of broadcasting it"}
}

// IO bundles the standard streams so commands can run in-process in tests.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// StdIO returns the process's streams.
func StdIO() IO { return IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr} }

// NewApp builds an app with the common flags, version, the usage line of
// a binary of subcommands and the usage-error handling that keeps stdout
// clean.
func NewApp(name, usage string, stdio IO) *ucli.App {
	app := &ucli.App{
		Name:                 name,
		Usage:                usage,
		UsageText:            name + " [global flags] COMMAND [flags] [args]",
		Version:              version.String(),
		Flags:                CommonFlags(),
		EnableBashCompletion: true,
		Suggest:              true,
		Reader:               stdio.In,
		Writer:               stdio.Out,
		ErrWriter:            stdio.Err,
		ExitErrHandler:       func(*ucli.Context, error) {}, // Run prints errors once
	}
	ucli.VersionPrinter = func(c *ucli.Context) {
		if JSONMode(c) {
			WriteJSON(c, map[string]string{"name": c.App.Name, "version": c.App.Version})
			return
		}
		fmt.Fprintf(c.App.Writer, "%s version %s\n", c.App.Name, c.App.Version)
	}
	return app
}

// Main is a binary's whole main: it runs the app newApp builds on the
// process's streams with its arguments and exits with Run's code.
func Main(newApp func(IO) *ucli.App) { os.Exit(Run(newApp(StdIO()), os.Args)) }

// Run executes app with args, prints any error in the house voice on
// stderr and returns the exit code. SIGINT/SIGTERM cancel the context.
// Global flags may follow the command and a command's flags its
// arguments (hoistFlags); usage errors never touch stdout (prepare).
func Run(app *ucli.App, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prepare(app)
	args = hoistFlags(app, args)
	err := app.RunContext(ctx, args)
	return report(app.Name, app.ErrWriter, err, outputOf(app, args))
}

// Report prints err as "name: error: ..." plus hints and returns its code.
func Report(name string, w io.Writer, err error) int {
	return report(name, w, err, errorOutput{})
}

// errorOutput is how Run prints an error: as JSON (--json), and with the
// original wording (--log-level=debug).
type errorOutput struct {
	json, debug bool
}

const metaOutput = "cli.output"

// noteOutput records how c's run prints errors (its flags, environment
// and config applied).
func noteOutput(c *ucli.Context) {
	if c == nil || c.App == nil || c.App.Metadata == nil {
		return
	}
	c.App.Metadata[metaOutput] = errorOutput{json: JSONMode(c), debug: strings.EqualFold(c.String(FlagLogLevel), "debug")}
}

// outputOf is the errorOutput a run noted, else what the global flags
// before the command and the environment say.
func outputOf(app *ucli.App, args []string) errorOutput {
	if o, ok := app.Metadata[metaOutput].(errorOutput); ok {
		return o
	}
	o := errorOutput{debug: strings.EqualFold(os.Getenv(envName(FlagLogLevel)), "debug")}
	o.json, _ = strconv.ParseBool(os.Getenv(envName(FlagJSON)))
	for i := 1; i < len(args); i++ {
		name, ok := flagName(args[i])
		if !ok {
			break
		}
		_, val, hasVal := strings.Cut(args[i], "=")
		switch name {
		case FlagJSON:
			o.json = !hasVal || val == "true" || val == "1"
		case FlagJQ, FlagFields, FlagLogLevel:
			if !hasVal && i+1 < len(args) {
				i++
				val = args[i]
			}
			if name == FlagLogLevel {
				o.debug = strings.EqualFold(val, "debug")
			} else if val != "" {
				o.json = true
			}
		}
	}
	return o
}

func report(name string, w io.Writer, err error, out errorOutput) int {
	if err == nil {
		return ExitOK
	}
	code := ExitError
	var e *Error
	var ec ucli.ExitCoder
	switch {
	case errors.As(err, &e):
		code = e.Code
	case errors.As(err, &ec):
		code = ec.ExitCode()
	case errors.Is(err, context.Canceled):
		code = ExitInterrupted
	case isFlagError(err):
		code = ExitUsage
	}
	raw := err.Error()
	var hints []string
	if e != nil {
		hints = e.Hints
	}
	msg, hints := humanize(lowerFirst(raw), hints)
	if out.json {
		j := struct {
			Error  string `json:"error"`
			Hint   string `json:"hint,omitempty"`
			Code   int    `json:"code"`
			Detail string `json:"detail,omitempty"`
		}{Error: msg, Hint: strings.Join(hints, "; "), Code: code}
		if out.debug {
			j.Detail = errorChain(raw, err)
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.Encode(j)
		return code
	}
	if out.debug {
		fmt.Fprintf(w, "%s: debug: %s\n", name, errorChain(raw, err))
	}
	if msg != "" {
		fmt.Fprintf(w, "%s: error: %s\n", name, msg)
	}
	for _, h := range hints {
		fmt.Fprintf(w, "%s: hint: %s\n", name, h)
	}
	return code
}

// errorChain is an error's original message and the types it wraps.
func errorChain(raw string, err error) string {
	var types []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		types = append(types, fmt.Sprintf("%T", e))
	}
	return raw + " (" + strings.Join(types, " > ") + ")"
}

func isFlagError(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "flag provided but not defined") || strings.HasPrefix(s, "invalid value")
}

// lowerFirst puts a message in the house voice: its first letter lowered
// (unless it starts an acronym such as "RPC") and one final period
// dropped, an ellipsis ("[ARG]...") kept.
func lowerFirst(s string) string {
	if !strings.HasSuffix(s, "..") {
		s = strings.TrimSuffix(s, ".")
	}
	if s == "" || (len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z') { // keep acronyms like "RPC"
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Network resolves --network, after the client settings of gg.toml
// (ApplyClientConfig, config.go).
func Network(c *ucli.Context) (*chaincfg.Params, error) {
	if _, err := ApplyClientConfig(c); err != nil {
		return nil, err
	}
	p, err := chaincfg.ByName(c.String(FlagNetwork))
	if err != nil {
		return nil, Usagef("%v", err)
	}
	return p, nil
}

// DataDir resolves --datadir, defaulting to ~/.gg/<network>.
func DataDir(c *ucli.Context, p *chaincfg.Params) (string, error) {
	if d := c.String(FlagDataDir); d != "" {
		return filepath.Abs(d)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", Usagef("no home directory; pass --datadir: %v", err)
	}
	return filepath.Join(home, ".gg", p.Name), nil
}

// NetworkDir resolves --network and then --datadir.
func NetworkDir(c *ucli.Context) (*chaincfg.Params, string, error) {
	p, err := Network(c)
	if err != nil {
		return nil, "", err
	}
	dir, err := DataDir(c, p)
	return p, dir, err
}

// Logger builds a text logger on w at --log-level.
func Logger(c *ucli.Context, w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.String(FlagLogLevel))); err != nil {
		return nil, Usagef("bad --log-level %q: want debug, info, warn or error", c.String(FlagLogLevel))
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl})), nil
}
