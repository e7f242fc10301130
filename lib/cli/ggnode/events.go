package ggnode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"syscall"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

// eventTopics are the node's event topics (docs/rpc.md, WebSocket).
const eventTopics = "blocks, mempool, txs, producers, props, contracts, peers, log"

// eventsOptions are gg-node events' settings.
type eventsOptions struct {
	sub   rpc.SubscribeParams
	count int // stop after this many events (0: never)
}

func eventsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "events",
		Usage: "follow the node's events (blocks, mempool, game registries) as JSON lines",
		UsageText: "gg-node [global flags] events --topics TOPIC[,TOPIC]... [--address ADDR]... [--since HASH] [--rawtx] [--count N]\n" +
			"   gg-node [global flags] rpc --ws subscribe '{\"topics\":[\"blocks\"]}'",
		Description: "Subscribes to the node's events over its WebSocket (/ws, on the RPC listener;\n" +
			"found and logged into like 'gg-node rpc') and prints each event on stdout as one\n" +
			"JSON object per line, written as it arrives:\n\n" +
			"   {\"subscription\":ID,\"seq\":N,\"topic\":\"props\",\"type\":\"prop.received\",\n" +
			"    \"height\":H,\"hash\":BLOCK,\"data\":{...}}\n\n" +
			"Topics: " + eventTopics + ". --address limits txs (which needs\n" +
			"it) and props to those addresses. --since HASH resumes after that block: the\n" +
			"events missed since come first, from the node's backlog; when the node no longer\n" +
			"has them it sends a line {\"type\":\"resync\",\"reason\":...,\"tip\":{...}}: read the\n" +
			"state afresh. A reorg shows as block.disconnected events (newest first) and the\n" +
			"game events of those blocks again with \".undone\" added to their type.\n\n" +
			"--jq and --fields apply to each event. SIGINT, SIGTERM, a closed pipe on stdout\n" +
			"or --count N events end it with status 0. When the node ends the stream (it\n" +
			"stops, or drops a reader too slow for its queue) it exits with status 3 and says\n" +
			"why.\n\n" +
			"Examples:\n" +
			"   gg-node --network=regtest events --topics blocks\n" +
			"   gg-node --network=regtest events --topics props,txs --address rg1q... --rawtx\n" +
			"   gg-node --network=regtest events --topics blocks --count 1      (wait for a block)\n" +
			"   gg-node --network=regtest events --topics props | jq -r 'select(.type==\"prop.received\") | .data.id'",
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "topics", Usage: "the `TOPICS` to follow, comma-separated (" + eventTopics + ")"},
			&ucli.StringSliceFlag{Name: "address", Usage: "only txs and props of `ADDR` (repeatable, or comma-separated)"},
			&ucli.StringFlag{Name: "since", Usage: "resume after block `HASH`: the events since then first"},
			&ucli.BoolFlag{Name: "rawtx", Usage: "add each transaction's hex to mempool and txs events"},
			&ucli.IntFlag{Name: "count", Usage: "exit after `N` events (0: follow until stopped)"},
		},
		Action: runEvents,
	}
}

func runEvents(c *ucli.Context) error {
	if err := cli.WantArgs(c, 0, "no arguments (topics go in --topics)"); err != nil {
		return err
	}
	o := eventsOptions{sub: rpc.SubscribeParams{Topics: c.StringSlice("topics"), Addresses: c.StringSlice("address"),
		Since: c.String("since"), RawTx: c.Bool("rawtx")}, count: c.Int("count")}
	if len(o.sub.Topics) == 0 {
		return cli.WithHint(cli.Usagef("no topics: want --topics TOPIC[,TOPIC]..."), "the topics: "+eventTopics)
	}
	if o.count < 0 {
		return cli.Usagef("--count %d: want a number of events, 0 for no limit", o.count)
	}
	client, err := cli.NodeClient(c)
	if err != nil {
		return err
	}
	ws, err := dialWS(c, client)
	if err != nil {
		return err
	}
	defer ws.Close()
	return streamEvents(c, ws, o)
}

// dialWS opens the WebSocket of the node client calls.
func dialWS(c *ucli.Context, client *rpc.Client) (*rpc.WSClient, error) {
	ws, err := client.DialWS(c.Context)
	switch {
	case errors.Is(err, rpc.ErrNoWebSocket):
		return nil, cli.Unavailable(err, "this node has no WebSocket: update gg-node (or call without --ws)")
	case errors.Is(err, rpc.ErrForbidden):
		return nil, cli.Failf("%v", err)
	case err != nil:
		return nil, cli.CallError(err, "", true)
	}
	return ws, nil
}

// streamEvents subscribes and prints the events, one JSON object per
// line, until the context ends (nil), o.count events were printed (nil),
// stdout's pipe closes (nil) or the node ends the stream (an error).
func streamEvents(c *ucli.Context, ws *rpc.WSClient, o eventsOptions) error {
	sub, err := ws.Subscribe(c.Context, o.sub)
	var re *rpc.Error
	switch {
	case c.Context.Err() != nil:
		return nil
	case errors.As(err, &re) && re.Code == rpc.CodeInvalidParam:
		return cli.WithHint(cli.Usagef("%s", re.Message), "the topics: "+eventTopics+" (txs needs --address)")
	case err != nil:
		return eventsError(err)
	}
	filtered := c.String(cli.FlagJQ) != "" || c.String(cli.FlagFields) != ""
	for n := 0; o.count == 0 || n < o.count; n++ {
		note, err := sub.Next(c.Context)
		if c.Context.Err() != nil {
			return nil // interrupted: the stream ends here
		}
		if err != nil {
			return eventsError(err)
		}
		line := []byte(nil)
		if note.Event != nil {
			line = note.Event.Raw
		} else {
			line, _ = json.Marshal(struct {
				Type string `json:"type"`
				*rpc.Resync
			}{"resync", note.Resync})
		}
		if filtered {
			err = cli.WriteJSON(c, json.RawMessage(line))
		} else {
			var buf bytes.Buffer
			if err = json.Compact(&buf, line); err == nil {
				buf.WriteByte('\n')
				_, err = c.App.Writer.Write(buf.Bytes()) // one write a line: nothing held back
			}
		}
		if errors.Is(err, syscall.EPIPE) {
			return nil // the reader of the pipe is gone (SIGPIPE ignored)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// eventsError words the end of an event stream by the node.
func eventsError(err error) error {
	var ce *rpc.CloseError
	switch {
	case errors.Is(err, rpc.ErrSlowConsumer):
		return cli.Unavailable(fmt.Errorf("the node ended the event stream: %w", err),
			"read the events faster (a pipe into a slow command fills the node's queue), or follow fewer topics; --since HASH resumes")
	case errors.Is(err, rpc.ErrPolicy):
		return cli.Unavailable(fmt.Errorf("the node ended the event stream: %w", err),
			"the login may have lost the right to events (a revoked token)")
	case errors.As(err, &ce) || errors.Is(err, rpc.ErrWSClosed):
		return cli.Unavailable(fmt.Errorf("the node ended the event stream: %w", err),
			"is gg-node still running? --since HASH resumes after the last block seen")
	}
	return cli.CallError(err, "", true)
}

// runWSSubscribe is 'gg-node rpc --ws subscribe PARAMS': the params
// object as one ARG (or -named NAME=VALUE pairs), then the events printed
// as gg-node events prints them.
func runWSSubscribe(c *ucli.Context, ws *rpc.WSClient, args []string) error {
	params, err := rpcParams(c, "subscribe", args, len(args), nil, nil, c.Bool("named"))
	if err != nil {
		return err
	}
	var obj any = params
	if list, ok := params.([]any); ok {
		if len(list) != 1 {
			return cli.WithHint(cli.Usagef("subscribe takes one params object, got %d arguments", len(list)),
				`gg-node rpc --ws subscribe '{"topics":["blocks","props"]}'`)
		}
		obj = list[0]
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	var o eventsOptions
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o.sub); err != nil {
		return cli.WithHint(cli.Usagef("subscribe params %s: %v", raw, err),
			`want {"topics":[...], "addresses":[...], "since":HASH, "rawtx":BOOL}`)
	}
	return streamEvents(c, ws, o)
}
