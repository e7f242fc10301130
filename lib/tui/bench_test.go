package tui

import (
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gamegold/gg/lib/rpc"
)

// The console stays responsive with a 10,000-prop wallet and a
// 5,000-transaction mempool: these measure the model's Update and View
// for a page switch, a scroll step and taking a page's data in (make
// bench; the bound is 100 ms a step). No timing is asserted.

func bigProps(n int) *Props {
	d := &Props{Query: "the wallet's", Props: make([]*rpc.PropJSON, n)}
	for i := range d.Props {
		d.Props[i] = &rpc.PropJSON{ID: hexID(0x100000 + i), Producer: hexID(0xc2), OID: fmt.Sprintf("item-%05d", i),
			Gold: rpc.GG(1e4), Owner: "rg1qdefaultowner", Status: "live", Height: 130, Confirmed: true, Account: "default"}
	}
	return d
}

func bigMempool(n int) *Mempool {
	d := &Mempool{Txs: make([]MempoolTx, n)}
	for i := range d.Txs {
		d.Txs[i] = MempoolTx{TxID: hexID(0x200000 + i), VSize: 141, Fee: rpc.GG(141 + i), FeeRate: rpc.GG(1000 + i), Time: testNow.Unix()}
		d.Stats.Bytes += 141
	}
	d.Stats.Size = n
	return d
}

// benchModel is the console at 120×40 with the big wallet and mempool
// loaded.
func benchModel(b *testing.B) *Model {
	m := New(Config{Backend: newFakeNode(), Renderer: asciiRenderer(), Now: func() time.Time { return testNow }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(loadedMsg{page: 0, data: &Dashboard{Network: "regtest", Height: 205, Hash: blockHash(205)}})
	m.Update(loadedMsg{page: m.pageIndex(PageProps), data: bigProps(10_000)})
	m.Update(loadedMsg{page: m.pageIndex(PageMempool), data: bigMempool(5_000)})
	return m
}

func key(k string) tea.KeyMsg {
	switch k {
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// BenchmarkConsolePageSwitch: props → mempool → props, each drawn.
func BenchmarkConsolePageSwitch(b *testing.B) {
	m := benchModel(b)
	b.ResetTimer()
	for range b.N {
		m.Update(key("6"))
		_ = m.View()
		m.Update(key("3"))
		_ = m.View()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N)/1e6, "ms/switch")
}

// BenchmarkConsoleScroll: one row down (a page down every 50) through
// the 10,000 props, each step drawn.
func BenchmarkConsoleScroll(b *testing.B) {
	m := benchModel(b)
	m.Update(key("6"))
	b.ResetTimer()
	for i := range b.N {
		k := "down"
		if i%50 == 0 {
			k = "pgdown"
		}
		m.Update(key(k))
		_ = m.View()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/step")
}

// BenchmarkConsoleLoad: the props page takes in 10,000 props and the
// mempool page 5,000 transactions (what a reload costs the UI), drawn.
func BenchmarkConsoleLoad(b *testing.B) {
	m := benchModel(b)
	props, pool := bigProps(10_000), bigMempool(5_000)
	pi, mi := m.pageIndex(PageProps), m.pageIndex(PageMempool)
	m.Update(key("6"))
	b.ResetTimer()
	for range b.N {
		m.Update(loadedMsg{page: pi, data: props})
		_ = m.View()
		m.Update(loadedMsg{page: mi, data: pool})
		_ = m.View()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N)/1e6, "ms/load")
}

// TestConsoleBigLists: the big lists scroll to their ends and draw the
// last rows (what the benchmarks time, checked for being right).
func TestConsoleBigLists(t *testing.T) {
	m := New(Config{Backend: newFakeNode(), Renderer: asciiRenderer(), Now: func() time.Time { return testNow }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(loadedMsg{page: m.pageIndex(PageProps), data: bigProps(10_000)})
	m.Update(loadedMsg{page: m.pageIndex(PageMempool), data: bigMempool(5_000)})
	m.Update(key("6"))
	m.Update(tea.KeyMsg{Type: tea.KeyEnd})
	if v := m.View(); !containsAll(v, "item-09999", "10000/10000") {
		t.Errorf("the end of the props:\n%s", v)
	}
	m.Update(key("3"))
	m.Update(tea.KeyMsg{Type: tea.KeyEnd})
	if v := m.View(); !containsAll(v, "Mempool: 5000 txs", "5000/5000") {
		t.Errorf("the end of the mempool:\n%s", v)
	}
}
