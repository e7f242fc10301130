package node

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/gamegold/gg/lib/rpc"
)

// openTokens loads the datadir's API tokens (rpc.TokenFile): a file
// that does not parse stops the node rather than drop tokens.
func (n *Node) openTokens() (*rpc.Tokens, error) {
	toks, err := rpc.OpenTokens(filepath.Join(n.cfg.DataDir, rpc.TokenFile))
	if err != nil {
		return nil, fmt.Errorf("load API tokens: %w", err)
	}
	return toks, nil
}

// registerTokens adds the token methods (token.create, token.list,
// token.revoke) to the RPC server; a token's account must be one of the
// hosted wallet's.
func (n *Node) registerTokens(toks *rpc.Tokens) {
	ts := &rpc.TokenService{Tokens: toks, ServerMethods: n.rpc.Methods, CheckAccount: n.checkTokenAccount}
	n.rpc.Register(ts.Methods()...)
}

// checkTokenAccount checks that the hosted wallet has account.
func (n *Node) checkTokenAccount(account string) error {
	if n.Wallet == nil {
		return rpc.Errorf(rpc.CodeWallet, "the wallet is disabled on this node: no account to bind a token to")
	}
	if !n.Wallet.Loaded() {
		return rpc.ErrNoWallet()
	}
	accts, err := n.Wallet.Accounts()
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(accts, func(a rpc.WalletAccountJSON) bool { return a.Name == account }) {
		return rpc.Errorf(rpc.CodeInvalidParam, "no account %q in the wallet (account.create makes one)", account)
	}
	return nil
}
