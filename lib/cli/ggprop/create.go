package ggprop

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

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
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q (flags go before arguments)", c.Args().First())
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
}

// readPropFile reads a batch of props (CSV or JSON lines) and checks
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
			return nil, cli.Failf("read %s: %v", name, err)
		}
		r = bytes.NewReader(b)
	}
	items, err := parsePropList(r)
	if err != nil {
		return nil, cli.Usagef("%s: %v", name, err)
	}
	if len(items) == 0 || len(items) > game.MaxBatch {
		return nil, cli.Usagef("%s: %d props: want 1 to %d", name, len(items), game.MaxBatch)
	}
	for i, it := range items {
		if err := checkOID(it.OID, fmt.Sprintf("line %d: oid", i+1)); err != nil {
			return nil, err
		}
		if _, err := parseGold(it.Gold, fmt.Sprintf("line %d: gold", i+1)); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// parsePropList parses CSV (oid,gold[,address]) or JSON lines.
func parsePropList(r io.Reader) ([]propItem, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(64)
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		var items []propItem
		dec := json.NewDecoder(br)
		dec.DisallowUnknownFields()
		for n := 1; ; n++ {
			var raw struct {
				OID     string          `json:"oid"`
				Gold    json.RawMessage `json:"gold"`
				Address string          `json:"address"`
			}
			if err := dec.Decode(&raw); err == io.EOF {
				return items, nil
			} else if err != nil {
				return nil, fmt.Errorf("JSON line %d: %v", n, err)
			}
			if len(raw.Gold) == 0 {
				return nil, fmt.Errorf("JSON line %d: no gold", n)
			}
			items = append(items, propItem{OID: raw.OID, Gold: strings.Trim(string(raw.Gold), `"`), Address: raw.Address})
		}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	var items []propItem
	for i, rec := range recs {
		if i == 0 && len(rec) >= 2 && strings.EqualFold(rec[0], "oid") && strings.EqualFold(rec[1], "gold") {
			continue
		}
		if len(rec) < 2 || len(rec) > 3 {
			return nil, fmt.Errorf("line %d: want oid,gold[,address]", i+1)
		}
		it := propItem{OID: rec[0], Gold: strings.TrimSpace(rec[1])}
		if len(rec) == 3 {
			it.Address = strings.TrimSpace(rec[2])
		}
		items = append(items, it)
	}
	return items, nil
}
