package ggprop

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/game"
)

func createCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "create",
		Usage:     "create props for a producer the wallet owns (needs unlock)",
		UsageText: "gg-prop create --producer PRODUCER (--gold GG [--oid OID] [--to ADDRESS] | --from-file FILE) [--account NAME] [--dry-run]",
		Description: "One prop from the flags, or up to 1000 in one transaction from FILE ('-': stdin):\n" +
			"CSV lines 'oid,gold[,address]' (an optional 'oid,gold,address' header), or JSON\n" +
			"lines {\"oid\": ..., \"gold\": \"0.0001\", \"address\": ...}. Gold is GG, at least\n" +
			"0.0001; props without an address go to new addresses of the account.",
		Flags: actionFlags(
			&ucli.StringFlag{Name: "producer", Usage: "`PRODUCER` id or name (required)"},
			&ucli.StringFlag{Name: "oid", Usage: "the producer's item code `OID` (0-64 bytes)"},
			&ucli.StringFlag{Name: "gold", Usage: "gold content in `GG` (at least 0.0001)"},
			&ucli.StringFlag{Name: "to", Usage: "owner `ADDRESS` (default: a new address of the account)"},
			&ucli.StringFlag{Name: "from-file", Usage: "create the props listed in `FILE` (CSV or JSON lines; '-': stdin)"},
		),
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 0, "no arguments"); err != nil {
				return err
			}
			producer := c.String("producer")
			if producer == "" {
				return cli.Usagef("give --producer (an id or a name)")
			}
			if err := checkProducerRef(producer); err != nil {
				return err
			}
			if f := c.String("from-file"); f != "" {
				if c.IsSet("gold") || c.IsSet("oid") || c.IsSet("to") {
					return cli.Usagef("--from-file excludes --gold, --oid and --to")
				}
				items, err := readPropFile(c, f)
				if err != nil {
					return err
				}
				return runAction(c, "prop.createlist", producer, items)
			}
			if !c.IsSet("gold") {
				return cli.Usagef("give --gold (or --from-file)")
			}
			oid := c.String("oid")
			if err := checkOID(oid, "--oid"); err != nil {
				return err
			}
			g, err := parseGold(c.String("gold"), "--gold")
			if err != nil {
				return err
			}
			return runAction(c, "prop.create", producer, oid, g.String(), c.String("to"))
		},
	}
}

func checkOID(oid, what string) error {
	if len(oid) > game.MaxOIDLen {
		return cli.Usagef("%s of %d bytes: at most %d", what, len(oid), game.MaxOIDLen)
	}
	for _, r := range oid {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return cli.Usagef("%s %q: control characters or invalid UTF-8", what, oid)
		}
	}
	return nil
}

type propItem struct {
	OID     string `json:"oid"`
	Gold    string `json:"gold"`
	Address string `json:"address,omitempty"`
	line    int    // where the item starts in its file, from 1
}

// readPropFile reads a batch of props from name ('-': stdin) and checks
// every line before anything is sent.
func readPropFile(c *ucli.Context, name string) ([]propItem, error) {
	var r io.Reader
	if name == "-" {
		s, err := cli.ReadStdin(c, "prop list")
		if err != nil {
			return nil, err
		}
		r = strings.NewReader(s)
	} else {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, cli.FileError(c, err, "file", name)
		}
		r = bytes.NewReader(b)
	}
	items, err := parsePropFile(r)
	if err != nil {
		return nil, cli.Usagef("%s: %v", name, err)
	}
	return items, nil
}

// parsePropFile parses a batch of props (parsePropList) and checks it as
// the node would: 1 to game.MaxBatch props, each with a valid oid and
// gold. Errors name the line.
func parsePropFile(r io.Reader) ([]propItem, error) {
	items, err := parsePropList(r)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("no props: want 1 to %d", game.MaxBatch)
	}
	for _, it := range items {
		if err := checkOID(it.OID, "oid"); err != nil {
			return nil, fmt.Errorf("line %d: %w", it.line, err)
		}
		if _, err := parseGold(it.Gold, "gold"); err != nil {
			return nil, fmt.Errorf("line %d: %w", it.line, err)
		}
		if err := checkAddressText(it.Address); err != nil {
			return nil, fmt.Errorf("line %d: %w", it.line, err)
		}
	}
	return items, nil
}

// checkAddressText refuses what cannot be an address of any network (more
// than address.MaxLen characters, or anything but ASCII letters and
// digits), so a typo is reported with its line; the node checks the rest.
func checkAddressText(s string) error {
	if len(s) > address.MaxLen {
		return cli.Usagef("address of %d characters: at most %d", len(s), address.MaxLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return cli.Usagef("address %q: letters and digits only", s)
		}
	}
	return nil
}

// errTooManyProps stops a parse at the first prop beyond game.MaxBatch.
var errTooManyProps = fmt.Errorf("more than %d props (at most %d in one transaction)", game.MaxBatch, game.MaxBatch)

// parsePropList parses CSV (oid,gold[,address], an optional oid,gold
// header) or JSON lines, after a UTF-8 byte order mark if there is one,
// and notes each item's line. It stops at the first item beyond
// game.MaxBatch.
func parsePropList(r io.Reader) ([]propItem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return parsePropJSON(data)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	var items []propItem
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			return items, nil
		} else if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if first && len(rec) >= 2 && strings.EqualFold(rec[0], "oid") && strings.EqualFold(rec[1], "gold") {
			continue
		}
		if len(rec) < 2 || len(rec) > 3 {
			return nil, fmt.Errorf("line %d: want oid,gold[,address]", line)
		}
		if len(items) == game.MaxBatch {
			return nil, errTooManyProps
		}
		it := propItem{OID: rec[0], Gold: strings.TrimSpace(rec[1]), line: line}
		if len(rec) == 3 {
			it.Address = strings.TrimSpace(rec[2])
		}
		items = append(items, it)
	}
}

// parsePropJSON parses JSON lines (a stream of objects, each on one line
// or more); gold is a JSON string or number.
func parsePropJSON(data []byte) ([]propItem, error) {
	var items []propItem
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	off, line := 0, 1 // line is the line of data[off]
	for {
		// The next object starts after the white space at the offset.
		start := int(dec.InputOffset())
		rest := data[start:]
		start += len(rest) - len(bytes.TrimLeft(rest, " \t\r\n"))
		line += bytes.Count(data[off:start], []byte{'\n'})
		off = start
		var raw struct {
			OID     string          `json:"oid"`
			Gold    json.RawMessage `json:"gold"`
			Address string          `json:"address"`
		}
		if err := dec.Decode(&raw); err == io.EOF {
			return items, nil
		} else if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		if len(raw.Gold) == 0 {
			return nil, fmt.Errorf("line %d: no gold", line)
		}
		gold := string(raw.Gold) // a number as written
		var s string
		if json.Unmarshal(raw.Gold, &s) == nil && raw.Gold[0] == '"' {
			gold = s
		}
		if len(items) == game.MaxBatch {
			return nil, errTooManyProps
		}
		items = append(items, propItem{OID: raw.OID, Gold: gold, Address: strings.TrimSpace(raw.Address), line: line})
	}
}
