package rpc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"

	"github.com/gamegold/gg/lib/rpc"
)

// A server with cookie authentication and one method, called by a client
// that finds its credentials in the same directory, as gg-* tools do.
func Example() {
	dir, _ := os.MkdirTemp("", "rpc-example")
	defer os.RemoveAll(dir)
	cookie, _ := rpc.NewCookie(dir)
	srv := rpc.NewServer(&rpc.Auth{Cookie: cookie}, rpc.Limits{}, nil)
	srv.Register(rpc.Method{Name: "block.count", Help: "tip height",
		Handler: func(context.Context, json.RawMessage) (any, error) { return 101, nil }})
	ts := httptest.NewServer(srv)
	defer ts.Close()

	client, _ := rpc.Discover(ts.URL, dir)
	var height int
	err := client.Call(context.Background(), "block.count", &height)
	fmt.Println(height, err)

	err = client.Call(context.Background(), "no.such.method", nil)
	fmt.Println(err)
	// Output:
	// 101 <nil>
	// rpc error -32601: method not found: no.such.method
}
