package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkRESTProps measures REST GET latency against a regtest node
// whose registry holds 10,000 props of one owner (10 blocks of
// prop.createlist × 1,000): "prop" gets a prop by id (random ids),
// "owner-page" a page of 100 of the owner's props from a cursor (every
// page in turn). Each reports the median and 99th percentile in ns
// (p50-ns, p99-ns) over loopback HTTP with keep-alive, JSON encoding
// included.
func BenchmarkRESTProps(b *testing.B) {
	ctx := context.Background()
	n, w, c := benchWalletNodeSync(b, false)
	var reg benchAction
	if err := c.Call(ctx, "cp.create", &reg, "benchrest"); err != nil {
		b.Fatal(err)
	}
	if _, err := n.Miner.Generate(ctx, 1, externalScript); err != nil {
		b.Fatal(err)
	}
	a, err := w.NewAddress("", false)
	if err != nil {
		b.Fatal(err)
	}
	owner := a.String()
	var ids []string
	for batch := range 10 {
		specs := make([]map[string]any, 1000)
		for i := range specs {
			specs[i] = map[string]any{"oid": fmt.Sprintf("item-%d-%d", batch, i), "gold": "0.0001", "address": owner}
		}
		var r benchAction
		if err := c.Call(ctx, "prop.createlist", &r, reg.Objects[0].ID, specs); err != nil {
			b.Fatal(err)
		}
		for _, o := range r.Objects {
			ids = append(ids, o.ID)
		}
		if _, err := n.Miner.Generate(ctx, 1, externalScript); err != nil {
			b.Fatal(err)
		}
	}
	rc := newRESTClient(b, n.cfg.DataDir)
	// The pages' cursors, walked once.
	cursors := []string{""}
	for {
		u := "/rest/game/props/owner/" + owner + ".json?limit=100"
		if cur := cursors[len(cursors)-1]; cur != "" {
			u += "&cursor=" + cur
		}
		var p restPage
		if err := json.Unmarshal(rc.ok(b, u), &p); err != nil {
			b.Fatal(err)
		}
		if p.Next == nil {
			break
		}
		cursors = append(cursors, *p.Next)
	}
	if len(cursors) != 100 {
		b.Fatalf("%d pages of 100, want 100", len(cursors))
	}
	client := &http.Client{}
	get := func(path string) {
		req, _ := http.NewRequest(http.MethodGet, rc.base+path, nil)
		req.SetBasicAuth(rc.user, rc.pass)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
	}
	run := func(b *testing.B, path func(i int) string) {
		lat := make([]time.Duration, 0, 1<<14)
		for b.Loop() {
			p := path(len(lat))
			t0 := time.Now()
			get(p)
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	}
	b.Run("prop", func(b *testing.B) {
		run(b, func(i int) string { return "/rest/game/prop/" + ids[(i*7919)%len(ids)] + ".json" })
	})
	b.Run("owner-page", func(b *testing.B) {
		run(b, func(i int) string {
			u := "/rest/game/props/owner/" + owner + ".json?limit=100"
			if cur := cursors[i%len(cursors)]; cur != "" {
				u += "&cursor=" + cur
			}
			return u
		})
	})
}
