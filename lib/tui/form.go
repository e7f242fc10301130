package tui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gamegold/gg/lib/rpc"
)

// field is one input of a form.
type field struct {
	label string
	in    textinput.Model
}

func newInput(placeholder, value string, secret bool) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = 256
	in.Width = 40
	in.Cursor.SetMode(cursor.CursorStatic) // no blink: the screen is still between keys
	if secret {
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '•'
	}
	in.SetValue(value)
	return in
}

// form asks for an action's values; enter on the last field (or
// ctrl+s anywhere) submits them to submit, esc cancels.
type form struct {
	title  string
	fields []field
	focus  int
	err    string
	submit func(vals []string) (*action, error)
}

// fieldSpec is a form field: its label, placeholder and first value.
type fieldSpec struct{ label, placeholder, value string }

func newForm(title string, specs []fieldSpec, submit func([]string) (*action, error)) *form {
	f := &form{title: title, submit: submit}
	for _, s := range specs {
		f.fields = append(f.fields, field{label: s.label, in: newInput(s.placeholder, s.value, false)})
	}
	f.fields[0].in.Focus()
	return f
}

func (f *form) values() []string {
	v := make([]string, len(f.fields))
	for i, fl := range f.fields {
		v[i] = strings.TrimSpace(fl.in.Value())
	}
	return v
}

func (f *form) setFocus(i int) {
	f.fields[f.focus].in.Blur()
	f.focus = (i + len(f.fields)) % len(f.fields)
	f.fields[f.focus].in.Focus()
}

// update handles a key; done reports a submitted (a != nil) or
// cancelled form.
func (f *form) update(msg tea.KeyMsg) (a *action, done bool, cmd tea.Cmd) {
	switch msg.String() {
	case "esc":
		return nil, true, nil
	case "tab", "down":
		f.setFocus(f.focus + 1)
		return nil, false, nil
	case "shift+tab", "up":
		f.setFocus(f.focus - 1)
		return nil, false, nil
	case "enter", "ctrl+s":
		if msg.String() == "enter" && f.focus < len(f.fields)-1 {
			f.setFocus(f.focus + 1)
			return nil, false, nil
		}
		a, err := f.submit(f.values())
		if err != nil {
			f.err = err.Error()
			return nil, false, nil
		}
		return a, true, nil
	}
	var c tea.Cmd
	f.fields[f.focus].in, c = f.fields[f.focus].in.Update(msg)
	return nil, false, c
}

func (f *form) view(st *styles) string {
	var b strings.Builder
	b.WriteString(st.title.Render(f.title) + "\n\n")
	w := 0
	for _, fl := range f.fields {
		w = max(w, len(fl.label))
	}
	for i, fl := range f.fields {
		mark := "  "
		if i == f.focus {
			mark = "▸ "
		}
		b.WriteString(mark + pad(fl.label, w) + "  " + fl.in.View() + "\n")
	}
	if f.err != "" {
		b.WriteString("\n" + st.err.Render("error: "+f.err) + "\n")
	}
	b.WriteString("\n" + st.dim.Render("tab next field · enter submit · esc cancel"))
	return b.String()
}

// call is one JSON-RPC call.
type call struct {
	method string
	params []any
}

// action is a state-changing call: what it broadcasts (lines), the dry
// run that previews it (fee, txid), and the call itself.
type action struct {
	title   string
	lines   [][2]string
	preview *call // nil: nothing to preview (the lines say it all)
	run     call
	wallet  bool     // needs the wallet unlocked
	reload  []string // pages to reload after it
	// local, when set, is all the action is: a change of the console's
	// own state (a search), no call
	local func(m *Model) tea.Cmd
	// set as it goes
	fee, txid string
	relock    bool // the console unlocked the wallet for it: lock after
}

func localAction(f func(m *Model) tea.Cmd) *action { return &action{title: "search", local: f} }

// previewResult reads a dry run's fee and txid.
func (a *action) previewResult(raw json.RawMessage) {
	var r struct {
		TxID string  `json:"txid"`
		Fee  *rpc.GG `json:"fee"`
	}
	if json.Unmarshal(raw, &r) == nil {
		a.txid = r.TxID
		if r.Fee != nil {
			a.fee = gg(*r.Fee) + " GG"
		}
	}
}

// confirmWidth is the text width of a dialog at 80 columns.
const confirmWidth = 72

func (a *action) confirmView(st *styles) string {
	var b strings.Builder
	b.WriteString(st.title.Render(a.title) + "\n\n")
	lines := append([][2]string{}, a.lines...)
	if a.fee != "" {
		lines = append(lines, [2]string{"fee", a.fee})
	}
	w := 0
	for _, l := range lines {
		w = max(w, len(l[0]))
	}
	for _, l := range lines {
		if 4+w+len([]rune(l[1])) > confirmWidth { // a long value (an id, an address) whole on its own line
			b.WriteString("  " + l[0] + "\n    " + l[1] + "\n")
			continue
		}
		b.WriteString("  " + pad(l[0], w) + "  " + l[1] + "\n")
	}
	verb := "broadcast"
	if !a.broadcasts() {
		verb = "do"
	}
	b.WriteString("\n" + st.key.Render("y") + " " + verb + " · " + st.key.Render("n") + "/esc cancel")
	return b.String()
}

// broadcasts reports whether the action sends a transaction (not a peer
// action or a signature in the contract book).
func (a *action) broadcasts() bool { return a.wallet && a.preview != nil }

// passPrompt asks for the wallet's passphrase (masked) and, optionally,
// how long to keep it unlocked.
type passPrompt struct {
	pass, keep textinput.Model
	focus      int
	err        string
	act        *action
	afterRun   bool // the action ran and met the lock: run it again (no preview)
}

func newPassPrompt(a *action, afterRun bool, errText string) *passPrompt {
	p := &passPrompt{pass: newInput("passphrase", "", true), keep: newInput("0: lock again after this action", "", false),
		act: a, afterRun: afterRun, err: errText}
	p.pass.Focus()
	return p
}

// update handles a key; done reports a submitted (ok) or cancelled
// prompt. The passphrase is handed out once and the input cleared.
func (p *passPrompt) update(msg tea.KeyMsg) (pass string, keep int, ok, done bool, cmd tea.Cmd) {
	switch msg.String() {
	case "esc":
		p.pass.Reset()
		return "", 0, false, true, nil
	case "tab", "shift+tab", "up", "down":
		p.focus = 1 - p.focus
		if p.focus == 0 {
			p.keep.Blur()
			p.pass.Focus()
		} else {
			p.pass.Blur()
			p.keep.Focus()
		}
		return "", 0, false, false, nil
	case "enter":
		k := strings.TrimSpace(p.keep.Value())
		if k != "" {
			if _, err := fmt.Sscan(k, &keep); err != nil || keep < 0 || itoa(keep) != k {
				p.pass.Reset() // typed again, not kept while the prompt waits
				p.err = "the unlock timeout is whole seconds (0 or empty: lock again after this action)"
				return "", 0, false, false, nil
			}
		}
		pass = p.pass.Value()
		p.pass.Reset()
		if pass == "" {
			p.err = "type the wallet's passphrase"
			return "", 0, false, false, nil
		}
		return pass, keep, true, true, nil
	}
	var c tea.Cmd
	if p.focus == 0 {
		p.pass, c = p.pass.Update(msg)
	} else {
		p.keep, c = p.keep.Update(msg)
	}
	return "", 0, false, false, c
}

func (p *passPrompt) view(st *styles) string {
	var b strings.Builder
	b.WriteString(st.title.Render("The wallet is locked") + "\n\n")
	b.WriteString("  to " + p.act.title + "\n\n")
	m0, m1 := "▸ ", "  "
	if p.focus == 1 {
		m0, m1 = m1, m0
	}
	b.WriteString(m0 + "passphrase          " + p.pass.View() + "\n")
	b.WriteString(m1 + "keep unlocked (s)   " + p.keep.View() + "\n")
	if p.err != "" {
		b.WriteString("\n" + st.err.Render("error: "+p.err) + "\n")
	}
	b.WriteString("\n" + st.dim.Render("enter unlock · esc cancel · the passphrase is never shown, logged or kept"))
	return b.String()
}
