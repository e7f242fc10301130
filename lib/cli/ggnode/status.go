package ggnode

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

func statusCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "status",
		Usage:     "print the node's summary: network, height, sync, peers, mempool, wallet",
		UsageText: "gg-node [global flags] status [-rpcwait [-rpcwaittimeout SECONDS]]",
		Description: "bitcoin-cli -getinfo's summary (also 'gg-node rpc -getinfo'): the network, the\n" +
			"height and best block, the sync state (blocks against headers, initial block\n" +
			"download), peers, the mempool's size and bytes, and the hosted wallet: loaded or\n" +
			"not, locked or not, its balances. Lines on a terminal, JSON when piped or with\n" +
			"--json.\n\n" +
			"Examples:\n" +
			"   gg-node --network=regtest status\n" +
			"   gg-node --network=regtest --json status",
		Flags:  waitFlags(),
		Action: runStatus,
	}
}

// nodeStatus is gg-node status's JSON.
type nodeStatus struct {
	Network              string        `json:"network"`
	Blocks               int32         `json:"blocks"`
	Headers              int32         `json:"headers"`
	BestBlockHash        string        `json:"bestblockhash"`
	InitialBlockDownload bool          `json:"initialblockdownload"`
	VerificationProgress float64       `json:"verificationprogress"`
	Peers                int           `json:"peers"`
	Mempool              mempoolStatus `json:"mempool"`
	Wallet               walletStatus  `json:"wallet"`
	Version              string        `json:"version,omitempty"`
}

type mempoolStatus struct {
	Size  int   `json:"size"`
	Bytes int64 `json:"bytes"`
}

type walletStatus struct {
	Loaded      bool        `json:"loaded"`
	Locked      *bool       `json:"locked,omitempty"`
	Balance     json.Number `json:"balance,omitempty"` // confirmed, spendable
	Unconfirmed json.Number `json:"unconfirmed,omitempty"`
	Immature    json.Number `json:"immature,omitempty"`
}

func runStatus(c *ucli.Context) error {
	client, err := connect(c)
	if err != nil {
		return err
	}
	st, err := fetchStatus(c, client)
	if err != nil {
		return err
	}
	if cli.WantJSON(c) {
		return cli.WriteJSON(c, st)
	}
	return writeStatus(c.App.Writer, st)
}

// fetchStatus gathers the summary: getblockchaininfo (the one that
// checked the node's network), getmempoolinfo, wallet.info and
// balance.all. Fields a node does not report (peers,
// initial block download, verification progress) are derived or 0.
func fetchStatus(c *ucli.Context, client *rpc.Client) (*nodeStatus, error) {
	var ci struct {
		Chain                string   `json:"chain"`
		Blocks               int32    `json:"blocks"`
		Headers              int32    `json:"headers"`
		BestBlockHash        string   `json:"bestblockhash"`
		InitialBlockDownload *bool    `json:"initialblockdownload"`
		VerificationProgress *float64 `json:"verificationprogress"`
		Connections          int      `json:"connections"`
		Version              string   `json:"version"`
	}
	if raw := cli.NodeChainInfo(c); raw != nil { // the network check's, moments ago
		if err := json.Unmarshal(raw, &ci); err != nil {
			return nil, cli.Failf("getblockchaininfo: %v", err)
		}
	} else if err := client.Call(c.Context, "getblockchaininfo", &ci); err != nil {
		return nil, cli.CallError(err, "getblockchaininfo", true)
	}
	st := &nodeStatus{Network: ci.Chain, Blocks: ci.Blocks, Headers: max(ci.Headers, ci.Blocks),
		BestBlockHash: ci.BestBlockHash, Peers: ci.Connections, Version: ci.Version}
	st.InitialBlockDownload = st.Blocks < st.Headers
	if ci.InitialBlockDownload != nil {
		st.InitialBlockDownload = *ci.InitialBlockDownload
	}
	st.VerificationProgress = 1
	if ci.VerificationProgress != nil {
		st.VerificationProgress = *ci.VerificationProgress
	} else if st.Headers > 0 {
		st.VerificationProgress = float64(st.Blocks) / float64(st.Headers)
	}
	if err := client.Call(c.Context, "getmempoolinfo", &st.Mempool); err != nil {
		return nil, cli.CallError(err, "getmempoolinfo", true)
	}
	var wi struct {
		Locked bool `json:"locked"`
	}
	err := client.Call(c.Context, "wallet.info", &wi)
	var re *rpc.Error
	if errors.As(err, &re) && re.Code != rpc.CodeWalletLocked {
		return st, nil // no wallet (none created, or --no-wallet)
	}
	if err != nil {
		return nil, cli.CallError(err, "wallet.info", true)
	}
	st.Wallet.Loaded, st.Wallet.Locked = true, &wi.Locked
	var bal struct {
		Confirmed   json.Number `json:"confirmed"`
		Unconfirmed json.Number `json:"unconfirmed"`
		Immature    json.Number `json:"immature"`
	}
	if err := client.Call(c.Context, "balance.all", &bal); err != nil {
		return nil, cli.CallError(err, "balance.all", true)
	}
	st.Wallet.Balance, st.Wallet.Unconfirmed, st.Wallet.Immature = bal.Confirmed, bal.Unconfirmed, bal.Immature
	return st, nil
}

// writeStatus prints the summary as aligned lines.
func writeStatus(w io.Writer, st *nodeStatus) error {
	sync := "synced"
	if st.InitialBlockDownload {
		sync = fmt.Sprintf("initial block download, %.1f%%", 100*st.VerificationProgress)
	}
	wallet := "none loaded (gg-wallet create)"
	if st.Wallet.Loaded {
		lock := "unlocked"
		if st.Wallet.Locked != nil && *st.Wallet.Locked {
			lock = "locked"
		}
		wallet = fmt.Sprintf("%s, balance %s GG (unconfirmed %s GG, immature %s GG)",
			lock, ggText(st.Wallet.Balance), ggText(st.Wallet.Unconfirmed), ggText(st.Wallet.Immature))
	}
	lines := [][2]string{
		{"network", st.Network},
		{"blocks", fmt.Sprintf("%d (headers %d)", st.Blocks, st.Headers)},
		{"best block", st.BestBlockHash},
		{"sync", sync},
		{"peers", fmt.Sprint(st.Peers)},
		{"mempool", fmt.Sprintf("%d transactions, %d bytes", st.Mempool.Size, st.Mempool.Bytes)},
		{"wallet", wallet},
	}
	if st.Version != "" {
		lines = append(lines, [2]string{"version", st.Version})
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%-11s %s\n", l[0], l[1]); err != nil {
			return err
		}
	}
	return nil
}

// ggText formats the node's amount n (none: 0) as every table does; one
// that does not read as an amount is printed as it came.
func ggText(n json.Number) string {
	var a cli.Amount
	if n != "" && a.UnmarshalJSON([]byte(n)) != nil {
		return string(n)
	}
	return a.String()
}
