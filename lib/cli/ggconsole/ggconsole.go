// Package ggconsole is the command line of gg-console, the operator's
// terminal console (lib/tui): on a terminal it runs the console's pages
// against the node found as every gg client finds it (--rpc-url, or the
// datadir's rpc.addr and .cookie, gg.toml, GG_* variables); --once PAGE
// (or the snapshot command) prints one page's data instead — a table on
// a terminal, JSON when piped or with --json — for cron jobs and
// monitoring. Without a terminal and without --once it refuses with a
// hint, as bubbletea cannot run there.
//
// The console draws on stderr (the terminal), so stdout stays data. Its
// backend (nodeBackend) is the RPC client plus the node's WebSocket
// events; when the node goes away it reads rpc.addr and the cookie again
// (a restarted node has a new cookie, perhaps a new port).
package ggconsole

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/tui"
)

// Main runs gg-console with the process's arguments and exits.
func Main() { cli.Main(NewApp) }

// Flag names.
const (
	flagOnce     = "once"
	flagPage     = "page"
	flagPoll     = "poll"
	flagNoEvents = "no-events"
)

// NewApp builds gg-console's command line.
func NewApp(stdio cli.IO) *ucli.App {
	app := cli.NewApp("gg-console", "the operator's terminal console: chain, mempool, peers, producers, props, auctions, contracts, wallet", stdio)
	app.UsageText = "gg-console [global flags] [--page PAGE] [--poll DURATION] [--no-events]\n" +
		"gg-console [global flags] --once PAGE\n" +
		"gg-console [global flags] snapshot PAGE"
	app.Description = "A terminal console for operators, on the node's RPC (found as every gg client finds it:\n" +
		"--rpc-url, or the datadir's rpc.addr and .cookie). Pages: " + strings.Join(tui.PageNames, ", ") + ";\n" +
		"keys 1-9 and 0 (or tab) switch them, ? lists every key, q quits. It follows the node's\n" +
		"WebSocket events and polls a node without them (every --poll); a node that goes away is\n" +
		"shown as such and tried again every second. Every action that changes state shows what\n" +
		"it will broadcast (amounts, fee, recipient) and waits for y; a locked wallet asks for its\n" +
		"passphrase, unlocks for that action only and locks again after it. The log page shows the\n" +
		"node's log (node.log, live on the events' log topic; it needs the operator's login), s\n" +
		"toggles this session's. The console draws on\n" +
		"stderr (a terminal); colours follow NO_COLOR. It needs a terminal: for scripts, --once PAGE\n" +
		"(or 'snapshot PAGE') prints one page's data, a table on a terminal and JSON when piped or\n" +
		"with --json. Snapshot pages: " + strings.Join(tui.SnapshotPages, ", ") + ".\n\n" +
		"Examples:\n" +
		"   gg-console --network=regtest\n" +
		"   gg-console --network=regtest --page auctions\n" +
		"   gg-console --network=regtest --once dashboard\n" +
		"   gg-console --network=regtest --json snapshot mempool | jq '.stats.size'\n\n" +
		"Exit status: 0 ok, 1 error, 2 usage (an unknown page; no terminal without --once),\n" +
		"3 node unreachable at start."
	app.HideHelpCommand = true
	app.Flags = append(app.Flags,
		&ucli.StringFlag{Name: flagOnce, Usage: "print one `PAGE`'s data and exit (a table on a terminal, JSON when piped or with --json)"},
		&ucli.StringFlag{Name: flagPage, Value: tui.PageDashboard, Usage: "the `PAGE` shown first", EnvVars: []string{"GG_CONSOLE_PAGE"}},
		&ucli.DurationFlag{Name: flagPoll, Value: 2 * time.Second, Usage: "how often a node without events is polled", EnvVars: []string{"GG_CONSOLE_POLL"}},
		&ucli.BoolFlag{Name: flagNoEvents, Usage: "poll the node instead of following its WebSocket events"},
	)
	app.Action = run
	app.Commands = []*ucli.Command{{
		Name:      "snapshot",
		Usage:     "print one PAGE's data and exit, as --once PAGE",
		UsageText: "gg-console [--json] snapshot PAGE",
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 1, "PAGE"); err != nil {
				return err
			}
			return snapshot(c, c.Args().First())
		},
	}}
	return app
}

func checkPage(name string, pages []string) error {
	for _, p := range pages {
		if p == name {
			return nil
		}
	}
	return cli.WithHint(cli.Usagef("unknown page %q", name), "pages: "+strings.Join(pages, ", "))
}

func run(c *ucli.Context) error {
	if c.NArg() > 0 {
		return cli.Usagef("unexpected argument %q", c.Args().First())
	}
	if p := c.String(flagOnce); p != "" {
		return snapshot(c, p)
	}
	if err := checkPage(c.String(flagPage), tui.PageNames); err != nil {
		return err
	}
	in, inOK := c.App.Reader.(*os.File)
	out, outOK := c.App.ErrWriter.(*os.File)
	if !inOK || !outOK || !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		return cli.WithHint(cli.Usagef("gg-console needs a terminal (stdin and stderr are not both one)"),
			"for scripts and cron jobs print one page: gg-console --once dashboard (JSON when piped, or with --json)")
	}
	client, err := cli.NodeClient(c)
	if err != nil {
		return err
	}
	b, err := newBackend(c, client)
	if err != nil {
		return err
	}
	r := lipgloss.NewRenderer(out)
	r.SetColorProfile(colourProfile(os.Getenv("NO_COLOR") != "", os.Getenv("TERM"), r.ColorProfile()))
	lipgloss.SetDefaultRenderer(r) // the inputs' styles (bubbles) draw with the default renderer
	m := tui.New(tui.Config{Backend: b, Context: c.Context, Renderer: r, Poll: c.Duration(flagPoll), Page: c.String(flagPage)})
	prog := tea.NewProgram(m, tea.WithAltScreen(), tea.WithInput(in), tea.WithOutput(out), tea.WithContext(c.Context))
	_, err = prog.Run()
	b.close()
	if errors.Is(err, tea.ErrProgramKilled) && c.Context.Err() != nil {
		return c.Context.Err()
	}
	return err
}

// colourProfile is the profile the console draws with: none under
// NO_COLOR; else the one detected, except that GNU screen and tmux
// panes whose TERM is plain "screen" or "tmux" (tmux's default where
// its own terminfo entry is missing) draw the 16 ANSI colours, which
// both support, instead of none.
func colourProfile(noColor bool, term string, detected termenv.Profile) termenv.Profile {
	switch {
	case noColor:
		return termenv.Ascii
	case detected == termenv.Ascii && (term == "screen" || term == "tmux" ||
		strings.HasPrefix(term, "screen.") || strings.HasPrefix(term, "tmux.")):
		return termenv.ANSI
	}
	return detected
}

// snapshot prints one page's data.
func snapshot(c *ucli.Context, page string) error {
	if err := checkPage(page, tui.SnapshotPages); err != nil {
		return err
	}
	client, err := cli.NodeClient(c)
	if err != nil {
		return err
	}
	t, err := tui.Snapshot(c.Context, client, page, time.Now())
	if err != nil {
		return cli.WalletCaller{}.Error(err)
	}
	if cli.WantJSON(c) {
		return cli.WriteJSON(c, t.Data)
	}
	if c.Bool(cli.FlagWide) {
		return cli.PrintWideTable(c.App.Writer, t.Header, t.Rows)
	}
	return cli.PrintTable(c.App.Writer, t.Header, t.Rows)
}

// nodeBackend is the console's node: the RPC client, rebuilt from the
// datadir when the node restarts (new cookie, maybe a new port), and its
// WebSocket events.
type nodeBackend struct {
	mu       sync.Mutex
	client   *rpc.Client
	rebuild  func() (*rpc.Client, error) // nil: the client never changes
	noEvents bool
	feeds    []io.Closer
}

func newBackend(c *ucli.Context, client *rpc.Client) (*nodeBackend, error) {
	b := &nodeBackend{client: client, noEvents: c.Bool(flagNoEvents)}
	_, dir, err := cli.NetworkDir(c)
	if err != nil {
		return nil, err
	}
	url := c.String(cli.FlagRPCURL)
	if strings.HasPrefix(client.Creds, "the cookie in ") || url == "" {
		ep := rpc.Endpoint{URL: url, DataDir: dir}
		if !strings.HasPrefix(client.Creds, "the cookie in ") {
			ep.Pass = client.User + ":" + client.Pass
		}
		b.rebuild = ep.Client
	}
	return b, nil
}

func (b *nodeBackend) current() *rpc.Client {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.client
}

// Call makes one call; when the node cannot be reached or refuses the
// credentials, it finds the node afresh and tries once more.
func (b *nodeBackend) Call(ctx context.Context, method string, out any, params ...any) error {
	c := b.current()
	err := c.Call(ctx, method, out, params...)
	if err == nil || b.rebuild == nil || !(errors.Is(err, rpc.ErrNoNode) || errors.Is(err, rpc.ErrUnauthorized)) {
		return err
	}
	nc, rerr := b.rebuild()
	if rerr != nil || (nc.URL == c.URL && nc.Pass == c.Pass) {
		return err
	}
	b.mu.Lock()
	b.client = nc
	b.mu.Unlock()
	return nc.Call(ctx, method, out, params...)
}

// Subscribe follows the node's events over its WebSocket.
func (b *nodeBackend) Subscribe(ctx context.Context, since string) (tui.Feed, error) {
	return b.subscribe(ctx, rpc.SubscribeParams{Topics: tui.Topics, Since: since})
}

// FollowLog follows the node's log records (the log topic) on a
// WebSocket of their own, so that a burst of records does not fill the
// other events' queue; a node that refuses the topic (not the operator's
// login, an older node) is polled (tui.ErrNoEvents).
func (b *nodeBackend) FollowLog(ctx context.Context) (tui.Feed, error) {
	f, err := b.subscribe(ctx, rpc.SubscribeParams{Topics: []string{rpc.TopicLog}})
	var re *rpc.Error
	if errors.As(err, &re) && re.Code == rpc.CodeInvalidParam {
		return nil, fmt.Errorf("%w: %s", tui.ErrNoEvents, re.Message)
	}
	return f, err
}

func (b *nodeBackend) subscribe(ctx context.Context, p rpc.SubscribeParams) (tui.Feed, error) {
	if b.noEvents {
		return nil, tui.ErrNoEvents
	}
	var n int32
	if err := b.Call(ctx, "getblockcount", &n); err != nil { // finds a restarted node
		return nil, err
	}
	ws, err := b.current().DialWS(ctx)
	if errors.Is(err, rpc.ErrNoWebSocket) {
		return nil, tui.ErrNoEvents
	}
	if err != nil {
		return nil, err
	}
	sub, err := ws.Subscribe(ctx, p)
	if err != nil {
		ws.Close()
		var re *rpc.Error
		if errors.As(err, &re) && re.Code == rpc.CodeForbidden {
			return nil, fmt.Errorf("%w: %s", tui.ErrNoEvents, re.Message)
		}
		return nil, err
	}
	b.mu.Lock()
	b.feeds = append(b.feeds, ws)
	b.mu.Unlock()
	return wsFeed{sub, ws}, nil
}

func (b *nodeBackend) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range b.feeds {
		f.Close()
	}
}

type wsFeed struct {
	*rpc.Subscription
	ws *rpc.WSClient
}

func (f wsFeed) Close() error { return f.ws.Close() }
