package stratum

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mining"
)

// BenchmarkShareValidation: shares/s the server checks and answers,
// each connection pipelining its submits over 127.0.0.1 (decode, job and
// duplicate lookups, header rebuild, sha256d, target compare, reply).
// The shares miss the block target, so no block is processed.
func BenchmarkShareValidation(b *testing.B) {
	for _, conns := range []int{1, 8} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			e := newEnv(b)
			cs := make([]*client, conns)
			jobs := make([]*Notify, conns)
			for i := range cs {
				cs[i] = e.dial()
				jobs[i] = cs[i].handshake(fmt.Sprintf("w%d", i), "")
			}
			// Precompute every share: b.N spread over the connections.
			lines := make([][]byte, conns)
			counts := make([]int, conns)
			for k := range b.N {
				i := k % conns
				c, n := cs[i], jobs[i]
				s := refind(b, c, n, share{en2: en2(uint32(k)), ntime: n.Time})
				line, err := EncodeRequest(uint64(k+1), MethodSubmit, (&Submit{Worker: c.worker, JobID: n.JobID,
					Extranonce2: s.en2, Time: s.ntime, Nonce: s.nonce}).Params()...)
				if err != nil {
					b.Fatal(err)
				}
				lines[i] = append(lines[i], line...)
				counts[i]++
			}
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			errs := make(chan error, 2*conns)
			for i, c := range cs {
				wg.Add(2)
				go func() {
					defer wg.Done()
					_ = c.nc.SetWriteDeadline(time.Now().Add(time.Minute))
					if _, err := c.nc.Write(lines[i]); err != nil {
						errs <- err
					}
				}()
				go func() {
					defer wg.Done()
					for range counts[i] {
						m, err := c.read()
						if err != nil {
							errs <- err
							return
						}
						if !m.IsResponse() {
							continue
						}
						if m.Error != nil || string(m.Result) != "true" {
							errs <- fmt.Errorf("share refused: %v", m.Error)
							return
						}
					}
				}()
			}
			wg.Wait()
			el := time.Since(start)
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/el.Seconds(), "shares/s")
		})
	}
}

// BenchmarkNotifyFanout: the time from a new block entering the chain to
// the clean mining.notify for it at every one of 100 connected miners
// (chain notification, template, job, 100 queued lines, 100 reads).
func BenchmarkNotifyFanout(b *testing.B) {
	const miners = 100
	e := newEnv(b, func(c *Config) { c.MaxConnsPerIP = 2 * miners })
	got := make(chan chainhash.Hash, miners*4)
	for i := range miners {
		c := e.dial()
		c.handshake(fmt.Sprintf("m%d", i), "")
		go func() {
			for {
				_ = c.nc.SetReadDeadline(time.Now().Add(time.Minute))
				line, err := c.lr.ReadLine()
				if err != nil {
					return
				}
				if !bytes.Contains(line, []byte(MethodNotify)) {
					continue
				}
				m, err := DecodeLine(line)
				if err != nil {
					continue
				}
				if n, err := ParseNotify(m.Params); err == nil && n.Clean {
					got <- n.PrevHash
				}
			}
		}()
	}
	// Count latency from ProcessBlock's start for a block prepared
	// beforehand.
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		tmpl, err := e.gen.NewBlockTemplate(payTo, uint64(time.Now().UnixNano()))
		if err != nil {
			b.Fatal(err)
		}
		for !mining.SolveBlock(context.Background(), &tmpl.Block.Header) {
			b.Fatal("no nonce")
		}
		want := tmpl.Block.BlockHash()
		b.StartTimer()
		start := time.Now()
		if _, _, err := e.chain.ProcessBlock(tmpl.Block, chain.BFRequested); err != nil {
			b.Fatal(err)
		}
		for seen := 0; seen < miners; {
			select {
			case h := <-got:
				if h == want {
					seen++
				}
			case <-time.After(time.Minute):
				b.Fatalf("%d of %d miners got the new job", seen, miners)
			}
		}
		total += time.Since(start)
	}
	b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms/100-notifies")
}
