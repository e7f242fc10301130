package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/rpc"
)

// listView draws a page's list, or its error, or that it is loading.
func (m *Model) listView(s *pageState, l *list, w, h int, caption, empty string) string {
	var b strings.Builder
	line := caption
	if s.err != "" {
		line = m.st.err.Render("error: " + s.err)
	} else if !s.loadedOnce {
		line = "loading…"
	}
	if len(l.rows) > 0 {
		line += m.st.dim.Render("  " + l.position())
	}
	b.WriteString(truncate(line, w) + "\n")
	b.WriteString(l.view(w, h-1, m.st, empty))
	return b.String()
}

// selected is the row under a list's cursor, or -1.
func selected(l *list) int {
	if len(l.rows) == 0 {
		return -1
	}
	return l.cursor
}

func actionParams(account string, dry bool) []any { return []any{account, dry} }

// gameAction is a game action of the wallet: its dry run, then the same
// call sent.
func gameAction(title string, lines [][2]string, method string, params []any, account string, reload ...string) *action {
	if account == "" {
		account = "default"
	}
	lines = append(lines, [2]string{"account", account})
	return &action{title: title, lines: lines, wallet: true, reload: reload,
		preview: &call{method, append(append([]any{}, params...), actionParams(account, true)...)},
		run:     call{method, append(append([]any{}, params...), actionParams(account, false)...)}}
}

func ruleText(err error) error {
	var re *game.RuleError
	if errors.As(err, &re) {
		return errors.New(re.Message)
	}
	return err
}

func parseGG(s, what string, min amount.Amount) (amount.Amount, error) {
	a, err := amount.Parse(s)
	if err != nil || a < min || a <= 0 {
		if min > 0 {
			return 0, fmt.Errorf("%s: want GG of at least %s, such as %s", what, min, min)
		}
		return 0, fmt.Errorf("%s: want a positive GG amount such as 1.5", what)
	}
	return a, nil
}

// ---- dashboard

type dashboardPage struct {
	pageState
	data *Dashboard
}

func (*dashboardPage) name() string     { return PageDashboard }
func (*dashboardPage) title() string    { return "Dashboard" }
func (*dashboardPage) keys() string     { return "" }
func (*dashboardPage) topics() []string { return []string{"blocks", "mempool", "peers"} }
func (p *dashboardPage) load(m *Model) tea.Cmd {
	return loadCmd(m, 0, loadDashboard)
}
func (p *dashboardPage) loaded(m *Model, d any) {
	p.data = d.(*Dashboard)
	m.network, m.tip = p.data.Network, p.data.Height
	if m.lastHash == "" {
		m.lastHash = p.data.Hash
	}
}
func (p *dashboardPage) key(*Model, string) (tea.Cmd, bool) { return nil, false }
func (p *dashboardPage) view(m *Model, w, h int) string {
	if p.data == nil {
		if p.err != "" {
			return m.st.err.Render("error: " + p.err)
		}
		return "loading…"
	}
	var b strings.Builder
	b.WriteString(m.st.title.Render("Node") + "\n")
	for _, r := range p.data.rows(m.cfg.Now()) {
		v := r[1]
		if r[0] == "tip" && lipgloss_width(v)+14 > w {
			v = fmt.Sprintf("%d %s", p.data.Height, shortID(p.data.Hash))
		}
		b.WriteString(truncate("  "+m.st.key.Render(pad(r[0], 10))+"  "+v, w) + "\n")
	}
	if p.err != "" {
		b.WriteString("\n" + m.st.err.Render("error: "+p.err))
	}
	return b.String()
}

func lipgloss_width(s string) int { return len([]rune(s)) }

// ---- blocks

type blocksPage struct {
	pageState
	data *Blocks
	list list
}

func (*blocksPage) name() string     { return PageBlocks }
func (*blocksPage) title() string    { return "Blocks" }
func (*blocksPage) keys() string     { return "enter open block" }
func (*blocksPage) topics() []string { return []string{"blocks"} }
func (p *blocksPage) load(m *Model) tea.Cmd {
	return loadCmd(m, 1, func(ctx context.Context, c Caller) (*Blocks, error) { return loadBlocks(ctx, c, blockPageSize) })
}
func (p *blocksPage) loaded(m *Model, d any) {
	p.data = d.(*Blocks)
	p.list.set(blocksTable(p.data))
}
func (p *blocksPage) key(m *Model, k string) (tea.Cmd, bool) {
	if k == "enter" {
		if i := selected(&p.list); i >= 0 {
			m.busy = "loading the block"
			return openBlock(m, p.data.Blocks[i].Hash), true
		}
		return nil, true
	}
	return nil, p.list.key(k)
}
func (p *blocksPage) view(m *Model, w, h int) string {
	return m.listView(&p.pageState, &p.list, w, h, "The newest blocks", "(no blocks)")
}

func openBlock(m *Model, hash string) tea.Cmd {
	ctx, c := m.ctx(), m.cfg.Backend
	return func() tea.Msg {
		var b struct {
			rpc.HeaderJSON
			Size   int      `json:"size"`
			Weight int      `json:"weight"`
			Tx     []string `json:"tx"`
		}
		if err := c.Call(ctx, "getblock", &b, hash, 1); err != nil {
			return detailMsg{err: err}
		}
		d := &detail{title: fmt.Sprintf("Block %d", b.Height), text: []string{
			"  hash      " + b.Hash,
			"  previous  " + b.PreviousBlockHash,
			fmt.Sprintf("  time      %d   size %d   weight %d   txs %d   confirmations %d", b.Time, b.Size, b.Weight, len(b.Tx), b.Confirmations),
		}}
		rows := make([][]string, len(b.Tx))
		for i, t := range b.Tx {
			rows[i] = []string{fmt.Sprint(i), t}
		}
		d.list.full = true
		d.list.set([]string{"#", "TXID (enter: open)"}, rows)
		d.enter = func(row int) tea.Cmd { return openTx(ctx, c, b.Tx[row], hash) }
		return detailMsg{d: d}
	}
}

func openTx(ctx context.Context, c Caller, txid, block string) tea.Cmd {
	return func() tea.Msg {
		var raw json.RawMessage
		params := []any{txid, true}
		if block != "" {
			params = append(params, block)
		}
		if err := c.Call(ctx, "getrawtransaction", &raw, params...); err != nil {
			return detailMsg{err: err}
		}
		// the hex is long and says nothing to a reader
		var v map[string]any
		if json.Unmarshal(raw, &v) == nil {
			delete(v, "hex")
			raw, _ = json.Marshal(v)
		}
		return detailMsg{d: jsonDetail("Transaction "+txid, raw)}
	}
}

// ---- mempool

type mempoolPage struct {
	pageState
	data *Mempool
	list list
}

func (*mempoolPage) name() string     { return PageMempool }
func (*mempoolPage) title() string    { return "Mempool" }
func (*mempoolPage) keys() string     { return "enter open tx" }
func (*mempoolPage) topics() []string { return []string{"mempool", "blocks"} }
func (p *mempoolPage) load(m *Model) tea.Cmd {
	return loadCmd(m, 2, loadMempool)
}
func (p *mempoolPage) loaded(m *Model, d any) {
	p.data = d.(*Mempool)
	p.list.set(mempoolTable(p.data))
}
func (p *mempoolPage) key(m *Model, k string) (tea.Cmd, bool) {
	if k == "enter" {
		if i := selected(&p.list); i >= 0 {
			m.busy = "loading the transaction"
			return openTx(m.ctx(), m.cfg.Backend, p.data.Txs[i].TxID, ""), true
		}
		return nil, true
	}
	return nil, p.list.key(k)
}
func (p *mempoolPage) view(m *Model, w, h int) string {
	cap := "Mempool"
	if p.data != nil {
		s := p.data.Stats
		cap = fmt.Sprintf("Mempool: %d txs, %d vbytes", s.Size, s.Bytes)
		if s.Size > 0 {
			cap += fmt.Sprintf(", fee rates %s – %s GG/kvB", gg(s.MinFeeRate), gg(s.MaxFeeRate))
		}
	}
	return m.listView(&p.pageState, &p.list, w, h, cap, "(empty)")
}

// ---- peers

type peersPage struct {
	pageState
	data *Peers
	list list
}

func (*peersPage) name() string     { return PagePeers }
func (*peersPage) title() string    { return "Peers" }
func (*peersPage) keys() string     { return "d disconnect · b ban" }
func (*peersPage) topics() []string { return []string{"peers"} }
func (p *peersPage) load(m *Model) tea.Cmd {
	return loadCmd(m, 3, loadPeers)
}
func (p *peersPage) loaded(m *Model, d any) {
	p.data = d.(*Peers)
	p.list.set(peersTable(p.data))
}
func (p *peersPage) key(m *Model, k string) (tea.Cmd, bool) {
	i := selected(&p.list)
	switch k {
	case "d":
		if i >= 0 {
			pr := p.data.Peers[i]
			m.confirm = &action{title: fmt.Sprintf("disconnect peer %d", pr.ID),
				lines:  [][2]string{{"peer", fmt.Sprintf("%d %s (%s)", pr.ID, pr.Addr, pr.SubVer)}},
				run:    call{"disconnectnode", []any{pr.Addr}},
				reload: []string{PagePeers}}
		}
		return nil, true
	case "b":
		if i >= 0 {
			pr := p.data.Peers[i]
			host, _, err := net.SplitHostPort(pr.Addr)
			if err != nil {
				host = pr.Addr
			}
			m.confirm = &action{title: "ban " + host,
				lines:  [][2]string{{"address", host}, {"for", "24 hours (86400 s)"}, {"peer", fmt.Sprintf("%d %s", pr.ID, pr.SubVer)}},
				run:    call{"setban", []any{host, "add", 86400}},
				reload: []string{PagePeers}}
		}
		return nil, true
	}
	return nil, p.list.key(k)
}
func (p *peersPage) view(m *Model, w, h int) string {
	cap := "Peers"
	if p.data != nil {
		cap = fmt.Sprintf("Peers: %d connected", len(p.data.Peers))
		if p.data.Off {
			cap = "Peers: the node runs without P2P (--p2p=false)"
		}
	}
	return m.listView(&p.pageState, &p.list, w, h, cap, "(no peers)")
}

// ---- producers

type producersPage struct {
	pageState
	data   *Producers
	list   list
	prefix string
}

func (*producersPage) name() string     { return PageProducers }
func (*producersPage) title() string    { return "Producers" }
func (*producersPage) keys() string     { return "/ search · n register · c change · t transfer" }
func (*producersPage) topics() []string { return []string{"producers", "blocks"} }
func (p *producersPage) load(m *Model) tea.Cmd {
	prefix := p.prefix
	return loadCmd(m, 4, func(ctx context.Context, c Caller) (*Producers, error) { return loadProducers(ctx, c, prefix) })
}
func (p *producersPage) loaded(m *Model, d any) {
	p.data = d.(*Producers)
	p.list.set(producersTable(p.data))
}

func producerInfo(v []string) (name, url, ip, class string, share uint8, err error) {
	name, url, ip, class = v[0], v[1], v[2], v[3]
	for _, c := range []struct {
		f func(string) error
		v string
	}{{game.CheckName, name}, {game.CheckURL, url}, {game.CheckIP, ip}, {game.CheckClass, class}} {
		if err := c.f(c.v); err != nil {
			return "", "", "", "", 0, ruleText(err)
		}
	}
	if v[4] != "" {
		n, err := strconv.Atoi(v[4])
		if err != nil || n < 0 || n > game.MaxShare {
			return "", "", "", "", 0, fmt.Errorf("share: a whole percent from 0 to %d", game.MaxShare)
		}
		share = uint8(n)
	}
	return name, url, ip, class, share, nil
}

func (p *producersPage) key(m *Model, k string) (tea.Cmd, bool) {
	i := selected(&p.list)
	switch k {
	case "/":
		m.form = newForm("Search producers by name", []fieldSpec{{"name starts with", "empty: all", p.prefix}}, func(v []string) (*action, error) {
			return localAction(func(m *Model) tea.Cmd {
				p.prefix = v[0]
				p.list.top()
				return m.reload(4)
			}), nil
		})
		return nil, true
	case "n":
		m.form = newForm("Register a producer (locks 1 GG)", []fieldSpec{{"name", "4-40 letters, digits, -", ""}, {"url", "https://...", ""},
			{"ip", "optional", ""}, {"class", "optional", ""}, {"media share %", "0", ""}, {"account", "default", ""}},
			func(v []string) (*action, error) {
				name, url, ip, class, share, err := producerInfo(v)
				if err != nil {
					return nil, err
				}
				return gameAction("register producer "+name,
					[][2]string{{"name", name}, {"url", url}, {"ip", ip}, {"class", class}, {"media share", fmt.Sprintf("%d%%", share)}, {"locks", "1.0 GG"}},
					"cp.create", []any{name, url, ip, class, share}, v[5], PageProducers, PageWallet), nil
			})
		return nil, true
	case "c":
		if i < 0 {
			return nil, true
		}
		pr := p.data.Producers[i]
		m.form = newForm("Change producer "+pr.Name, []fieldSpec{{"name", "", pr.Name}, {"url", "", pr.URL}, {"ip", "", pr.IP},
			{"class", "", pr.Class}, {"media share %", "", fmt.Sprint(pr.Share)}, {"account", "default", pr.Account}},
			func(v []string) (*action, error) {
				name, url, ip, class, share, err := producerInfo(v)
				if err != nil {
					return nil, err
				}
				return gameAction("change producer "+pr.Name,
					[][2]string{{"producer", pr.ID}, {"name", name}, {"url", url}, {"ip", ip}, {"class", class}, {"media share", fmt.Sprintf("%d%%", share)}},
					"cp.change", []any{pr.ID, name, url, ip, class, share, ""}, v[5], PageProducers), nil
			})
		return nil, true
	case "t":
		if i < 0 {
			return nil, true
		}
		pr := p.data.Producers[i]
		m.form = newForm("Transfer producer "+pr.Name, []fieldSpec{{"new owner", "address", ""}, {"account", "default", pr.Account}},
			func(v []string) (*action, error) {
				if v[0] == "" {
					return nil, errors.New("give the new owner's address")
				}
				return gameAction("transfer producer "+pr.Name, [][2]string{{"producer", pr.Name + " " + pr.ID}, {"to", v[0]}},
					"cp.change", []any{pr.ID, nil, nil, nil, nil, nil, v[0]}, v[1], PageProducers), nil
			})
		return nil, true
	case "enter":
		if i >= 0 {
			raw, _ := json.Marshal(p.data.Producers[i])
			m.views = append(m.views, jsonDetail("Producer "+p.data.Producers[i].Name, raw))
		}
		return nil, true
	}
	return nil, p.list.key(k)
}
func (p *producersPage) view(m *Model, w, h int) string {
	cap := "Producers"
	if p.data != nil {
		cap = fmt.Sprintf("Producers: %d registered", p.data.Total)
	}
	if p.prefix != "" {
		cap += fmt.Sprintf(", names starting %q", p.prefix)
	}
	return m.listView(&p.pageState, &p.list, w, h, cap, "(none)")
}

// ---- props

type propsPage struct {
	pageState
	data  *Props
	list  list
	query propQuery
}

func (*propsPage) name() string  { return PageProps }
func (*propsPage) title() string { return "Props" }
func (*propsPage) keys() string {
	return "m mine · p producer · / id · n create · s send · x destroy · a sell"
}
func (*propsPage) topics() []string { return []string{"props", "blocks"} }
func (p *propsPage) load(m *Model) tea.Cmd {
	q := p.query
	return loadCmd(m, 5, func(ctx context.Context, c Caller) (*Props, error) { return loadProps(ctx, c, q) })
}
func (p *propsPage) loaded(m *Model, d any) {
	p.data = d.(*Props)
	p.list.set(propsTable(p.data))
}

// requery switches the list and reloads it (as a form's outcome).
func (p *propsPage) requery(q propQuery) *action {
	return localAction(func(m *Model) tea.Cmd {
		p.query = q
		p.list.top()
		return m.reload(5)
	})
}

func (p *propsPage) key(m *Model, k string) (tea.Cmd, bool) {
	i := selected(&p.list)
	var pr *rpc.PropJSON
	if i >= 0 {
		pr = p.data.Props[i]
	}
	switch k {
	case "m":
		p.query = propQuery{}
		p.list.top()
		return m.reload(5), true
	case "p":
		m.form = newForm("Props of a producer", []fieldSpec{{"producer", "id or name", p.query.Producer}}, func(v []string) (*action, error) {
			if v[0] == "" {
				return nil, errors.New("give a producer id or name")
			}
			return p.requery(propQuery{Producer: v[0]}), nil
		})
		return nil, true
	case "/":
		m.form = newForm("Find a prop by id", []fieldSpec{{"prop id", "64 hex digits", ""}}, func(v []string) (*action, error) {
			if _, err := game.ParseID(v[0]); err != nil {
				return nil, errors.New("a prop id is 64 hex digits")
			}
			return p.requery(propQuery{ID: v[0]}), nil
		})
		return nil, true
	case "n":
		m.form = newForm("Create props", []fieldSpec{{"producer", "id or name (yours)", p.query.Producer}, {"oid", "item code, 0-64 bytes", ""},
			{"gold", "0.0001", "0.0001"}, {"count", "1 (more: a batch, oid-1, oid-2, ...)", "1"}, {"account", "default", ""}},
			func(v []string) (*action, error) {
				if v[0] == "" {
					return nil, errors.New("give the producer (id or name)")
				}
				gold, err := parseGG(v[2], "gold", game.MinPropGold)
				if err != nil {
					return nil, err
				}
				n, err := strconv.Atoi(v[3])
				if err != nil || n < 1 || n > 1000 {
					return nil, errors.New("count: 1 to 1000 props in one transaction")
				}
				if n == 1 {
					return gameAction("create prop "+v[1], [][2]string{{"producer", v[0]}, {"oid", v[1]}, {"gold", gold.String() + " GG"}},
						"prop.create", []any{v[0], v[1], gold.String(), ""}, v[4], PageProps, PageWallet), nil
				}
				items := make([]map[string]any, n)
				for j := range items {
					items[j] = map[string]any{"oid": fmt.Sprintf("%s-%d", v[1], j+1), "gold": gold.String()}
				}
				total := amount.Amount(int64(gold) * int64(n))
				return gameAction(fmt.Sprintf("create %d props", n),
					[][2]string{{"producer", v[0]}, {"oids", fmt.Sprintf("%s-1 … %s-%d", v[1], v[1], n)}, {"gold", fmt.Sprintf("%s GG each, %s GG in all", gold, total)}},
					"prop.createlist", []any{v[0], items}, v[4], PageProps, PageWallet), nil
			})
		return nil, true
	case "s":
		if pr == nil {
			return nil, true
		}
		m.form = newForm("Send prop "+shortID(pr.ID), []fieldSpec{{"to address", "rg1q...", ""}, {"account", "default", pr.Account}},
			func(v []string) (*action, error) {
				if v[0] == "" {
					return nil, errors.New("give the recipient's address")
				}
				return gameAction("send prop "+shortID(pr.ID), [][2]string{{"prop", pr.ID}, {"oid", pr.OID}, {"to", v[0]}, {"gold it carries", gg(pr.Gold) + " GG"}},
					"prop.send", []any{v[0], pr.ID}, v[1], PageProps), nil
			})
		return nil, true
	case "x":
		if pr == nil {
			return nil, true
		}
		return m.start(gameAction("destroy prop "+shortID(pr.ID), [][2]string{{"prop", pr.ID}, {"oid", pr.OID}, {"gold returned", gg(pr.Gold) + " GG less the fee"}},
			"prop.found", []any{pr.ID}, pr.Account, PageProps, PageWallet)), true
	case "a":
		if pr == nil {
			return nil, true
		}
		m.form = newForm("Sell prop "+shortID(pr.ID)+" at auction", []fieldSpec{{"buy-now price", "GG", ""}, {"reserve", "GG, optional", ""},
			{"end height", "default: tip + auction period", ""}, {"account", "default", pr.Account}},
			func(v []string) (*action, error) {
				bn, err := parseGG(v[0], "buy-now price", 0)
				if err != nil {
					return nil, err
				}
				var reserve amount.Amount
				if v[1] != "" {
					if reserve, err = amount.Parse(v[1]); err != nil || reserve > bn {
						return nil, errors.New("reserve: GG no higher than the buy-now price")
					}
				}
				end := int64(0)
				if v[2] != "" {
					if end, err = strconv.ParseInt(v[2], 10, 32); err != nil || end < 0 {
						return nil, errors.New("end height: a block height")
					}
				}
				endText := "tip + auction period"
				if end > 0 {
					endText = fmt.Sprint(end)
				}
				return gameAction("sell prop "+shortID(pr.ID), [][2]string{{"prop", pr.ID}, {"oid", pr.OID}, {"buy now", bn.String() + " GG"},
					{"reserve", reserve.String() + " GG"}, {"ends", endText}},
					"prop.sale", []any{pr.ID, bn.String(), reserve.String(), end}, v[3], PageProps, PageAuctions), nil
			})
		return nil, true
	case "enter":
		if pr != nil {
			id := pr.ID
			ctx, c := m.ctx(), m.cfg.Backend
			m.busy = "loading the prop"
			return func() tea.Msg {
				var v struct {
					Prop    json.RawMessage `json:"prop"`
					History json.RawMessage `json:"history"`
				}
				if err := c.Call(ctx, "prop.byid", &v.Prop, id); err != nil {
					return detailMsg{err: err}
				}
				if err := c.Call(ctx, "prop.history", &v.History, id); err != nil {
					return detailMsg{err: err}
				}
				raw, _ := json.Marshal(v)
				return detailMsg{d: jsonDetail("Prop "+id, raw)}
			}, true
		}
		return nil, true
	}
	return nil, p.list.key(k)
}
func (p *propsPage) view(m *Model, w, h int) string {
	cap := "Props: " + p.query.String()
	if p.data != nil {
		cap += fmt.Sprintf(" (%d)", len(p.data.Props))
	}
	return m.listView(&p.pageState, &p.list, w, h, cap, "(no props)")
}

// ---- auctions

type auctionsPage struct {
	pageState
	data *Auctions
	list list
}

func (*auctionsPage) name() string     { return PageAuctions }
func (*auctionsPage) title() string    { return "Auctions" }
func (*auctionsPage) keys() string     { return "b bid · enter open" }
func (*auctionsPage) topics() []string { return []string{"props", "mempool", "blocks"} }
func (p *auctionsPage) load(m *Model) tea.Cmd {
	return loadCmd(m, 6, loadAuctions)
}
func (p *auctionsPage) loaded(m *Model, d any) {
	p.data = d.(*Auctions)
	p.list.set(auctionsTable(p.data))
}
func (p *auctionsPage) key(m *Model, k string) (tea.Cmd, bool) {
	i := selected(&p.list)
	switch k {
	case "b":
		if i < 0 {
			return nil, true
		}
		a := p.data.Auctions[i]
		least := a.Reserve
		if a.Bid > 0 {
			least = a.Bid
		}
		m.form = newForm("Bid on prop "+shortID(a.Prop), []fieldSpec{{"price", fmt.Sprintf("GG, above %s (buy now %s)", gg(least), gg(a.BuyNow)), ""},
			{"account", "default", ""}},
			func(v []string) (*action, error) {
				price, err := parseGG(v[0], "price", 0)
				if err != nil {
					return nil, err
				}
				return gameAction("bid on prop "+shortID(a.Prop), [][2]string{{"prop", a.Prop}, {"price", price.String() + " GG (paid to the seller)"},
					{"seller", a.Seller}, {"best bid now", gg(a.Bid) + " GG"}, {"buy now", gg(a.BuyNow) + " GG"}},
					"prop.buy", []any{a.Prop, price.String()}, v[1], PageAuctions, PageWallet), nil
			})
		return nil, true
	case "enter":
		if i >= 0 {
			raw, _ := json.Marshal(p.data.Auctions[i])
			m.views = append(m.views, jsonDetail("Auction of prop "+p.data.Auctions[i].Prop, raw))
		}
		return nil, true
	}
	return nil, p.list.key(k)
}
func (p *auctionsPage) view(m *Model, w, h int) string {
	cap := "Auctions"
	if p.data != nil {
		cap = fmt.Sprintf("Auctions: %d live (best bids as they arrive)", len(p.data.Auctions))
	}
	return m.listView(&p.pageState, &p.list, w, h, cap, "(no live auctions)")
}

// ---- contracts

type contractsPage struct {
	pageState
	data *Contracts
	list list
}

func (*contractsPage) name() string     { return PageContracts }
func (*contractsPage) title() string    { return "Contracts" }
func (*contractsPage) keys() string     { return "a act on the next step · enter open" }
func (*contractsPage) topics() []string { return []string{"contracts", "blocks"} }
func (p *contractsPage) load(m *Model) tea.Cmd {
	return loadCmd(m, 7, loadContracts)
}
func (p *contractsPage) loaded(m *Model, d any) {
	p.data = d.(*Contracts)
	p.list.set(contractsTable(p.data))
}
func (p *contractsPage) key(m *Model, k string) (tea.Cmd, bool) {
	i := selected(&p.list)
	switch k {
	case "a":
		if i < 0 {
			return nil, true
		}
		c := p.data.Contracts[i]
		acct := c.Account
		if acct == "" {
			acct = "default"
		}
		terms := [][2]string{{"contract", c.ID}, {"state", c.State}, {"A gives", gg(c.Terms.AGold) + " GG" + propsNote(c.Terms.AProps)},
			{"B pays", gg(c.Terms.BGold) + " GG" + propsNote(c.Terms.BProps)}, {"expiry", fmt.Sprint(c.Terms.Expiry)}, {"account", acct}}
		reload := []string{PageContracts, PageWallet}
		switch nextStep(c) {
		case "sign":
			m.confirm = &action{title: "sign contract " + shortID(c.ID), lines: terms, wallet: true, reload: reload,
				run: call{"contract.sign", []any{c.ID, acct}}}
		case "withdraw":
			m.confirm = &action{title: "withdraw contract " + shortID(c.ID), lines: terms, wallet: true, reload: reload,
				run: call{"contract.withdraw", []any{c.ID, acct}}}
		case "fulfil":
			return m.start(&action{title: "fulfil contract " + shortID(c.ID), lines: terms, wallet: true, reload: reload,
				preview: &call{"contract.fulfil", []any{c.ID, acct, true}}, run: call{"contract.fulfil", []any{c.ID, acct, false}}}), true
		case "refund":
			return m.start(&action{title: "refund contract " + shortID(c.ID), lines: terms, wallet: true, reload: reload,
				preview: &call{"contract.execute", []any{c.ID, "refund", nil, nil, "", acct, true}},
				run:     call{"contract.execute", []any{c.ID, "refund", nil, nil, "", acct, false}}}), true
		case "claim":
			m.form = newForm("Claim contract "+shortID(c.ID), []fieldSpec{{"secret", "32 bytes in hex", ""}}, func(v []string) (*action, error) {
				if len(v[0]) != 64 {
					return nil, errors.New("the secret is 64 hex digits")
				}
				return &action{title: "claim contract " + shortID(c.ID), lines: terms, wallet: true, reload: reload,
					preview: &call{"contract.execute", []any{c.ID, "claim", v[0], nil, "", acct, true}},
					run:     call{"contract.execute", []any{c.ID, "claim", v[0], nil, "", acct, false}}}, nil
			})
		default:
			m.note(false, "contract "+shortID(c.ID)+" ("+c.State+"): nothing for this wallet to do")
		}
		return nil, true
	case "enter":
		if i >= 0 {
			raw, _ := json.Marshal(p.data.Contracts[i])
			m.views = append(m.views, jsonDetail("Contract "+p.data.Contracts[i].ID, raw))
		}
		return nil, true
	}
	return nil, p.list.key(k)
}

func propsNote(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return fmt.Sprintf(" + %d props", len(ids))
}

func (p *contractsPage) view(m *Model, w, h int) string {
	cap := "Contracts of the wallet: published → signed → fulfilled → executed"
	return m.listView(&p.pageState, &p.list, w, h, cap, "(no contracts)")
}

// ---- wallet

// walletPage shows the balances of every account and the history of
// the account chosen with a (every account at first); new addresses and
// payments default to that account.
type walletPage struct {
	pageState
	data     *Wallet
	balances list
	history  list
	account  string // the chosen account; "": every account
}

func (*walletPage) name() string  { return PageWallet }
func (*walletPage) title() string { return "Wallet" }
func (*walletPage) keys() string  { return "a account · n new address · s send · enter open tx" }
func (*walletPage) topics() []string {
	return []string{"blocks", "mempool", "props", "producers", "contracts"}
}
func (p *walletPage) load(m *Model) tea.Cmd {
	acct := p.account
	return loadCmd(m, 8, func(ctx context.Context, c Caller) (*Wallet, error) { return loadWallet(ctx, c, acct) })
}
func (p *walletPage) loaded(m *Model, d any) {
	if w := d.(*Wallet); w.Account != p.account && p.data != nil {
		return // another account chosen meanwhile: its load follows
	}
	p.data = d.(*Wallet)
	if p.account != "" && p.accountIndex() < 0 {
		p.account = "" // gone (renamed): every account
	}
	p.balances.set(walletTable(p.data))
	p.history.set(historyTable(p.data.History, m.cfg.Now()))
}

// accountIndex is the chosen account's row, -1 for every account.
func (p *walletPage) accountIndex() int {
	for i, a := range p.data.Accounts {
		if a.Name == p.account {
			return i
		}
	}
	return -1
}

// defaultAccount is the account an action takes unless told: the chosen
// one, else default.
func (p *walletPage) defaultAccount() string {
	if p.account == "" {
		return "default"
	}
	return p.account
}

func (p *walletPage) key(m *Model, k string) (tea.Cmd, bool) {
	switch k {
	case "a":
		if p.data == nil {
			return nil, true
		}
		// every account, then each in turn
		i := p.accountIndex() + 1
		if i >= len(p.data.Accounts) {
			p.account = ""
		} else {
			p.account = p.data.Accounts[i].Name
		}
		p.history.top()
		return m.reload(8), true
	case "n":
		m.form = newForm("New receive address", []fieldSpec{{"account", "default (a new name creates the account)", p.account}}, func(v []string) (*action, error) {
			acct := v[0]
			if acct == "" {
				acct = "default"
			}
			return &action{title: "new address for account " + acct, lines: [][2]string{{"account", acct}},
				run: call{"getnewaddress", []any{acct}}, reload: []string{PageWallet}}, nil
		})
		return nil, true
	case "s":
		m.form = newForm("Send GG", []fieldSpec{{"to address", "rg1q...", ""}, {"amount", "GG", ""}, {"account", "default", p.account},
			{"fee from amount", "no (yes: the recipient pays it)", ""}},
			func(v []string) (*action, error) {
				if v[0] == "" {
					return nil, errors.New("give the recipient's address")
				}
				amt, err := parseGG(v[1], "amount", 0)
				if err != nil {
					return nil, err
				}
				acct := v[2]
				if acct == "" {
					acct = "default"
				}
				sub := strings.HasPrefix(strings.ToLower(v[3]), "y")
				return &action{title: fmt.Sprintf("send %s GG", amt), wallet: true, reload: []string{PageWallet},
					lines:   [][2]string{{"to", v[0]}, {"amount", amt.String() + " GG"}, {"fee from amount", fmt.Sprint(sub)}, {"account", acct}},
					preview: &call{"tx.create", []any{v[0], amt.String(), sub, acct}},
					run:     call{"sendtoaddress", []any{v[0], amt.String(), sub, acct}}}, nil
			})
		return nil, true
	case "enter":
		if i := selected(&p.history); i >= 0 {
			m.busy = "loading the transaction"
			t := p.data.History[i]
			return openTx(m.ctx(), m.cfg.Backend, t.TxID, t.BlockHash), true
		}
		return nil, true
	}
	return nil, p.history.key(k)
}
func (p *walletPage) view(m *Model, w, h int) string {
	var b strings.Builder
	if p.data == nil {
		return m.listView(&p.pageState, &p.history, w, h, "Wallet", "")
	}
	lk := "unlocked"
	if p.data.Locked {
		lk = "locked"
	}
	b.WriteString(truncate(fmt.Sprintf("Wallet (%s): balances in GG", lk), w) + "\n")
	nb := len(p.balances.rows) + 1
	mark := p.accountIndex()
	if mark < 0 {
		mark = len(p.balances.rows) - 1 // (all)
	}
	b.WriteString(p.balances.viewAll(w, m.st, mark) + "\n")
	rest := h - nb - 1
	if p.err != "" {
		b.WriteString(m.st.err.Render("error: "+p.err) + "\n")
		rest--
	}
	if rest > 2 {
		of := "every account"
		if p.account != "" {
			of = "account " + p.account
		}
		b.WriteString(truncate("History of "+of+", newest first"+m.st.dim.Render("  "+p.history.position()), w) + "\n")
		b.WriteString(p.history.view(w, rest-1, m.st, "(no transactions)"))
	}
	return b.String()
}

// viewAll draws every row (a small fixed table), row mark marked with
// "▸" (none: -1).
func (l *list) viewAll(width int, st *styles, mark int) string {
	w := l.fit(width)
	var b strings.Builder
	b.WriteString(st.header.Render(truncate("  "+row(l.header, w), width)))
	for i, r := range l.rows {
		if i == mark {
			b.WriteString("\n" + st.selected.Render(truncate("▸ "+row(r, w), width)))
			continue
		}
		b.WriteString("\n" + truncate("  "+row(r, w), width))
	}
	return b.String()
}

// ---- log

// logPage shows the node's log (node.log, live on the log topic) or,
// toggled with s, this session's events and actions.
type logPage struct {
	pageState
	list    list
	changed bool
	follow  bool
	session bool // this session's log, not the node's
	shown   bool // session as of the rows
}

func (*logPage) name() string  { return PageLog }
func (*logPage) title() string { return "Log" }
func (p *logPage) keys() string {
	if p.session {
		return "s node log · G follow"
	}
	return "s session log · G follow"
}
func (*logPage) topics() []string { return nil }
func (p *logPage) load(m *Model) tea.Cmd {
	run, cursor := m.nlog.run, m.nlog.cursor()
	return loadCmd(m, m.logPageIndex(), func(ctx context.Context, c Caller) (*nodeLogPage, error) {
		return loadNodeLog(ctx, c, run, cursor)
	})
}
func (p *logPage) loaded(m *Model, d any) { m.nodeLogLoaded(d.(*nodeLogPage)) }
func (p *logPage) key(m *Model, k string) (tea.Cmd, bool) {
	if k == "s" {
		p.session = !p.session
		p.changed, p.follow = true, true
		if !p.session {
			return m.reload(m.logPageIndex()), true
		}
		return nil, true
	}
	p.sync(m)
	ok := p.list.key(k)
	p.follow = p.list.cursor == len(p.list.rows)-1
	return nil, ok
}
func (p *logPage) sync(m *Model) {
	if !p.changed && p.list.rows != nil && p.shown == p.session {
		return
	}
	atEnd := p.follow || p.list.rows == nil || p.list.cursor >= len(p.list.rows)-1
	p.list.full = true
	if p.session {
		rows := make([][]string, len(m.log))
		for i, l := range m.log {
			rows[i] = []string{l}
		}
		p.list.set([]string{"TIME     EVENT"}, rows)
	} else {
		p.list.full = false // ids shortened, as on the other pages
		p.list.set([]string{"TIME", "LEVEL", "MESSAGE"}, m.nlog.rows())
	}
	if atEnd {
		p.list.bottom()
	}
	p.changed, p.shown = false, p.session
}
func (p *logPage) view(m *Model, w, h int) string {
	p.sync(m)
	if p.session {
		return m.listView(&pageState{loadedOnce: true}, &p.list, w, h, "Events and actions of this session (newest last)", "(nothing yet)")
	}
	how := "polled every " + m.cfg.Poll.String()
	if m.nlog.feed != nil {
		how = "live"
	}
	return m.listView(&p.pageState, &p.list, w, h, "The node's log, newest last ("+how+")", "(nothing yet)")
}
