package ggminer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

// reporter counts shares and blocks and tells the user: JSON lines on
// stdout with --json, else log lines and (on a terminal) a status line
// on stderr, and a summary on stdout at the end.
type reporter struct {
	out, errw io.Writer
	json, tty bool
	log       *slog.Logger
	eng       *engine
	mode      string
	start     time.Time

	accepted, rejected, stale, blocks atomic.Uint64
	diff                              atomic.Uint64 // float64 bits

	mu       sync.Mutex // output, and the rate window
	lastN    uint64
	lastT    time.Time
	rate     float64
	lineOpen bool // a status line is on the terminal
}

func newReporter(c *ucli.Context, eng *engine, log *slog.Logger, mode string) *reporter {
	now := time.Now()
	return &reporter{
		out: c.App.Writer, errw: c.App.ErrWriter,
		json: cli.JSONMode(c), tty: cli.IsTerminal(c.App.ErrWriter),
		log: log, eng: eng, mode: mode, start: now, lastT: now,
	}
}

func (r *reporter) setDifficulty(d float64) { r.diff.Store(math.Float64bits(d)) }
func (r *reporter) difficulty() float64     { return math.Float64frombits(r.diff.Load()) }

// event reports one happening: a JSON line, or a log line at level.
func (r *reporter) event(level slog.Level, kind, msg string, attrs ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.json {
		m := map[string]any{"event": kind, "time": time.Now().UTC().Format(time.RFC3339Nano)}
		for i := 0; i+1 < len(attrs); i += 2 {
			m[fmt.Sprint(attrs[i])] = attrs[i+1]
		}
		r.writeJSON(m)
		return
	}
	r.clearLine()
	r.log.Log(context.Background(), level, msg, attrs...)
}

func (r *reporter) writeJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	r.out.Write(append(b, '\n'))
}

func (r *reporter) clearLine() {
	if r.lineOpen {
		fmt.Fprint(r.errw, "\r\x1b[K")
		r.lineOpen = false
	}
}

// sample updates the hash rate over the time since the last sample.
func (r *reporter) sample() float64 {
	now, n := time.Now(), r.eng.total()
	if dt := now.Sub(r.lastT).Seconds(); dt > 0.2 {
		r.rate = float64(n-r.lastN) / dt
		r.lastN, r.lastT = n, now
	}
	return r.rate
}

// status is the periodic report: the terminal's line, or a JSON line or
// a log line every --status-every.
func (r *reporter) status(logged bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rate := r.sample()
	switch {
	case r.json:
		if logged {
			r.writeJSON(r.fields("status", rate))
		}
	case r.tty:
		fmt.Fprintf(r.errw, "\r\x1b[K%s | accepted %d | rejected %d | blocks %d | diff %g",
			formatRate(rate), r.accepted.Load(), r.rejected.Load(), r.blocks.Load(), r.difficulty())
		r.lineOpen = true
	case logged:
		r.log.Info("status", "hashrate", formatRate(rate), "accepted", r.accepted.Load(),
			"rejected", r.rejected.Load(), "blocks", r.blocks.Load(), "difficulty", r.difficulty())
	}
}

func (r *reporter) fields(kind string, rate float64) map[string]any {
	m := map[string]any{
		"event": kind, "mode": r.mode, "threads": r.eng.threads,
		"hashrate": math.Round(rate), "hashes": r.eng.total(),
		"accepted": r.accepted.Load(), "rejected": r.rejected.Load(), "stale": r.stale.Load(),
		"blocks": r.blocks.Load(), "elapsed": math.Round(time.Since(r.start).Seconds()*1000) / 1000,
	}
	if d := r.difficulty(); d > 0 {
		m["difficulty"] = d
	}
	return m
}

// loop draws the status until done closes.
func (r *reporter) loop(done <-chan struct{}, every time.Duration) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	next := time.Now().Add(every)
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			logged := !now.Before(next)
			if logged {
				next = now.Add(every)
			}
			if logged || r.tty {
				r.status(logged)
			}
		}
	}
}

// summary prints the run's totals on stdout.
func (r *reporter) summary() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clearLine()
	elapsed := time.Since(r.start)
	avg := float64(r.eng.total()) / elapsed.Seconds()
	if r.json {
		m := r.fields("summary", avg)
		r.writeJSON(m)
		return
	}
	fmt.Fprintf(r.out, "gg-miner summary: %s mining for %s, %d hashes (%s), %d shares accepted, %d rejected, %d stale, %d blocks\n",
		r.mode, elapsed.Round(time.Millisecond), r.eng.total(), formatRate(avg),
		r.accepted.Load(), r.rejected.Load(), r.stale.Load(), r.blocks.Load())
}
