// Command netsim runs a network simulation scenario (lib/netsim) and
// writes its report: `go run ./tools/netsim scenario.toml` prints the
// JSON report on stdout and progress on stderr; -csv writes CSV instead,
// -o FILE writes the report to FILE (and FILE with .csv beside it).
// It is a developer tool, not one of the user binaries.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/gamegold/gg/lib/netsim"
)

func main() {
	csv := flag.Bool("csv", false, "write the report as CSV instead of JSON")
	out := flag.String("o", "", "write the JSON report to this file and the CSV beside it (.csv)")
	quiet := flag.Bool("q", false, "no progress on stderr")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./tools/netsim [-csv] [-o report.json] [-q] scenario.toml\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	sc, err := netsim.LoadScenario(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "netsim: error:", err)
		os.Exit(1)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "netsim: error:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "netsim: error:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	sim := netsim.New(sc)
	began := time.Now()
	if !*quiet {
		sim.Progress = func(line string) {
			fmt.Fprintf(os.Stderr, "netsim: [%v] %s\n", time.Since(began).Round(time.Second), line)
		}
	}
	// Ctrl-C (or SIGTERM) ends the run early with the report so far.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		sim.Stop()
		signal.Stop(sigs)
	}()
	rep := sim.Run()
	if !*quiet && rep.Eclipse != nil {
		trials := 0
		for _, v := range rep.Eclipse.Variants {
			trials += v.Trials
		}
		fmt.Fprintf(os.Stderr, "netsim: done in %v: %d eclipse trials\n", time.Since(began).Round(time.Millisecond), trials)
	} else if !*quiet {
		took := time.Since(began)
		nodeHours := float64(sc.Nodes) * (sc.Warmup.Hours() + rep.MeasuredSeconds/3600)
		fmt.Fprintf(os.Stderr, "netsim: done in %v: %.0f node-hours simulated, %.2f s of wall time per node-hour\n",
			took.Round(time.Millisecond), nodeHours, took.Seconds()/nodeHours)
	}
	if *out != "" {
		if err := os.WriteFile(*out, rep.JSON(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "netsim: error:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(strings.TrimSuffix(*out, ".json")+".csv", rep.CSV(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "netsim: error:", err)
			os.Exit(1)
		}
	} else if *csv {
		os.Stdout.Write(rep.CSV())
	} else {
		os.Stdout.Write(rep.JSON())
	}
}
