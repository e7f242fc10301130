package tui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/rpc"
)

// Page names, in tab order; the first letter of each is not a key (the
// digits 1–9 and 0 are).
const (
	PageDashboard = "dashboard"
	PageBlocks    = "blocks"
	PageMempool   = "mempool"
	PagePeers     = "peers"
	PageProducers = "producers"
	PageProps     = "props"
	PageAuctions  = "auctions"
	PageContracts = "contracts"
	PageWallet    = "wallet"
	PageLog       = "log"
)

// PageNames lists the pages in tab order.
var PageNames = []string{PageDashboard, PageBlocks, PageMempool, PagePeers, PageProducers, PageProps,
	PageAuctions, PageContracts, PageWallet, PageLog}

// SnapshotPages are the pages --once prints (the log is the console's
// own).
var SnapshotPages = PageNames[:len(PageNames)-1]

// Table is one page's data as rows, with the value its JSON is.
type Table struct {
	Header []string
	Rows   [][]string
	Data   any
}

// Snapshot reads one page's data from the node, as the page shows it
// (its first screen: the newest blocks, the wallet's props, ...).
func Snapshot(ctx context.Context, c Caller, page string, now time.Time) (Table, error) {
	switch page {
	case PageDashboard:
		d, err := loadDashboard(ctx, c)
		if err != nil {
			return Table{}, err
		}
		return Table{Header: []string{"ITEM", "VALUE"}, Rows: d.rows(now), Data: d}, nil
	case PageBlocks:
		d, err := loadBlocks(ctx, c, blockPageSize)
		return tableOf(d, err, blocksTable)
	case PageMempool:
		d, err := loadMempool(ctx, c)
		return tableOf(d, err, mempoolTable)
	case PagePeers:
		d, err := loadPeers(ctx, c)
		return tableOf(d, err, peersTable)
	case PageProducers:
		d, err := loadProducers(ctx, c, "")
		return tableOf(d, err, producersTable)
	case PageProps:
		d, err := loadProps(ctx, c, propQuery{})
		return tableOf(d, err, propsTable)
	case PageAuctions:
		d, err := loadAuctions(ctx, c)
		return tableOf(d, err, auctionsTable)
	case PageContracts:
		d, err := loadContracts(ctx, c)
		return tableOf(d, err, contractsTable)
	case PageWallet:
		d, err := loadWallet(ctx, c, "")
		if err != nil {
			return Table{}, err
		}
		h, rows := walletTable(d)
		return Table{Header: h, Rows: rows, Data: d}, nil
	}
	return Table{}, fmt.Errorf("unknown page %q (want one of %s)", page, strings.Join(SnapshotPages, ", "))
}

func tableOf[T any](d T, err error, table func(T) ([]string, [][]string)) (Table, error) {
	if err != nil {
		return Table{}, err
	}
	h, rows := table(d)
	return Table{Header: h, Rows: rows, Data: d}, nil
}

// gg formats an amount as every gg table does (50.0, 1.5, 0.00000294).
func gg(a rpc.GG) string { return amount.Amount(a).String() }

// shortID shortens a 64-hex-digit id (or any long word) to 3f2a…9c1d.
func shortID(id string) string {
	if len(id) < 16 {
		return id
	}
	return id[:4] + "…" + id[len(id)-4:]
}

// age words how long ago t was, in its largest unit.
func age(now time.Time, t int64) string {
	if t == 0 {
		return "-"
	}
	d := now.Sub(time.Unix(t, 0))
	switch {
	case d < 0:
		return "ahead of this clock by " + strings.TrimSuffix(age(now.Add(-2*d), t), " ago")
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm ago", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

// ---- dashboard

// Dashboard is the node at a glance.
type Dashboard struct {
	Network  string  `json:"network"`
	Height   int32   `json:"height"`
	Hash     string  `json:"hash"`
	TipTime  int64   `json:"tip_time"`
	Headers  int32   `json:"headers"`
	Progress float64 `json:"progress"`
	IBD      bool    `json:"initialblockdownload"`
	// Peers is nil when the node runs without P2P.
	Peers   *int         `json:"peers"`
	Mempool MempoolStats `json:"mempool"`
	// Hashrate (H/s, the Stratum server's last 10 minutes) is nil when
	// Stratum is off.
	Hashrate *float64 `json:"hashrate"`
	// Wallet is nil when the node hosts none.
	Wallet *WalletSummary `json:"wallet"`
}

// MempoolStats sums up the mempool: its size and the range of its fee
// rates (GG per 1000 vbytes).
type MempoolStats struct {
	Size       int    `json:"size"`
	Bytes      int64  `json:"bytes"`
	MinFeeRate rpc.GG `json:"min_feerate"`
	MaxFeeRate rpc.GG `json:"max_feerate"`
}

// WalletSummary is the hosted wallet's state and balance.
type WalletSummary struct {
	Locked      bool   `json:"locked"`
	Confirmed   rpc.GG `json:"confirmed"`
	Unconfirmed rpc.GG `json:"unconfirmed"`
	Reserved    rpc.GG `json:"reserved"`
}

func loadDashboard(ctx context.Context, c Caller) (*Dashboard, error) {
	var info struct {
		Chain    string  `json:"chain"`
		Blocks   int32   `json:"blocks"`
		Headers  int32   `json:"headers"`
		Best     string  `json:"bestblockhash"`
		Progress float64 `json:"verificationprogress"`
		IBD      bool    `json:"initialblockdownload"`
	}
	if err := c.Call(ctx, "getblockchaininfo", &info); err != nil {
		return nil, err
	}
	d := &Dashboard{Network: info.Chain, Height: info.Blocks, Hash: info.Best, Headers: info.Headers,
		Progress: info.Progress, IBD: info.IBD}
	var hdr rpc.HeaderJSON
	if err := c.Call(ctx, "getblockheader", &hdr, info.Best); err != nil {
		return nil, err
	}
	d.TipTime = int64(hdr.Time)
	var n int
	if err := c.Call(ctx, "getconnectioncount", &n); err == nil {
		d.Peers = &n
	} else if connectionError(err) {
		return nil, err
	}
	mp, err := loadMempool(ctx, c)
	if err != nil {
		return nil, err
	}
	d.Mempool = mp.Stats
	var st struct {
		Totals struct {
			Hashrate float64 `json:"hashrate"`
		} `json:"totals"`
	}
	if err := c.Call(ctx, "miner.stratum.info", &st); err == nil {
		d.Hashrate = &st.Totals.Hashrate
	} else if connectionError(err) {
		return nil, err
	}
	var wi struct {
		Locked bool `json:"locked"`
	}
	if err := c.Call(ctx, "wallet.info", &wi); err == nil {
		var b rpc.WalletBalanceJSON
		if err := c.Call(ctx, "balance.all", &b, "*"); err != nil {
			return nil, err
		}
		d.Wallet = &WalletSummary{Locked: wi.Locked, Confirmed: b.Confirmed, Unconfirmed: b.Unconfirmed, Reserved: b.Reserved}
	} else if connectionError(err) {
		return nil, err
	}
	return d, nil
}

func (d *Dashboard) rows(now time.Time) [][]string {
	sync := "synced"
	if d.IBD || d.Headers > d.Height {
		sync = fmt.Sprintf("syncing %.1f%% (%d of %d headers)", d.Progress*100, d.Height, d.Headers)
	}
	peers := "P2P off"
	if d.Peers != nil {
		peers = fmt.Sprint(*d.Peers)
	}
	fees := "-"
	if d.Mempool.Size > 0 {
		fees = fmt.Sprintf("%s – %s GG/kvB", gg(d.Mempool.MinFeeRate), gg(d.Mempool.MaxFeeRate))
	}
	hr := "Stratum off"
	if d.Hashrate != nil {
		hr = hashrate(*d.Hashrate)
	}
	wallet := "none"
	if w := d.Wallet; w != nil {
		state := "unlocked"
		if w.Locked {
			state = "locked"
		}
		wallet = fmt.Sprintf("%s GG (+%s unconfirmed, %s reserved), %s", gg(w.Confirmed), gg(w.Unconfirmed), gg(w.Reserved), state)
	}
	return [][]string{
		{"network", d.Network},
		{"tip", fmt.Sprintf("%d %s", d.Height, d.Hash)},
		{"tip age", age(now, d.TipTime)},
		{"sync", sync},
		{"peers", peers},
		{"mempool", fmt.Sprintf("%d txs, %d vbytes", d.Mempool.Size, d.Mempool.Bytes)},
		{"fee range", fees},
		{"hashrate", hr},
		{"wallet", wallet},
	}
}

func hashrate(h float64) string {
	units := []string{"H/s", "kH/s", "MH/s", "GH/s", "TH/s"}
	i := 0
	for h >= 1000 && i < len(units)-1 {
		h /= 1000
		i++
	}
	return fmt.Sprintf("%.2f %s", h, units[i])
}

// ---- blocks

// blockPageSize is how many blocks the blocks page lists.
const blockPageSize = 20

// BlockRow is one block of the blocks page.
type BlockRow struct {
	Height int32  `json:"height"`
	Hash   string `json:"hash"`
	Time   uint32 `json:"time"`
	Txs    int    `json:"txs"`
	Size   int    `json:"size"`
	Weight int    `json:"weight"`
}

// Blocks are the newest blocks, tip first.
type Blocks struct {
	Blocks []BlockRow `json:"blocks"`
}

func loadBlocks(ctx context.Context, c Caller, n int) (*Blocks, error) {
	var tip int32
	if err := c.Call(ctx, "getblockcount", &tip); err != nil {
		return nil, err
	}
	d := &Blocks{Blocks: []BlockRow{}}
	for h := tip; h >= 0 && int(tip-h) < n; h-- {
		var b rpc.BlockJSON
		if err := c.Call(ctx, "block.info.byheight", &b, h, 1); err != nil {
			return nil, err
		}
		d.Blocks = append(d.Blocks, BlockRow{Height: b.Height, Hash: b.Hash, Time: b.Time, Txs: len(b.Tx), Size: b.Size, Weight: b.Weight})
	}
	return d, nil
}

func blocksTable(d *Blocks) ([]string, [][]string) {
	rows := make([][]string, 0, len(d.Blocks))
	for _, b := range d.Blocks {
		rows = append(rows, []string{fmt.Sprint(b.Height), b.Hash, time.Unix(int64(b.Time), 0).UTC().Format("2006-01-02 15:04:05"),
			fmt.Sprint(b.Txs), fmt.Sprint(b.Size)})
	}
	return []string{"HEIGHT", "HASH", "TIME (UTC)", "TXS", "SIZE"}, rows
}

// ---- mempool

// MempoolTx is one transaction of the mempool.
type MempoolTx struct {
	TxID    string `json:"txid"`
	VSize   int    `json:"vsize"`
	Fee     rpc.GG `json:"fee"`
	FeeRate rpc.GG `json:"feerate"` // GG per 1000 vbytes
	Time    int64  `json:"time"`
}

// Mempool is the pool, best fee rate first.
type Mempool struct {
	Stats MempoolStats `json:"stats"`
	Txs   []MempoolTx  `json:"txs"`
}

func loadMempool(ctx context.Context, c Caller) (*Mempool, error) {
	var raw map[string]struct {
		VSize int    `json:"vsize"`
		Fee   rpc.GG `json:"fee"`
		Time  int64  `json:"time"`
	}
	if err := c.Call(ctx, "getrawmempool", &raw, true); err != nil {
		return nil, err
	}
	d := &Mempool{Txs: make([]MempoolTx, 0, len(raw))}
	for id, e := range raw {
		rate := rpc.GG(0)
		if e.VSize > 0 {
			rate = rpc.GG(int64(e.Fee) * 1000 / int64(e.VSize))
		}
		d.Txs = append(d.Txs, MempoolTx{TxID: id, VSize: e.VSize, Fee: e.Fee, FeeRate: rate, Time: e.Time})
		d.Stats.Bytes += int64(e.VSize)
	}
	sort.Slice(d.Txs, func(i, j int) bool {
		a, b := d.Txs[i], d.Txs[j]
		if a.FeeRate != b.FeeRate {
			return a.FeeRate > b.FeeRate
		}
		return a.TxID < b.TxID
	})
	d.Stats.Size = len(d.Txs)
	if n := len(d.Txs); n > 0 {
		d.Stats.MaxFeeRate, d.Stats.MinFeeRate = d.Txs[0].FeeRate, d.Txs[n-1].FeeRate
	}
	return d, nil
}

func mempoolTable(d *Mempool) ([]string, [][]string) {
	rows := make([][]string, 0, len(d.Txs))
	for _, t := range d.Txs {
		rows = append(rows, []string{t.TxID, fmt.Sprint(t.VSize), gg(t.Fee), gg(t.FeeRate)})
	}
	return []string{"TXID", "VSIZE", "FEE GG", "GG/KVB"}, rows
}

// ---- peers

// codeP2POff is the node's answer to the peer methods without P2P.
const codeP2POff = -9

// Peers are the connected peers; Off says the node runs without P2P.
type Peers struct {
	Off   bool           `json:"p2p_off,omitempty"`
	Peers []rpc.PeerInfo `json:"peers"`
}

func loadPeers(ctx context.Context, c Caller) (*Peers, error) {
	d := &Peers{Peers: []rpc.PeerInfo{}}
	err := c.Call(ctx, "getpeerinfo", &d.Peers)
	if rpcCode(err) == codeP2POff {
		return &Peers{Off: true, Peers: []rpc.PeerInfo{}}, nil
	}
	return d, err
}

func peersTable(d *Peers) ([]string, [][]string) {
	rows := make([][]string, 0, len(d.Peers))
	for _, p := range d.Peers {
		dir := "out"
		if p.Inbound {
			dir = "in"
		}
		ping := "-"
		if p.PingTime > 0 {
			ping = fmt.Sprintf("%.0fms", p.PingTime*1000)
		}
		rows = append(rows, []string{fmt.Sprint(p.ID), p.Addr, dir, p.SubVer, fmt.Sprint(p.SyncedBlocks), ping, fmt.Sprint(p.Misbehavior)})
	}
	return []string{"ID", "ADDRESS", "DIR", "AGENT", "BLOCKS", "PING", "BAN SCORE"}, rows
}

// ---- producers

// Producers are the registry's producers (by name), with the wallet's
// pending registrations first.
type Producers struct {
	Total     int                 `json:"total"`
	Producers []*rpc.ProducerJSON `json:"producers"`
}

func loadProducers(ctx context.Context, c Caller, prefix string) (*Producers, error) {
	d := &Producers{}
	if err := c.Call(ctx, "cp.list", d, prefix, "", "", 0, 1000); err != nil {
		return nil, err
	}
	var mine []*rpc.ProducerJSON
	if err := c.Call(ctx, "cp.mine", &mine, "*"); err == nil {
		seen := map[string]*rpc.ProducerJSON{}
		for _, p := range d.Producers {
			seen[p.ID] = p
		}
		var pending []*rpc.ProducerJSON
		for _, p := range mine {
			if q := seen[p.ID]; q != nil {
				q.Account = p.Account
			} else if strings.HasPrefix(strings.ToLower(p.Name), strings.ToLower(prefix)) {
				pending = append(pending, p)
			}
		}
		d.Producers = append(pending, d.Producers...)
	} else if connectionError(err) {
		return nil, err
	}
	if d.Producers == nil {
		d.Producers = []*rpc.ProducerJSON{}
	}
	return d, nil
}

func producersTable(d *Producers) ([]string, [][]string) {
	rows := make([][]string, 0, len(d.Producers))
	for _, p := range d.Producers {
		h := fmt.Sprint(p.Height)
		if !p.Confirmed && p.Height < 0 {
			h = "pending"
		}
		rows = append(rows, []string{p.Name, p.ID, p.Class, fmt.Sprint(p.Share), h, p.Account, p.URL})
	}
	return []string{"NAME", "ID", "CLASS", "SHARE", "HEIGHT", "ACCOUNT", "URL"}, rows
}

// ---- props

// propQuery selects the props page's list: the wallet's (zero value), a
// producer's, or one prop by id.
type propQuery struct {
	Producer string
	ID       string
}

func (q propQuery) String() string {
	switch {
	case q.ID != "":
		return "prop " + shortID(q.ID)
	case q.Producer != "":
		return "producer " + q.Producer
	}
	return "the wallet's"
}

// Props are a list of props.
type Props struct {
	Query string          `json:"query"`
	Props []*rpc.PropJSON `json:"props"`
}

func loadProps(ctx context.Context, c Caller, q propQuery) (*Props, error) {
	d := &Props{Query: q.String()}
	switch {
	case q.ID != "":
		var p rpc.PropJSON
		if err := c.Call(ctx, "prop.byid", &p, q.ID); err != nil {
			return nil, err
		}
		d.Props = []*rpc.PropJSON{&p}
	case q.Producer != "":
		var r struct {
			Props []*rpc.PropJSON `json:"props"`
		}
		if err := c.Call(ctx, "prop.list", &r, q.Producer, "", false, 0, 1000); err != nil {
			return nil, err
		}
		d.Props = r.Props
	default:
		if err := c.Call(ctx, "prop.mine", &d.Props, "*"); err != nil {
			return nil, err
		}
	}
	if d.Props == nil {
		d.Props = []*rpc.PropJSON{}
	}
	return d, nil
}

func propsTable(d *Props) ([]string, [][]string) {
	rows := make([][]string, 0, len(d.Props))
	for _, p := range d.Props {
		state := p.Status
		switch {
		case !p.Confirmed:
			state = "pending"
		case p.Auction != nil:
			state = "on sale"
		}
		rows = append(rows, []string{p.ID, p.OID, gg(p.Gold), state, p.Account, p.Owner})
	}
	return []string{"ID", "OID", "GOLD", "STATE", "ACCOUNT", "OWNER"}, rows
}

// ---- auctions

// Auctions are the live auctions.
type Auctions struct {
	Auctions []*rpc.GameAuctionJSON `json:"auctions"`
}

func loadAuctions(ctx context.Context, c Caller) (*Auctions, error) {
	d := &Auctions{}
	if err := c.Call(ctx, "prop.bidlist", &d.Auctions); err != nil {
		return nil, err
	}
	if d.Auctions == nil {
		d.Auctions = []*rpc.GameAuctionJSON{}
	}
	sort.SliceStable(d.Auctions, func(i, j int) bool { return d.Auctions[i].Prop < d.Auctions[j].Prop })
	return d, nil
}

func auctionsTable(d *Auctions) ([]string, [][]string) {
	rows := make([][]string, 0, len(d.Auctions))
	for _, a := range d.Auctions {
		bid, bidder := "-", "-"
		if a.Bid > 0 {
			bid, bidder = gg(a.Bid), a.Bidder
		}
		if a.Final {
			bid += " (final)"
		}
		rows = append(rows, []string{a.Prop, gg(a.BuyNow), gg(a.Reserve), bid, bidder, fmt.Sprint(a.End)})
	}
	return []string{"PROP", "BUY NOW", "RESERVE", "BEST BID", "BIDDER", "END"}, rows
}

// ---- contracts

// Contracts are the wallet's contracts.
type Contracts struct {
	Contracts []*rpc.ContractJSON `json:"contracts"`
}

func loadContracts(ctx context.Context, c Caller) (*Contracts, error) {
	d := &Contracts{}
	if err := c.Call(ctx, "contract.mine", &d.Contracts, "*"); err != nil {
		return nil, err
	}
	if d.Contracts == nil {
		d.Contracts = []*rpc.ContractJSON{}
	}
	return d, nil
}

// lifecycle draws a contract's way, published → signed → fulfilled →
// executed (claimed, refunded or settled), the current step in
// brackets: "pub→[sign]→fulfil→exec"; an offer withdrawn or expired
// shows "× expired".
func lifecycle(state string) string {
	steps := []string{"pub", "sign", "fulfil", "exec"}
	cur := map[string]int{"published": 0, "signed": 1, "fulfilled": 2, "exchanged": 3, "refunded": 3, "settled": 3}
	i, ok := cur[state]
	if !ok { // expired, withdrawn: off the way
		return "× " + state
	}
	out := make([]string, len(steps))
	for j, s := range steps {
		if j == 3 && i == 3 {
			s = state
		}
		if j == i {
			s = "[" + s + "]"
		}
		out[j] = s
	}
	return strings.Join(out, "→")
}

// nextStep is what the party the wallet plays can do next, or "".
func nextStep(c *rpc.ContractJSON) string {
	a := strings.Contains(c.Role, "A")
	b := strings.Contains(c.Role, "B")
	switch {
	case c.State == "published" && b:
		return "sign"
	case c.State == "signed" && b:
		return "fulfil"
	case (c.State == "published" || c.State == "signed") && a:
		return "withdraw"
	case c.State == "fulfilled" && b && c.Terms.Hash != "":
		return "claim"
	case c.State == "fulfilled" && a:
		return "refund"
	}
	return ""
}

func contractsTable(d *Contracts) ([]string, [][]string) {
	rows := make([][]string, 0, len(d.Contracts))
	for _, c := range d.Contracts {
		next := nextStep(c)
		if next == "" {
			next = "-"
		}
		rows = append(rows, []string{c.ID, c.Role, lifecycle(c.State), gg(c.Terms.AGold), gg(c.Terms.BGold), fmt.Sprint(c.Terms.Expiry), next})
	}
	return []string{"ID", "ROLE", "LIFECYCLE", "A GIVES", "B PAYS", "EXPIRY", "NEXT"}, rows
}

// ---- wallet

// Wallet is the hosted wallet: its accounts with their balances, and the
// latest history (of Account, or of every account).
type Wallet struct {
	Locked   bool                  `json:"locked"`
	Account  string                `json:"account,omitempty"`
	Accounts []WalletAccount       `json:"accounts"`
	Total    rpc.WalletBalanceJSON `json:"total"`
	History  []WalletTx            `json:"history"`
}

// WalletTx is a tx.list entry; its amount is negative for a payment.
type WalletTx struct {
	TxID          string    `json:"txid"`
	Status        string    `json:"status"`
	Category      string    `json:"category"`
	Amount        SignedGG  `json:"amount"`
	Fee           *SignedGG `json:"fee,omitempty"`
	Confirmations int32     `json:"confirmations"`
	Height        int32     `json:"height"`
	BlockHash     string    `json:"blockhash,omitempty"`
	Time          int64     `json:"time"`
}

// SignedGG is an amount of GG that may be negative, read exactly.
type SignedGG amount.Amount

// UnmarshalJSON reads a JSON number or string of GG.
func (a *SignedGG) UnmarshalJSON(b []byte) error {
	v, err := amount.ParseSigned(strings.Trim(string(b), `"`))
	if err != nil {
		return fmt.Errorf("amount %s: %w", b, err)
	}
	*a = SignedGG(v)
	return nil
}

// MarshalJSON writes eight decimals, as the node does.
func (a SignedGG) MarshalJSON() ([]byte, error) {
	if a < 0 {
		return []byte("-" + amount.Amount(-a).Format()), nil
	}
	return []byte(amount.Amount(a).Format()), nil
}

func (a SignedGG) String() string {
	if a < 0 {
		return "-" + amount.Amount(-a).String()
	}
	return amount.Amount(a).String()
}

// WalletAccount is an account and its balance.
type WalletAccount struct {
	rpc.WalletAccountJSON
	Balance rpc.WalletBalanceJSON `json:"balance"`
}

// historySize is how many transactions the wallet page shows.
const historySize = 50

// loadWallet reads the wallet, the history of account ("": of every
// account).
func loadWallet(ctx context.Context, c Caller, account string) (*Wallet, error) {
	var wi struct {
		Locked bool `json:"locked"`
	}
	if err := c.Call(ctx, "wallet.info", &wi); err != nil {
		return nil, err
	}
	d := &Wallet{Locked: wi.Locked, Account: account}
	var accts []rpc.WalletAccountJSON
	if err := c.Call(ctx, "account.list", &accts); err != nil {
		return nil, err
	}
	for _, a := range accts {
		wa := WalletAccount{WalletAccountJSON: a}
		if err := c.Call(ctx, "balance.all", &wa.Balance, a.Name); err != nil {
			return nil, err
		}
		d.Accounts = append(d.Accounts, wa)
	}
	if err := c.Call(ctx, "balance.all", &d.Total, "*"); err != nil {
		return nil, err
	}
	hist := account
	if hist == "" {
		hist = "*"
	}
	if err := c.Call(ctx, "tx.list", &d.History, hist, historySize, 0); err != nil {
		return nil, err
	}
	if d.Accounts == nil {
		d.Accounts = []WalletAccount{}
	}
	if d.History == nil {
		d.History = []WalletTx{}
	}
	return d, nil
}

func balanceRow(name string, b rpc.WalletBalanceJSON) []string {
	return []string{name, gg(b.Confirmed), gg(b.Unconfirmed), gg(b.Reserved), gg(b.Locked), gg(b.Immature), gg(b.Game)}
}

var balanceHeader = []string{"ACCOUNT", "CONFIRMED", "UNCONFIRMED", "RESERVED", "LOCKED", "IMMATURE", "GAME"}

func walletTable(d *Wallet) ([]string, [][]string) {
	rows := make([][]string, 0, len(d.Accounts)+1)
	for _, a := range d.Accounts {
		rows = append(rows, balanceRow(a.Name, a.Balance))
	}
	rows = append(rows, balanceRow("(all)", d.Total))
	return balanceHeader, rows
}

func historyTable(h []WalletTx, now time.Time) ([]string, [][]string) {
	rows := make([][]string, 0, len(h))
	for _, t := range h {
		fee := "-"
		if t.Fee != nil {
			fee = t.Fee.String()
		}
		rows = append(rows, []string{t.TxID, t.Status, t.Category, t.Amount.String(), fee, fmt.Sprint(t.Confirmations), age(now, t.Time)})
	}
	return []string{"TXID", "STATUS", "CATEGORY", "AMOUNT", "FEE", "CONF", "TIME"}, rows
}
