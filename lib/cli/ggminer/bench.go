package ggminer

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/sha256d"
)

// benchThread is one thread's benchmark figures.
type benchThread struct {
	Hashes uint64  `json:"hashes"`
	HPS    float64 `json:"hps"`
	// CPUHPS is hashes per second of the thread's own CPU time (0 where
	// the system does not tell it): the rate a thread with a core to
	// itself would reach.
	CPUHPS float64 `json:"cpu_hps,omitempty"`
}

// benchResult is --benchmark's output.
type benchResult struct {
	Hasher    string        `json:"hasher"`
	Threads   int           `json:"threads"`
	Seconds   float64       `json:"seconds"`
	Hashes    uint64        `json:"hashes"`
	TotalHPS  float64       `json:"total_hps"`
	ThreadHPS float64       `json:"thread_hps"` // the mean per thread
	CPUHPS    float64       `json:"thread_cpu_hps,omitempty"`
	PerThread []benchThread `json:"per_thread"`
}

// runBenchmark hashes a fixed header with an unreachable target on
// threads goroutines (each on its own OS thread) for d.
func runBenchmark(c *ucli.Context, threads int, d time.Duration) error {
	var hdr [sha256d.HeaderSize]byte
	for i := range hdr {
		hdr[i] = byte(i * 7)
	}
	var zero [32]byte // no hash meets it: every nonce is hashed
	res := benchResult{Hasher: sha256d.Impl(), Threads: threads, PerThread: make([]benchThread, threads)}
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for t := range threads {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			h := hdr
			h[0] = byte(t) // a header of its own
			job := sha256d.NewJob(&h, &zero)
			cpu0, cpuOK := threadCPU()
			t0 := time.Now()
			var n uint64
			for c.Context.Err() == nil && time.Now().Before(deadline) {
				job.Search(uint32(n), chunk)
				n += chunk
			}
			wall := time.Since(t0).Seconds()
			bt := benchThread{Hashes: n, HPS: float64(n) / wall}
			if cpu1, ok := threadCPU(); ok && cpuOK && cpu1 > cpu0 {
				bt.CPUHPS = float64(n) / (cpu1 - cpu0).Seconds()
			}
			res.PerThread[t] = bt
		})
	}
	wg.Wait()
	if err := c.Context.Err(); err != nil {
		return err
	}
	res.Seconds = math.Round(time.Since(start).Seconds()*1000) / 1000
	var cpu float64
	for _, bt := range res.PerThread {
		res.Hashes += bt.Hashes
		res.TotalHPS += bt.HPS
		cpu += bt.CPUHPS
	}
	res.ThreadHPS = res.TotalHPS / float64(threads)
	res.CPUHPS = cpu / float64(threads)
	if cli.JSONMode(c) {
		return cli.WriteJSON(c, res)
	}
	w := c.App.Writer
	fmt.Fprintf(w, "hasher: %s, %d threads, %.1f s\n", res.Hasher, threads, res.Seconds)
	for i, bt := range res.PerThread {
		fmt.Fprintf(w, "thread %d: %s", i, formatRate(bt.HPS))
		if bt.CPUHPS > 0 {
			fmt.Fprintf(w, " (%s of CPU time)", formatRate(bt.CPUHPS))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "per thread: %s\n", formatRate(res.ThreadHPS))
	fmt.Fprintf(w, "total: %s\n", formatRate(res.TotalHPS))
	return nil
}
