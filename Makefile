# GameGold in Go — thin, self-documenting Makefile. `make help` lists targets.
SHELL      := /bin/bash
GO         ?= go
export GOTOOLCHAIN ?= local
BIN        := bin
DATADIR    ?= $(CURDIR)/.regtest
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS    := -X github.com/gamegold/gg/lib/version.Version=$(VERSION)
CMDS       := $(notdir $(wildcard cmd/gg-*))
FUZZTIME   ?= 30s
BENCHTIME  ?= 1s
PKGS_RACE  := ./lib/script/... ./lib/chain/... ./lib/mempool/... ./lib/mining/... ./lib/store/... ./lib/rpc/... ./lib/node/... ./lib/wallet/... ./lib/p2p/... ./lib/netsync/...

.PHONY: help build run devnet test test-race test-32bit bench bench-p2p fuzz lint fmt install clean clean-regtest

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build all binaries into ./bin
	@mkdir -p $(BIN)
	@for c in $(CMDS); do $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/$$c ./cmd/$$c || exit 1; done
	@echo "built: $(CMDS)"

run: build ## build and start a regtest node in ./.regtest (Ctrl-C stops it)
	@mkdir -p $(DATADIR)
	@echo "gg-node: regtest datadir $(DATADIR); stop with Ctrl-C"
	@echo "  try, in another shell: $(BIN)/gg-node --network=regtest --datadir=$(DATADIR) rpc getblockchaininfo"
	$(BIN)/gg-node --network=regtest --datadir=$(DATADIR)

DEVNET     ?= $(CURDIR)/.devnet
DEVNET_PORT ?= 2300

devnet: build ## three connected regtest nodes on loopback (.devnet/a, b, c; P2P ports 2300/2310/2320, RPC +2); Ctrl-C stops them all
	@mkdir -p $(DEVNET)/a $(DEVNET)/b $(DEVNET)/c
	@echo "devnet: nodes a, b, c in $(DEVNET); Ctrl-C stops them all"
	@echo "  try: $(BIN)/gg-node --network=regtest --datadir=$(DEVNET)/a rpc getpeerinfo"
	@trap 'kill 0' INT TERM; \
	p=$(DEVNET_PORT); \
	$(BIN)/gg-node --network=regtest --datadir=$(DEVNET)/a --listen=127.0.0.1:$$p --rpc-listen=127.0.0.1:$$((p+2)) & \
	$(BIN)/gg-node --network=regtest --datadir=$(DEVNET)/b --listen=127.0.0.1:$$((p+10)) --rpc-listen=127.0.0.1:$$((p+12)) --addnode=127.0.0.1:$$p & \
	$(BIN)/gg-node --network=regtest --datadir=$(DEVNET)/c --listen=127.0.0.1:$$((p+20)) --rpc-listen=127.0.0.1:$$((p+22)) --addnode=127.0.0.1:$$p --addnode=127.0.0.1:$$((p+10)) & \
	wait

test: ## vet, the default (short) test suite, then the race detector on the concurrent packages where cgo and a C compiler exist
	$(GO) vet ./...
	$(GO) test -short -count=1 -timeout 15m ./...
	@cgo=$$($(GO) env CGO_ENABLED); set -- $$($(GO) env CC); \
	if [ "$$cgo" = 1 ] && command -v "$$1" >/dev/null 2>&1; then \
	  echo '$(GO) test -short -race -count=1 -timeout 15m $(PKGS_RACE)'; \
	  $(GO) test -short -race -count=1 -timeout 15m $(PKGS_RACE); \
	else \
	  echo "make test: race stage skipped: the race detector needs cgo and a C compiler (CGO_ENABLED=$$cgo, CC=$${1:-none} $$(command -v "$$1" >/dev/null 2>&1 && echo found || echo 'not found'))"; \
	fi

test-race: ## run the concurrent packages under the race detector
	$(GO) test -short -race -count=1 $(PKGS_RACE)

bench: ## run the benchmarks (block connect, mempool acceptance, script, templates)
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 60m ./lib/...

bench-p2p: ## the network benchmarks: sync of 2,000 blocks from 1 and 3 peers, of 100 blocks of 2,000 signed txs (tx/s, peak RSS), compact block relay (bytes)
	$(GO) test -run '^$$' -bench 'P2PSync|CompactBlockRelay' -benchtime 3x -timeout 30m ./lib/node
	$(GO) test -run '^$$' -bench 'ConnectBlock$$' -benchtime 10x ./lib/chain

fuzz: ## run every fuzz target for FUZZTIME each (default 30s)
	@set -e; for pkg in $$($(GO) list ./lib/...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s $$pkg; \
	  done; done

lint: ## gofmt check and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

fmt: ## format all Go files
	gofmt -w $$(git ls-files '*.go')

install: ## install the binaries into GOBIN
	@for c in $(CMDS); do $(GO) install -ldflags '$(LDFLAGS)' ./cmd/$$c || exit 1; done

clean: ## remove the build output (./bin); the regtest datadir stays (see clean-regtest)
	rm -rf $(BIN)

# The node's files in DATADIR; wallet.db and the user's own files there
# (passphrase, keys, secrets) go only with FORCE=1, which removes it all.
REGTEST_CHAIN := chain.db mempool.dat contracts.dat peers.json banlist.json rpc.addr .cookie p2p.addr public.addr

clean-regtest: ## remove the regtest chain data in DATADIR (stop the node first); keeps wallet.db unless FORCE=1
	@if [ "$(FORCE)" = 1 ]; then rm -rf '$(DATADIR)'; echo "removed $(DATADIR), wallet.db included"; exit 0; fi; \
	cd '$(DATADIR)' 2>/dev/null || exit 0; rm -f $(REGTEST_CHAIN); \
	echo "removed the regtest chain data in $(DATADIR)"; \
	if [ -e wallet.db ]; then echo "kept $(DATADIR)/wallet.db and your files there (make clean-regtest FORCE=1 removes them too)"; fi

PKGS_32BIT := ./lib/chainhash/... ./lib/sha256d/... ./lib/amount/... ./lib/wire/... ./lib/chaincfg/... ./lib/script/... ./lib/game/... ./lib/chain/... ./lib/mempool/... ./lib/address/... ./lib/keys/... ./lib/p2p/... ./lib/netsync/...
QEMU_ARM   ?= qemu-arm

test-32bit: ## the consensus and P2P packages' tests built for 32-bit ARM and run under qemu-user (Debian: qemu-user)
	@command -v $(QEMU_ARM) >/dev/null || { echo "test-32bit: $(QEMU_ARM) not found (apt-get install qemu-user)"; exit 1; }
	GOARCH=arm GOARM=7 GG_TEST_EXEC=$(QEMU_ARM) $(GO) test -short -count=1 -timeout 20m -exec $(QEMU_ARM) $(PKGS_32BIT)
