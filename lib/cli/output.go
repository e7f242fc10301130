package cli

import (
	"encoding/json"
	"io"
	"os"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// WantJSON reports whether a command prints JSON: --json was given, or
// stdout is not a terminal (piped output is for machines).
func WantJSON(c *ucli.Context) bool { return c.Bool(FlagJSON) || !IsTerminal(c.App.Writer) }

// PrintTable renders a header and rows on w in the one table style of
// every gg binary (tablewriter v1, ASCII, headers left-aligned as given).
func PrintTable(w io.Writer, header []string, rows [][]string) error {
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

// PrintResult writes an RPC result on stdout: as indented JSON when
// WantJSON or when there is no table, else as the table built from it.
func PrintResult(c *ucli.Context, raw json.RawMessage, table TableFunc) error {
	if WantJSON(c) || table == nil {
		return PrintJSON(c.App.Writer, raw)
	}
	h, rows, err := table(raw)
	if err != nil {
		return err
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
