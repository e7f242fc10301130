package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/gamegold/gg/lib/amount"
)

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool { return isTerminal(w) }

// isTerminal is IsTerminal's test seam: tables are printed only on a
// terminal.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// WantJSON reports whether a command prints JSON: --json (or --jq,
// --fields) was given, or stdout is not a terminal (piped output is for
// machines).
func WantJSON(c *ucli.Context) bool { return JSONMode(c) || !IsTerminal(c.App.Writer) }

// Human output. A table fits TableWidth columns: every id of 64 hex digits
// is shortened to its first and last four digits around an ellipsis
// (3f2a…9c1d), then the widest columns are cut in the middle until the
// table fits. --wide (PrintWideTable) keeps every cell whole, as JSON
// always does. Amounts read in GG the same way in every table and message:
// trimmed, with at least one decimal (FormatGG: 50.0, 1.5, 0.00000294).

// TableWidth is the width, in columns, that tables fit.
const TableWidth = 100

// minCut is the narrowest a column is cut to.
const minCut = 11

// FormatGG formats an amount for people: GG with up to eight decimals and
// no trailing zeros beyond the first (JSON keeps eight).
func FormatGG(a amount.Amount) string { return a.String() }

// Amount is a GG amount read exactly from a JSON number (8 decimals) or
// string, for tables; String formats it with FormatGG.
type Amount amount.Amount

// UnmarshalJSON reads a JSON number or string of GG, possibly negative.
func (a *Amount) UnmarshalJSON(b []byte) error {
	v, err := amount.ParseSigned(strings.Trim(string(b), `"`))
	if err != nil {
		return fmt.Errorf("amount %s: %w", b, err)
	}
	*a = Amount(v)
	return nil
}

func (a Amount) String() string { return FormatGG(amount.Amount(a)) }

var reID = lazyRegexp(`\b[0-9a-f]{64}\b`)

// ShortID shortens a 64-hex-digit id to 3f2a…9c1d.
func ShortID(id string) string { return id[:4] + "…" + id[len(id)-4:] }

// fitTable returns rows and header cut to fit width columns.
func fitTable(header []string, rows [][]string, width int) ([]string, [][]string) {
	short := func(s string) string { return reID().ReplaceAllStringFunc(s, ShortID) }
	all := make([][]string, 0, len(rows)+1)
	all = append(all, append([]string{}, header...))
	for _, r := range rows {
		rr := make([]string, len(r))
		for i, cell := range r {
			rr[i] = short(cell)
		}
		all = append(all, rr)
	}
	ncol := 0
	for _, r := range all {
		ncol = max(ncol, len(r))
	}
	widths := make([]int, ncol)
	for _, r := range all {
		for i, cell := range r {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	total := func() int {
		t := 1
		for _, w := range widths {
			t += w + 3
		}
		return t
	}
	cuttable := make([]bool, ncol)
	for i := range cuttable {
		cuttable[i] = true
		for _, r := range all[1:] {
			if i < len(r) && !cutsSafely(r[i]) {
				cuttable[i] = false
			}
		}
	}
	for total() > width {
		widest := -1
		for i, w := range widths {
			if cuttable[i] && w > minCut && (widest < 0 || w > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break // what is left holds numbers: wider, but true
		}
		widths[widest]--
	}
	for _, r := range all {
		for i, cell := range r {
			r[i] = cutMiddle(cell, widths[i])
		}
	}
	return all[0], all[1:]
}

var reNumber = lazyRegexp(`^-?[0-9][0-9.,]*$`)

// cutsSafely reports whether a cell may lose its middle: a single word
// (an address, an id, a URL) or words without digits, never a number or
// words with numbers in them (amounts, "bid 1.2 / buy-now 2.0").
func cutsSafely(cell string) bool {
	if reNumber().MatchString(cell) {
		return false
	}
	return !strings.ContainsAny(cell, " \t") || !strings.ContainsAny(cell, "0123456789")
}

// cutMiddle shortens s to n runes with an ellipsis in the middle.
func cutMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 3 {
		return s
	}
	head := n / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// PrintTable renders a header and rows on w in the one table style of
// every gg binary (tablewriter v1, ASCII, headers left-aligned as given),
// fitting TableWidth columns.
func PrintTable(w io.Writer, header []string, rows [][]string) error {
	header, rows = fitTable(header, rows, TableWidth)
	return PrintWideTable(w, header, rows)
}

// PrintWideTable is PrintTable with every cell whole (--wide).
func PrintWideTable(w io.Writer, header []string, rows [][]string) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
	)
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}

// TableFunc builds a table's header and rows from an RPC result.
type TableFunc func(raw json.RawMessage) (header []string, rows [][]string, err error)

// PrintResult writes an RPC result on stdout: as indented JSON (through
// WriteJSON) when WantJSON or when there is no table, else as the table
// built from it, fitted unless --wide.
func PrintResult(c *ucli.Context, raw json.RawMessage, table TableFunc) error {
	if WantJSON(c) || table == nil {
		return WriteJSON(c, raw)
	}
	h, rows, err := table(raw)
	if err != nil {
		return err
	}
	if c.Bool(FlagWide) {
		return PrintWideTable(c.App.Writer, h, rows)
	}
	return PrintTable(c.App.Writer, h, rows)
}

// TableOf is the TableFunc that decodes the result into a T and builds
// the table from it with table.
func TableOf[T any](table func(T) ([]string, [][]string, error)) TableFunc {
	return func(raw json.RawMessage) ([]string, [][]string, error) {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, nil, err
		}
		return table(v)
	}
}
