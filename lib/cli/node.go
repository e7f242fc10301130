package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
)

// FlagRPCPassFile names the file holding the node's RPC password (a
// common flag), for a --rpc-url without one.
const FlagRPCPassFile = "rpc-pass-file"

// EnvRPCPass holds the node's RPC password, for a --rpc-url without one.
const EnvRPCPass = "GG_RPC_PASS"

// Keys of App.Metadata NodeClient uses.
const (
	metaNodeClient = "cli.nodeclient" // *rpc.Client: the run's client, once its node was checked
	metaChainInfo  = "cli.chaininfo"  // json.RawMessage: getblockchaininfo's answer to that check
)

// NodeChainInfo returns the node's answer to getblockchaininfo that
// NodeClient got when it checked the node's network in this run, or nil
// (no client yet, or a node that did not answer it, such as a wallet
// service).
func NodeChainInfo(c *ucli.Context) json.RawMessage {
	raw, _ := c.App.Metadata[metaChainInfo].(json.RawMessage)
	return raw
}

// NodeClient finds the node the way every thin client does: --rpc-url
// (GG_RPC_URL) if given, else the datadir's rpc.addr; the password from
// the URL, else --rpc-pass-file, else GG_RPC_PASS, else the datadir's
// .cookie. A password in --rpc-url on the command line warns (GG_RPC_URL
// or gg.toml keeps it out of ps).
//
// On first contact, once per run, it asks the node's network and refuses
// a client of another network (exit 2): its addresses would be read and
// printed in the wrong form. Later calls return the same client. Errors
// say what failed: no node (rpc.addr), a cookie file missing or not
// readable, a bad URL.
func NodeClient(c *ucli.Context) (*rpc.Client, error) {
	client, _, err := nodeClient(c, nil)
	return client, err
}

// NodeCall calls method on the node NodeClient finds, with params
// (positional []any, named map[string]any, nil: none), the result going
// into out as with rpc.Client.Call. It returns err, NodeClient's error
// worded for the user, or else callErr, the call's own error as
// rpc.Client.Call returns it (for the caller to word: CallError,
// WalletCaller.Error).
//
// A client's first call of a method that only reads (ReadOnlyMethod)
// rides with NodeClient's network check in one HTTP request, a JSON-RPC
// batch the node runs in order: getblockchaininfo, then the method. The
// check is made as NodeClient makes it before the answer is used, so a
// client of another network is refused the same, and a method that
// changes anything is called only once the node passed it.
func NodeCall(c *ucli.Context, method string, out any, params any) (callErr, err error) {
	var call *rpc.BatchCall
	if ReadOnlyMethod(method) {
		call = &rpc.BatchCall{Method: method, Params: params, Out: out}
	}
	client, done, err := nodeClient(c, call)
	if err != nil {
		return nil, err
	}
	if done {
		return call.Err, nil
	}
	if named, ok := params.(map[string]any); ok {
		return client.CallNamed(c.Context, method, out, named), nil
	}
	list, _ := params.([]any)
	return client.Call(c.Context, method, out, list...), nil
}

// nodeClient is NodeClient; on first contact it also makes call, when
// not nil, in the network check's request, and reports it done.
func nodeClient(c *ucli.Context, call *rpc.BatchCall) (client *rpc.Client, done bool, err error) {
	if client, ok := c.App.Metadata[metaNodeClient].(*rpc.Client); ok {
		return client, false, nil
	}
	p, dir, err := NetworkDir(c)
	if err != nil {
		return nil, false, err
	}
	url := c.String(FlagRPCURL)
	if url != os.Getenv(envName(FlagRPCURL)) && !fromConfig(c, FlagRPCURL) {
		WarnSecretURL(c, url, envName(FlagRPCURL))
	}
	ep := rpc.Endpoint{URL: url, DataDir: dir}
	if path := c.String(FlagRPCPassFile); path != "" {
		if ep.Pass, err = readPassFile(c, path); err != nil {
			return nil, false, err
		}
		ep.PassFrom = "--" + FlagRPCPassFile + " " + path
	} else if v := os.Getenv(EnvRPCPass); v != "" {
		ep.Pass, ep.PassFrom = v, EnvRPCPass
	}
	client, err = ep.Client()
	if err != nil {
		return nil, false, endpointError(err, url != "")
	}
	var raw json.RawMessage
	info := &rpc.BatchCall{Method: "getblockchaininfo", Out: &raw}
	if call == nil {
		info.Err = client.Call(c.Context, info.Method, &raw)
	} else if err := client.Batch(c.Context, []*rpc.BatchCall{info, call}); errors.As(err, new(*rpc.Error)) {
		call = nil // a node refusing batches: one call at a time
		info.Err = client.Call(c.Context, info.Method, &raw)
	} else if err != nil {
		return nil, false, CallError(err, "", false)
	}
	if err := checkNetwork(c, client, p, raw, info.Err); err != nil {
		return nil, false, err
	}
	setMeta(c, metaNodeClient, client)
	return client, call != nil, nil
}

// WaitNodeClient is NodeClient for -rpcwait: while no node answers (no
// rpc.addr yet, a refused connection, no cookie yet, a node warming up) it
// tries again every 100 ms, until timeout (0: no limit) or an interrupt.
func WaitNodeClient(c *ucli.Context, timeout time.Duration) (*rpc.Client, error) {
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		client, err := NodeClient(c)
		if err == nil || !nodeStarting(err) {
			return client, err
		}
		select {
		case <-c.Context.Done():
			return nil, c.Context.Err()
		case <-deadline:
			return nil, Unavailable(fmt.Errorf("no node answered within %s: %w", timeout, err),
				"start gg-node, or wait longer (--rpcwaittimeout)")
		case <-tick.C:
		}
	}
}

// nodeStarting reports an error that a starting node goes through.
func nodeStarting(err error) bool {
	var re *rpc.Error
	return errors.Is(err, rpc.ErrNoNode) ||
		errors.Is(err, rpc.ErrNoCredentials) && errors.Is(err, fs.ErrNotExist) ||
		errors.As(err, &re) && re.Code == rpc.CodeWarmingUp
}

// readPassFile reads the RPC password from the first line of path ("-":
// stdin, or a prompt on a terminal).
func readPassFile(c *ucli.Context, path string) (string, error) {
	var s string
	var err error
	if path == "-" {
		s, err = ReadSecret(c, path, "RPC password", false)
	} else if s, err = readSecretFile(path, "rpc password file"); errors.Is(err, errOpen) {
		e := FileError(c, err, "rpc password file", path)
		e.Hints = []string{"--" + FlagRPCPassFile + " names a file holding the password (or user:password) on its first line"}
		err = e
	}
	if err != nil {
		return "", err
	}
	if s = FirstLine(s); s == "" {
		return "", Usagef("rpc password file %s is empty", path)
	}
	return s, nil
}

// endpointError words an error finding the node or its credentials;
// explicit tells whether --rpc-url (or GG_RPC_URL) was given.
func endpointError(err error, explicit bool) error {
	const give = "give the node's password: --rpc-pass-file FILE or GG_RPC_PASS (or user:password in GG_RPC_URL)"
	var ue *rpc.URLError
	switch {
	case errors.As(err, &ue) && explicit:
		return WithHint(Usagef("bad --%s %q: %s", FlagRPCURL, rpc.Redact(ue.URL), ue.Reason),
			"want http://HOST:PORT (or HOST:PORT)")
	case errors.Is(err, rpc.ErrNoCredentials) && errors.Is(err, fs.ErrPermission):
		return Unavailable(err, "the cookie is readable by the user gg-node runs as: run as that user, or "+give)
	case errors.Is(err, rpc.ErrNoCredentials) && errors.Is(err, fs.ErrNotExist) && !explicit:
		return Unavailable(err, "is gg-node running on this datadir? it writes the cookie when it starts (or "+give+")")
	case errors.Is(err, rpc.ErrNoCredentials):
		return Unavailable(err, give)
	case errors.Is(err, rpc.ErrNoNode):
		return Unavailable(err, "start gg-node, or pass --rpc-url / --datadir")
	}
	return err
}

// checkNetwork checks the node's network, from its answer to
// getblockchaininfo (raw, or the call's error; a wallet served apart
// names it in wallet.info, asked then), and refuses another than p's. A
// node that answers neither (a user whose whitelist has neither, a
// wallet server without a wallet) is not checked. The getblockchaininfo
// answer is kept for NodeChainInfo.
func checkNetwork(c *ucli.Context, client *rpc.Client, p *chaincfg.Params, raw json.RawMessage, err error) error {
	var info struct {
		Chain string `json:"chain"`
	}
	if err == nil {
		if err = json.Unmarshal(raw, &info); err != nil {
			return Failf("the node's getblockchaininfo: %v", err)
		}
		setMeta(c, metaChainInfo, raw)
	}
	var re *rpc.Error
	if errors.As(err, &re) && (re.Code == rpc.CodeMethodNotFound || re.Code == rpc.CodeForbidden) {
		var wi struct {
			Network string `json:"network"`
		}
		if client.Call(c.Context, "wallet.info", &wi) != nil {
			return nil
		}
		info.Chain, err = wi.Network, nil
	}
	if err != nil {
		return CallError(err, "", false)
	}
	if info.Chain != "" && info.Chain != p.Name {
		return WithHint(Usagef("the node at %s runs %s, not %s", client.URL, info.Chain, p.Name),
			fmt.Sprintf("pass --network=%s (or set network in gg.toml)", info.Chain))
	}
	return nil
}

// readOnlyMethods are the node's methods that change nothing, by name
// and alias: reads of the chain, the mempool, the peers and the wallet,
// and the node's help. NodeCall makes a client's first call of one in
// the network check's request; TestReadOnlyMethods checks each is a
// method of the node.
var readOnlyMethods = map[string]bool{
	"sys.info": true, "getblockchaininfo": true, "sys.help": true, "help": true, "sys.params": true,
	"block.count": true, "getblockcount": true, "block.best": true, "getbestblockhash": true,
	"block.hash": true, "getblockhash": true, "block.info": true, "getblock": true, "block.info.byheight": true,
	"block.header": true, "getblockheader": true, "block.tips": true, "getchaintips": true,
	"miner.info": true, "getmininginfo": true, "miner.difficulty": true, "getdifficulty": true,
	"tx.spender": true, "tx.get": true, "getrawtransaction": true, "tx.raw.decode": true, "decoderawtransaction": true,
	"utxo.get": true, "gettxout": true, "mempool.info": true, "getmempoolinfo": true, "mempool.list": true, "getrawmempool": true,
	"mempool.entry": true, "getmempoolentry": true,
	"address.validate": true, "validateaddress": true,
	"wallet.info": true, "getwalletinfo": true, "address.list": true, "balance.all": true, "getbalance": true,
	"coin.list": true, "listunspent": true, "tx.list": true, "listtransactions": true, "tx.pending": true, "account.list": true,
}

// ReadOnlyMethod reports whether the node's method changes nothing (and
// so may run before the client has checked the node's network).
func ReadOnlyMethod(method string) bool { return readOnlyMethods[method] }

// CallError turns an RPC call's error into a user error: an unreachable
// node or refused credentials exit 3 with a hint, a refused request
// (login backoff, node busy) exits 3; a JSON-RPC error keeps its message,
// prefixed by what (e.g. "transaction rejected"), with its code when
// verbose.
func CallError(err error, what string, withCode bool) error {
	var re *rpc.Error
	var ae *rpc.AuthError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &re):
		msg := re.Message
		if what != "" {
			msg = what + ": " + msg
		}
		if withCode {
			return Failf("%s (code %d)", msg, re.Code)
		}
		return Failf("%s", msg)
	case errors.As(err, &ae) && ae.Cookie:
		return Unavailable(err, "the node writes a new cookie at each start: is this the datadir of the node at that address?")
	case errors.As(err, &ae) && ae.Creds == "":
		return Unavailable(err, "give the node's password: --rpc-pass-file FILE or GG_RPC_PASS, or --datadir for its cookie")
	case errors.As(err, &ae):
		return Unavailable(err, "check the user and password (--rpc-url, --rpc-pass-file, GG_RPC_PASS)")
	case errors.Is(err, rpc.ErrNoNode):
		return Unavailable(err, "is gg-node running? (--rpc-url / --datadir)")
	case errors.Is(err, rpc.ErrRefused):
		return Unavailable(err, "")
	}
	return err
}

// ReadStdinArgs reads the remaining arguments of a command from stdin, one
// per line (bitcoin-cli's -stdin): a line's trailing "\r" is dropped, a
// last empty line (the final newline) too.
func ReadStdinArgs(c *ucli.Context) ([]string, error) {
	if StdinIsTerminal(c) {
		return nil, Usagef("-stdin reads arguments from a pipe or file, not a terminal")
	}
	if err := takeStdin(c, "the arguments (-stdin)"); err != nil {
		return nil, err
	}
	s, err := readBounded(c.App.Reader, "arguments on stdin")
	if err != nil {
		return nil, err
	}
	if s == "" {
		return nil, nil
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines, nil
}

// WalletCaller makes the JSON-RPC calls of a thin client of the wallet the
// node hosts (gg-wallet, gg-prop, gg-contract) and words the node's errors
// in the house voice. The zero value words the errors every such client
// shares; its fields add a binary's own wording.
type WalletCaller struct {
	// Hints adds a hint, naming the fix, to the node's message for these
	// JSON-RPC error codes.
	Hints map[int]string
	// Rejected words a mempool rejection (rpc.CodeVerifyRejected) from the
	// node's message; nil keeps the message as other errors do.
	Rejected func(msg string) string
}

// Call makes one RPC call to the node (found by NodeClient, the first
// call of a run riding with its check: NodeCall) and returns its error
// as Error does.
func (w WalletCaller) Call(c *ucli.Context, method string, out any, params ...any) error {
	if params == nil {
		params = []any{}
	}
	callErr, err := NodeCall(c, method, out, params)
	if err != nil {
		return err
	}
	return w.Error(callErr)
}

// Error turns an RPC call's error into a user error. A locked or missing
// wallet gets the message and hint of every client; invalid parameters
// exit 2 (usage); other JSON-RPC errors keep the node's message, without
// its "(gg-wallet unlock)" tail, plus the hint Hints names for the code.
// Errors other than JSON-RPC errors go through CallError.
func (w WalletCaller) Error(err error) error {
	if err == nil {
		return nil
	}
	var re *rpc.Error
	if !errors.As(err, &re) {
		return CallError(err, "", false)
	}
	switch re.Code {
	case rpc.CodeWalletLocked:
		return WithHint(Failf("wallet is locked"), "unlock it first: gg-wallet unlock")
	case rpc.CodeWalletNotFound:
		return WithHint(Failf("no wallet loaded"), "create one: gg-wallet create (or gg-wallet restore)")
	case rpc.CodeVerifyRejected:
		if w.Rejected != nil {
			return Failf("%s", w.Rejected(re.Message))
		}
	}
	e := Failf("%s", strings.TrimSuffix(re.Message, " (gg-wallet unlock)"))
	if h, ok := w.Hints[re.Code]; ok {
		e = WithHint(e, h)
	}
	if re.Code == rpc.CodeInvalidParams {
		e.Code = ExitUsage
	}
	return e
}
