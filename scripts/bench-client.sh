#!/usr/bin/env bash
# bench-client: the per-call cost of a thin client, process start included:
# btcctl getblockcount against btcd v0.24.2, gg-node rpc getblockcount and
# gg-wallet balance against gg-node, both daemons in regtest on loopback.
#
# Each round times a batch of CALLS calls of each client in turn (A, B, C,
# A, B, C ...: a load on the machine falls on all alike) and the medians
# over ROUNDS rounds are printed, per call: wall time and CPU (user+sys of
# the client processes, from bash's time, which counts waited-for children).
#
#   scripts/bench-client.sh                  (or: make bench-client)
#   ROUNDS=5 CALLS=50 scripts/bench-client.sh
#   BTCD=/path/btcd BTCCTL=/path/btcctl GG_BIN=./bin scripts/bench-client.sh
#   GG_BIN=./bin GG_BIN_BASE=/tmp/old-bin scripts/bench-client.sh
#
# With perf installed (PERF=0 turns it off), each round also counts the
# page faults of CALLS more calls of each client (perf stat -r; not in
# the timed batches): on a VM a page fault costs ~20 µs and start-up is
# mostly page faults, a figure steadier than times under load.
#
# GG_BIN_BASE names a second build's gg-node and gg-wallet (an earlier
# commit's, say), timed in the same rounds against the same daemon:
# before and after, interleaved.
#
# Without BTCD and BTCCTL it installs btcd and btcctl v0.24.2 with
# `go install ...@v0.24.2` (the Go module proxy, or the module cache) into
# $CACHE (default ~/.cache/gg-bench). Without GG_BIN it builds gg-node and
# gg-wallet from this tree into a scratch directory, with make build's tags.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
CALLS=${CALLS:-50}
GO=${GO:-go}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gg-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-client.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

if [[ -z ${BTCD:-} || -z ${BTCCTL:-} ]]; then
	if [[ ! -x $CACHE/btcd-v0.24.2/btcd || ! -x $CACHE/btcd-v0.24.2/btcctl ]]; then
		echo "bench-client: installing btcd and btcctl v0.24.2 into $CACHE/btcd-v0.24.2" >&2
		mkdir -p "$CACHE/btcd-v0.24.2"
		(cd "$work" && GOBIN="$CACHE/btcd-v0.24.2" GOFLAGS= "$GO" install \
			github.com/btcsuite/btcd@v0.24.2 github.com/btcsuite/btcd/cmd/btcctl@v0.24.2)
	fi
	BTCD=$CACHE/btcd-v0.24.2/btcd BTCCTL=$CACHE/btcd-v0.24.2/btcctl
fi
if [[ -z ${GG_BIN:-} ]]; then
	GG_BIN=$work/bin
	(cd "$ROOT" && "$GO" build -tags "${TAGS:-urfave_cli_no_docs netgo osusergo}" -o "$GG_BIN/" ./cmd/gg-node ./cmd/gg-wallet)
fi

# A free port on loopback, for btcd (which does not report the one it got).
freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

waitfor() { # waitfor WHAT CMD...: until CMD succeeds, at most 30 s
	local what=$1
	shift
	for _ in $(seq 300); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	echo "bench-client: $what did not start" >&2
	exit 1
}

# btcd, regtest, RPC without TLS on loopback.
bport=$(freeport)
"$BTCD" --regtest --datadir="$work/btcd/data" --logdir="$work/btcd/logs" --configfile=/dev/null \
	--rpcuser=bench --rpcpass=bench --rpclisten="127.0.0.1:$bport" --notls \
	--listen="127.0.0.1:$(freeport)" --nodnsseed >"$work/btcd.out" 2>&1 &
pids+=($!)
: >"$work/btcctl.conf"
btcctl=("$BTCCTL" --configfile="$work/btcctl.conf" --regtest --notls -u bench -P bench -s "127.0.0.1:$bport" getblockcount)
waitfor btcd "${btcctl[@]}"

# gg-node, regtest, with a wallet for gg-wallet balance.
gd=$work/gg
mkdir -p "$gd"
"$GG_BIN/gg-node" --network=regtest --datadir="$gd" --rpc-listen=127.0.0.1:0 --listen=127.0.0.1:0 >"$work/gg.out" 2>&1 &
pids+=($!)
waitfor gg-node test -s "$gd/rpc.addr"
ggnode=("$GG_BIN/gg-node" --network=regtest --datadir="$gd" rpc getblockcount)
ggwallet=("$GG_BIN/gg-wallet" --network=regtest --datadir="$gd" balance)
waitfor gg-node "${ggnode[@]}"
echo bench >"$work/pass"
"$GG_BIN/gg-wallet" --network=regtest --datadir="$gd" create --passphrase-file "$work/pass" >/dev/null 2>&1
"${ggwallet[@]}" >/dev/null

# batch NAME CMD...: run CMD CALLS times; append "wall cpu" (ms per call).
batch() {
	local name=$1 t
	shift
	t=$( { TIMEFORMAT='%R %U %S'; time (for ((i = 0; i < CALLS; i++)); do "$@" >/dev/null; done); } 2>&1)
	awk -v n="$CALLS" '{printf "%.3f %.3f\n", $1 * 1000 / n, ($2 + $3) * 1000 / n}' <<<"$t" >>"$work/$name.times"
}

# pfault NAME CMD...: append the page faults per call of CMD (mean of
# CALLS runs, perf stat) when perf counts them.
usepf=0
if [[ ${PERF:-1} != 0 ]] && perf stat -x, -e page-faults true >/dev/null 2>&1; then
	usepf=1
fi
pfault() {
	local name=$1
	shift
	((usepf)) || return 0
	perf stat -x, -r "$CALLS" -e page-faults "$@" 2>&1 >/dev/null | awk -F, '/page-faults/ {print $1}' >>"$work/$name.faults"
}

names=(btcctl gg-node-rpc gg-wallet-balance)
if [[ -n ${GG_BIN_BASE:-} ]]; then
	names+=(base-gg-node-rpc base-gg-wallet-balance)
	basenode=("$GG_BIN_BASE/gg-node" "${ggnode[@]:1}")
	basewallet=("$GG_BIN_BASE/gg-wallet" "${ggwallet[@]:1}")
	"${basenode[@]}" >/dev/null
	"${basewallet[@]}" >/dev/null
fi
for ((r = 1; r <= ROUNDS; r++)); do
	batch btcctl "${btcctl[@]}"
	batch gg-node-rpc "${ggnode[@]}"
	batch gg-wallet-balance "${ggwallet[@]}"
	if [[ -n ${GG_BIN_BASE:-} ]]; then
		batch base-gg-node-rpc "${basenode[@]}"
		batch base-gg-wallet-balance "${basewallet[@]}"
	fi
	pfault btcctl "${btcctl[@]}"
	pfault gg-node-rpc "${ggnode[@]}"
	pfault gg-wallet-balance "${ggwallet[@]}"
	if [[ -n ${GG_BIN_BASE:-} ]]; then
		pfault base-gg-node-rpc "${basenode[@]}"
		pfault base-gg-wallet-balance "${basewallet[@]}"
	fi
	echo "bench-client: round $r/$ROUNDS done" >&2
done

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

printf '%-24s %12s %12s %10s %10s %12s %10s\n' client wall-ms/call cpu-ms/call "wall/btcctl" "cpu/btcctl" faults/call "pf/btcctl"
bw=$(cut -d' ' -f1 "$work/btcctl.times" | median)
bc=$(cut -d' ' -f2 "$work/btcctl.times" | median)
bf=0
((usepf)) && bf=$(median <"$work/btcctl.faults")
for n in "${names[@]}"; do
	w=$(cut -d' ' -f1 "$work/$n.times" | median)
	c=$(cut -d' ' -f2 "$work/$n.times" | median)
	f=0
	((usepf)) && f=$(median <"$work/$n.faults")
	awk -v n="$n" -v w="$w" -v c="$c" -v bw="$bw" -v bc="$bc" -v f="$f" -v bf="$bf" \
		'BEGIN {printf "%-24s %12.2f %12.2f %10.2f %10.2f", n, w, c, w / bw, c / bc
		if (bf > 0) printf " %12.0f %10.2f", f, f / bf
		else printf " %12s %10s", "-", "-"
		printf "\n"}'
done
echo "($ROUNDS rounds of $CALLS calls each, interleaved; medians; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
