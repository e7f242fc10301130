package testscripts

// The real-browser harness: Debian's chromium driven by chromedp
// (headless, a fresh profile, no browser download) against the real
// gg-node binary. A test opens tabs, waits for what a page shows, reads
// the navigation timings and keeps a screenshot of each step; every
// console message and uncaught exception of every tab is collected, and
// the test fails on any error among them and on any dialog a page opens.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
)

// browser is one headless chromium for a test; its tabs share it.
type browser struct {
	t         *testing.T
	alloc     context.Context // the allocator: the browser process
	first     context.Context // the first tab, which owns the browser
	artifacts string          // where screenshots go
	mu        sync.Mutex
	step      int
	tabs      []*tab
}

// tab is one tab of a browser, with what its pages said on the console.
type tab struct {
	b    *browser
	name string
	ctx  context.Context
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
	dias []string // dialogs the pages opened (each one dismissed)
	// rateLimited: the tab talks to the public listener at a low rate,
	// whose 429 answers (waited out by the page) chromium logs as errors.
	rateLimited bool
}

// newBrowser starts chromium from PATH, headless with a profile in a
// temporary directory (--no-sandbox only when running as root, where
// chromium refuses its sandbox), or skips the test when chromium is
// missing. Screenshots go to $GG_BROWSER_ARTIFACTS when set, else to a
// temporary directory. The browser ends with the test, after the check
// of every tab's console.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not found: the browser tests drive Debian's chromium (apt-get install chromium)")
	}
	artifacts := os.Getenv("GG_BROWSER_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	} else if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t, alloc: alloc, artifacts: artifacts}
	t.Cleanup(func() {
		b.checkConsole()
		cancelAlloc()
	})
	return b
}

// newTab opens a tab (the first one starts the browser) and starts
// collecting its console and dialogs.
func (b *browser) newTab(name string) *tab {
	b.t.Helper()
	parent := b.first
	if parent == nil {
		parent = b.alloc
	}
	ctx, cancel := chromedp.NewContext(parent)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		b.t.Fatalf("tab %s: start: %v", name, err)
	}
	if b.first == nil {
		b.first = ctx
	}
	b.t.Cleanup(cancel)
	tb := &tab{b: b, name: name, ctx: ctx}
	msgs := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.msgs = append(tb.msgs, m)
			tb.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.dias = append(tb.dias, fmt.Sprintf("%s: %q", ev.Type, ev.Message))
			tb.mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	b.tabs = append(b.tabs, tb)
	return tb
}

// consoleErrors lists the tab's console errors, uncaught exceptions and
// dialogs so far.
func (tb *tab) consoleErrors() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var errs []string
	for _, m := range tb.msgs {
		if tb.rateLimited && m.Type == chromedp.ConsoleError && strings.Contains(m.Text, "status of 429") {
			continue
		}
		if m.Type == chromedp.ConsoleError || m.IsException() {
			errs = append(errs, fmt.Sprintf("%s %s:%d: %s", m.Type, m.URL, m.Line+1, m.Text))
		}
	}
	for _, d := range tb.dias {
		errs = append(errs, "dialog "+d)
	}
	return errs
}

// checkConsole fails the test on any tab's console error, exception or
// dialog, and logs every other console message under go test -v.
func (b *browser) checkConsole() {
	b.t.Helper()
	for _, tb := range b.tabs {
		for _, e := range tb.consoleErrors() {
			b.t.Errorf("tab %s: %s", tb.name, e)
		}
		if testing.Verbose() {
			tb.mu.Lock()
			for _, m := range tb.msgs {
				b.t.Logf("tab %s console %s: %s", tb.name, m.Type, m.Text)
			}
			tb.mu.Unlock()
		}
	}
}

// noErrors fails the test now if the tab had a console error, an
// exception or a dialog.
func (tb *tab) noErrors() {
	tb.b.t.Helper()
	if errs := tb.consoleErrors(); len(errs) > 0 {
		tb.b.t.Fatalf("tab %s: %s", tb.name, strings.Join(errs, "\n"))
	}
}

// open loads url in the tab and waits for its load event.
func (tb *tab) open(url string) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		tb.b.t.Fatalf("tab %s: open %s: %v", tb.name, url, err)
	}
}

// search types q into the page's search box and submits it, as a user
// does, and returns the URL the browser lands on.
func (tb *tab) search(q string) string {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx,
		chromedp.Clear(chromedp.CSS(`input[name=q]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), q),
		chromedp.Submit(chromedp.CSS(`form[role=search]`))); err != nil {
		tb.b.t.Fatalf("tab %s: search %q: %v", tb.name, q, err)
	}
	return tb.location()
}

// click clicks the first element sel finds, once it is visible.
func (tb *tab) click(sel string) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		tb.shot("click failed")
		tb.b.t.Fatalf("tab %s: click %s: %v", tb.name, sel, err)
	}
}

// fill replaces the value of the input sel finds with text, typed as a
// user types it.
func (tb *tab) fill(sel, text string) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text)); err != nil {
		tb.shot("fill failed")
		tb.b.t.Fatalf("tab %s: fill %s: %v", tb.name, sel, err)
	}
}

// location is the URL of the tab's page.
func (tb *tab) location() string {
	tb.b.t.Helper()
	loc, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.b.t.Fatalf("tab %s: location: %v", tb.name, err)
	}
	return loc
}

// eval evaluates a JavaScript expression in the tab's page.
func evalIn[T any](tb *tab, expr string) T {
	tb.b.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.b.t.Fatalf("tab %s: evaluate %s: %v", tb.name, expr, err)
	}
	return v
}

// text is the text content of the first element sel finds, "" if none.
func (tb *tab) text(sel string) string {
	tb.b.t.Helper()
	js, _ := json.Marshal(sel)
	return evalIn[string](tb, fmt.Sprintf(`(document.querySelector(%s) || {}).textContent || ""`, js))
}

// waitText waits until the first element sel finds contains each of
// want, at most limit, and returns how long it took. The condition is
// asked every 20 ms from here (a page timer of a background tab may be
// slowed down, so the wait does not rely on one).
func (tb *tab) waitText(limit time.Duration, sel string, want ...string) time.Duration {
	tb.b.t.Helper()
	start := time.Now()
	var got string
	for {
		got = tb.text(sel)
		if containsAll(got, want...) {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			tb.shot("timeout")
			tb.b.t.Fatalf("tab %s (%s): %s never showed %q within %s; it shows %q", tb.name, tb.location(), sel, want, limit, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitJS waits until the JavaScript expression cond is true in the
// tab's page, at most limit, and returns how long it took; what names
// the condition in the failure.
func (tb *tab) waitJS(limit time.Duration, what, cond string) time.Duration {
	tb.b.t.Helper()
	start := time.Now()
	for !evalIn[bool](tb, "!!("+cond+")") {
		if time.Since(start) > limit {
			tb.shot("timeout")
			tb.b.t.Fatalf("tab %s (%s): %s: not within %s", tb.name, tb.location(), what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// shot saves a screenshot of the tab as the next step's PNG.
func (tb *tab) shot(what string) {
	tb.b.t.Helper()
	tb.b.mu.Lock()
	tb.b.step++
	n := tb.b.step
	tb.b.mu.Unlock()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.b.t.Errorf("tab %s: screenshot %s: %v", tb.name, what, err)
		return
	}
	name := fmt.Sprintf("%02d-%s-%s.png", n, tb.name, strings.Trim(reNotWord.ReplaceAllString(what, "-"), "-"))
	if err := os.WriteFile(filepath.Join(tb.b.artifacts, name), png, 0o644); err != nil {
		tb.b.t.Error(err)
	}
}

// navTiming is the page's performance.getEntriesByType('navigation')
// entry, in milliseconds from the start of the navigation.
type navTiming struct {
	Name                     string  `json:"name"`
	ResponseStart            float64 `json:"responseStart"`
	ResponseEnd              float64 `json:"responseEnd"`
	DOMContentLoadedEventEnd float64 `json:"domContentLoadedEventEnd"`
	LoadEventEnd             float64 `json:"loadEventEnd"`
	TransferSize             float64 `json:"transferSize"`
}

// timing reads the tab's navigation timing entry.
func (tb *tab) timing() navTiming {
	tb.b.t.Helper()
	raw := evalIn[[]byte](tb, `JSON.stringify(performance.getEntriesByType("navigation")[0] || {})`)
	var s string
	var nt navTiming
	if err := json.Unmarshal(raw, &s); err != nil {
		tb.b.t.Fatalf("tab %s: navigation timing: %v (%s)", tb.name, err, raw)
	}
	if err := json.Unmarshal([]byte(s), &nt); err != nil {
		tb.b.t.Fatalf("tab %s: navigation timing: %v (%s)", tb.name, err, s)
	}
	return nt
}

// browserNode is a real gg-node on regtest for the browser tests: its
// own datadir, ephemeral RPC and P2P ports, every index on, and a
// wallet (passphrase in PassFile) whose first address is funded.
type browserNode struct {
	t        *testing.T
	Root     string
	Datadir  string
	PassFile string
	Env      []string
	URL      string // http://HOST:PORT of the RPC listener (the explorer is at URL+"/explorer/")
	Mine     string // the wallet's mining address
	Outside  string // an address outside the wallet, to mine blocks to
	log      *lockedBuffer
	ctx      context.Context
}

// startBrowserNode starts gg-node (flags added to the test's) and waits
// for its RPC address; it is stopped as Ctrl-C does when the test ends.
func startBrowserNode(t *testing.T, flags ...string) *browserNode {
	t.Helper()
	root := t.TempDir()
	n := &browserNode{t: t, Root: root, Datadir: filepath.Join(root, "node"), PassFile: filepath.Join(root, "pass.txt"), log: &lockedBuffer{}}
	if err := os.WriteFile(n.PassFile, []byte("browser test passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n.Env = append(readmeEnv(root), "GG_NETWORK=regtest", "GG_DATADIR="+n.Datadir)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	n.ctx = ctx
	args := append([]string{"--rpc-listen=127.0.0.1:0", "--listen=127.0.0.1:0", "--txindex", "--addressindex"}, flags...)
	node := exec.Command("gg-node", args...)
	node.Env, node.Stdout, node.Stderr = n.Env, n.log, n.log
	// Its own process group, and killed when the test binary dies (a
	// -timeout panic runs no Cleanup), as readme_test.go's walkthrough.
	node.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		node.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- node.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			node.Process.Kill()
			t.Errorf("gg-node did not stop\n%s", n.log.String())
		}
	})
	addrFile := filepath.Join(n.Datadir, "rpc.addr")
	waitForFile(t, addrFile, 30*time.Second, n.log)
	addr, err := os.ReadFile(addrFile)
	if err != nil {
		t.Fatal(err)
	}
	n.URL = "http://" + strings.TrimSpace(string(addr))
	n.Outside = address.NewP2WPKH(make([]byte, 20), chaincfg.RegTestParams).String()
	n.Run("gg-wallet", "create", "--passphrase-file", n.PassFile)
	n.Run("gg-wallet", "unlock", "--passphrase-file", n.PassFile)
	n.Mine = n.Run("gg-wallet", "address", "new")
	n.Run("gg-node", "rpc", "generatetoaddress", "101", n.Mine)
	return n
}

// Run runs a gg binary against the node to its end and returns its
// stdout, trimmed.
func (n *browserNode) Run(name string, args ...string) string {
	n.t.Helper()
	cmd := exec.CommandContext(n.ctx, name, args...)
	cmd.Env = n.Env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		n.t.Fatalf("%s %s: %v\n%s\nnode log:\n%s", name, strings.Join(args, " "), err, stderr.String(), tail([]byte(n.log.String()), 30))
	}
	return strings.TrimSpace(string(out))
}

// Generate mines count blocks to an address outside the wallet.
func (n *browserNode) Generate(count int) {
	n.t.Helper()
	n.Run("gg-node", "rpc", "generatetoaddress", fmt.Sprint(count), n.Outside)
}

// gameActivity is what addGameActivity made.
type gameActivity struct {
	Producer     string   // the producer's name
	ProducerID   string   // its id
	Props        []string // the props created, in the order of oids
	OnSale       string   // the prop on sale (Props[0])
	CreateTxid   string   // the transaction that created the props
	Bob, Carol   string   // addresses of the wallet's accounts bob and carol, 10 GG each
	BuyNow, Gold string
}

// addGameActivity registers producer (its URL url) and, once mined,
// creates a prop for each oid, mines them, and puts the first one on
// sale at buy-now 5 GG (reserve 1 GG) from the default account; bob and
// carol get 10 GG each to bid with.
func (n *browserNode) addGameActivity(producer, url string, oids ...string) gameActivity {
	n.t.Helper()
	a := gameActivity{Producer: producer, BuyNow: "5", Gold: "0.001"}
	a.Bob = n.Run("gg-wallet", "address", "new", "--account", "bob")
	a.Carol = n.Run("gg-wallet", "address", "new", "--account", "carol")
	n.Run("gg-wallet", "send", a.Bob, "10")
	n.Run("gg-wallet", "send", a.Carol, "10")
	var reg struct {
		Objects []struct {
			ID string `json:"id"`
		} `json:"objects"`
	}
	if err := json.Unmarshal([]byte(n.Run("gg-prop", "--json", "producer", "register", "--url", url, producer)), &reg); err != nil || len(reg.Objects) != 1 {
		n.t.Fatalf("producer register: %v %+v", err, reg)
	}
	a.ProducerID = reg.Objects[0].ID
	n.Generate(1)
	items := filepath.Join(n.Root, "items.csv")
	var csv strings.Builder
	for _, oid := range oids {
		fmt.Fprintf(&csv, "%s,%s\n", oid, a.Gold)
	}
	if err := os.WriteFile(items, []byte(csv.String()), 0o644); err != nil {
		n.t.Fatal(err)
	}
	var created struct {
		Txid    string `json:"txid"`
		Objects []struct {
			ID string `json:"id"`
		} `json:"objects"`
	}
	if err := json.Unmarshal([]byte(n.Run("gg-prop", "--json", "create", "--producer", producer, "--from-file", items)), &created); err != nil {
		n.t.Fatalf("prop create: %v", err)
	}
	a.CreateTxid = created.Txid
	for _, o := range created.Objects {
		a.Props = append(a.Props, o.ID)
	}
	if len(a.Props) != len(oids) {
		n.t.Fatalf("prop create made %d props, want %d", len(a.Props), len(oids))
	}
	n.Generate(1)
	a.OnSale = a.Props[0]
	n.Run("gg-prop", "sale", "--reserve", "1", a.OnSale, a.BuyNow)
	return a
}
