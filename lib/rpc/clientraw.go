package rpc

import (
	"context"
	"encoding/json"
)

// CallRaw invokes method with params as they came (a JSON array or
// object; empty means none) and decodes the result into out, as Call: a
// light node forwards the calls it cannot answer to a full node so.
func (c *Client) CallRaw(ctx context.Context, method string, params json.RawMessage, out any) error {
	if len(params) == 0 {
		params = json.RawMessage("[]")
	}
	return c.call(ctx, method, out, params)
}
