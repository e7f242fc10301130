package ggminer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/sha256d"
	"github.com/gamegold/gg/lib/stratum"
	"github.com/gamegold/gg/lib/version"
)

// stratumWork is what a share needs besides the header.
type stratumWork struct {
	job    *stratum.Job
	client *stratum.Client
	block  *big.Int // the network target from nbits
}

// stratumWorkOf turns a job into work: extranonce2 is extra in
// little-endian order (as cpuminer counts it), cut to its size.
func stratumWorkOf(j *stratum.Job, cl *stratum.Client) (*work, error) {
	target, err := stratum.DifficultyToTarget(j.Difficulty)
	if err != nil {
		return nil, err
	}
	size := j.Extranonce2Size
	limit := uint64(1<<63 - 1)
	if size < 8 {
		limit = 1<<(8*size) - 1
	}
	w := &work{target: sha256d.Target(target), meta: &stratumWork{job: j, client: cl, block: chaincfg.CompactToBig(j.Bits)}}
	w.header = func(extra uint64) ([sha256d.HeaderSize]byte, bool) {
		var hdr [sha256d.HeaderSize]byte
		if extra > limit {
			return hdr, false
		}
		h := j.Header(j.Extranonce1, extranonce2(extra, size), j.Time, 0, j.Version)
		h.AppendTo(hdr[:0])
		return hdr, true
	}
	return w, nil
}

func extranonce2(extra uint64, size int) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], extra)
	en2 := make([]byte, size)
	copy(en2, b[:])
	return en2
}

// runStratum mines against a Stratum server until interrupted, dialling
// again with a growing pause when the connection is lost.
func runStratum(c *ucli.Context, threads int, log *slog.Logger) error {
	ctx, cancel := context.WithCancel(c.Context)
	defer cancel()
	eng := newEngine(threads)
	rep := newReporter(c, eng, log, "stratum")
	cfg := stratum.ClientConfig{
		URL: c.String(flagURL), User: c.String(flagUser), Pass: c.String(flagPass),
		Agent: "gg-miner/" + version.String(), Logger: log,
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() { eng.run(ctx) })
	wg.Go(func() { rep.loop(done, c.Duration(flagStatusEvery)) })
	wg.Go(func() { submitShares(ctx, eng, rep, cfg.User) })
	err := stratumSessions(ctx, cfg, eng, rep, c.Duration(flagRetryMax))
	cancel()
	close(done)
	wg.Wait()
	if errors.Is(err, stratum.ErrRefused) {
		return cli.WithHint(err, "check --user and --pass against the server's workers")
	}
	if err != nil {
		return err
	}
	rep.summary()
	return nil
}

// stratumSessions dials, mines one session until it ends, and dials
// again after 1 s, 2 s, 4 s ... (at most retryMax; back to 1 s after a
// session that got work). It returns nil when ctx ends, and an error for
// a refused worker.
func stratumSessions(ctx context.Context, cfg stratum.ClientConfig, eng *engine, rep *reporter, retryMax time.Duration) error {
	pause := time.Second
	for ctx.Err() == nil {
		cl, err := stratum.Dial(ctx, cfg)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, stratum.ErrRefused):
			return err
		case err == nil:
			rep.event(slog.LevelInfo, "connected", "connected to the stratum server", "url", cfg.URL, "worker", cfg.User,
				"extranonce1", fmt.Sprintf("%x", cl.Extranonce1()))
			if session(ctx, cl, eng, rep) {
				pause = time.Second
			}
			cl.Close()
			eng.set(nil)
			if ctx.Err() != nil {
				return nil
			}
			err = cl.Err()
		}
		rep.event(slog.LevelWarn, "disconnected", "stratum server lost; dialling again", "error", err.Error(), "retry_in", pause.String())
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		pause = min(2*pause, retryMax)
	}
	return nil
}

// session feeds the client's jobs to the engine until the connection
// ends; it reports whether any job came.
func session(ctx context.Context, cl *stratum.Client, eng *engine, rep *reporter) bool {
	got := false
	for {
		select {
		case <-ctx.Done():
			return got
		case <-cl.Done():
			return got
		case j := <-cl.Jobs():
			w, err := stratumWorkOf(j, cl)
			if err != nil {
				rep.event(slog.LevelWarn, "bad_job", "job ignored", "job", j.JobID, "error", err.Error())
				continue
			}
			got = true
			rep.setDifficulty(j.Difficulty)
			eng.set(w)
			rep.event(slog.LevelDebug, "job", "new job", "job", j.JobID, "clean", j.Clean, "difficulty", j.Difficulty)
		}
	}
}

// submitShares sends what the threads find, one at a time, and counts
// the verdicts. A share of a job the server has since replaced with
// clean_jobs is dropped as stale.
func submitShares(ctx context.Context, eng *engine, rep *reporter, worker string) {
	for {
		var f found
		select {
		case <-ctx.Done():
			return
		case f = <-eng.found:
		}
		sw := f.w.meta.(*stratumWork)
		if !eng.isCurrent(f.w) && latestClean(eng) {
			rep.stale.Add(1)
			continue
		}
		nonce := binary.LittleEndian.Uint32(f.header[76:])
		s := &stratum.Submit{Worker: worker, JobID: sw.job.JobID, Extranonce2: extranonce2(f.extra, sw.job.Extranonce2Size),
			Time: sw.job.Time, Nonce: nonce}
		h := chainhash.Hash(f.hash)
		isBlock := stratum.HashMeets(&h, sw.block)
		err := sw.client.Submit(ctx, s)
		var se *stratum.Error
		switch {
		case err == nil:
			rep.accepted.Add(1)
			if isBlock {
				rep.blocks.Add(1)
				rep.event(slog.LevelInfo, "block", "share accepted; it meets the block target", "job", s.JobID, "hash", h.String())
			} else {
				rep.event(slog.LevelDebug, "share", "share accepted", "job", s.JobID, "accepted", true)
			}
		case errors.As(err, &se):
			rep.rejected.Add(1)
			rep.event(slog.LevelWarn, "share", "share rejected", "job", s.JobID, "accepted", false, "code", se.Code, "reason", se.Message)
		case ctx.Err() != nil:
			return
		default:
			rep.event(slog.LevelWarn, "share", "share not sent", "job", s.JobID, "error", err.Error())
		}
	}
}

// latestClean reports whether the current work came with clean_jobs (or
// there is none): older work is stale then.
func latestClean(eng *engine) bool {
	w, _ := eng.current()
	if w == nil {
		return true
	}
	sw, ok := w.meta.(*stratumWork)
	return ok && sw.job.Clean
}
