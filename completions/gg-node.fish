# gg-node fish shell completion

function __fish_gg-node_no_subcommand --description 'Test if there has been any subcommand yet'
    for i in (commandline -opc)
        if contains -- $i rpc config
            return 1
        end
    end
    return 0
end

complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l network -r -d 'network: main, testnet or regtest'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l datadir -r -d 'data directory (default ~/.gg/<network>)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-url -r -d 'node RPC URL (default from the datadir)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l json -d 'print JSON instead of text'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l log-level -r -d 'log level: debug, info, warn, error'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-listen -r -d 'RPC listen `ADDR` (default 127.0.0.1:<network RPC port>)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpcauth -r -d 'RPC user `NAME:SALT$HASH` (bitcoind rpcauth form; repeatable)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-max-request -r -d 'largest RPC request body in `BYTES`'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-max-inflight -r -d 'RPC request-body `BYTES` held at once by all requests (503 beyond; at least --rpc-max-request)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-max-conns -r -d 'open RPC connections at most (`N`; 503 beyond)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-max-conns-per-ip -r -d 'open RPC connections from one address at most (`N`)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-read-header-timeout -r -d 'time to read an RPC request\'s headers (`DURATION`)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-read-timeout -r -d 'time to read a whole RPC request, body included (`DURATION`)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-write-timeout -r -d 'time to write an RPC reply once the call is done (`DURATION`)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-idle-timeout -r -d 'time an idle keep-alive RPC connection stays open (`DURATION`)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-auth-failures -r -d 'failed RPC logins from one address before it must wait (`N`; -1: no limit)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-auth-backoff -r -d 'first wait after --rpc-auth-failures, doubled at each further failure up to 5 min or this (`DURATION`)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l mine-address -r -d 'default payout `ADDRESS` of miner.generate (regtest)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l no-wallet -d 'do not host the wallet (<datadir>/wallet.db; see gg-wallet)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l maxmempool -r -d 'cap the mempool\'s memory at `MB` megabytes (estimated; sale listings apart)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l mempool-save-every -r -d 'write <datadir>/mempool.dat every `DURATION` while it changes (0: only on shutdown and mempool.save)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l p2p -d 'take part in the peer-to-peer network (false: a node on its own, RPC only)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l listen -r -d 'accept peers on `ADDR` (host:port; repeatable; default 0.0.0.0:<network P2P port>, 127.0.0.1:<port> on regtest; "" for none)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l connect -r -d 'connect only to `ADDR` (host:port; repeatable): no other outbound peers'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l addnode -r -d 'keep a connection to `ADDR` (host:port; repeatable) besides the automatic ones'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l seednode -r -d 'learn peers from `ADDR` (host:port; repeatable)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l max-peers -r -d 'connections at most (`N`), 8 of them automatic outbound'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l proxy -r -d 'SOCKS5 proxy `ADDR` (host:port) for outbound peer connections'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l reindex -d 'rebuild the UTXO set, undo data and game registries from the stored blocks, validating them again, then run (a one-off: keep it out of gg.toml)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l help -s h -d 'show help'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l version -s v -d 'print the version'
complete -c gg-node -n '__fish_seen_subcommand_from rpc' -f -l help -s h -d 'show help'
complete -r -c gg-node -n '__fish_gg-node_no_subcommand' -a 'rpc' -d 'call a node RPC method (bitcoin-cli style)'
complete -c gg-node -n '__fish_seen_subcommand_from rpc' -f -l passphrase-file -r -d 'read the passphrase of wallet.create, wallet.exportmnemonic, wallet.import, wallet.unlock, walletpassphrase from `FILE` (\'-\': stdin)'
complete -c gg-node -n '__fish_seen_subcommand_from rpc' -f -l backup-passphrase-file -r -d 'read the backup passphrase of wallet.backup, wallet.import from `FILE` (\'-\': stdin)'
complete -c gg-node -n '__fish_seen_subcommand_from rpc' -f -l mnemonic-file -r -d 'read the mnemonic of wallet.create from `FILE` (\'-\': stdin)'
complete -c gg-node -n '__fish_seen_subcommand_from rpc' -f -l key-file -r -d 'read the WIF key of importprivkey, key.import.private from `FILE` (\'-\': stdin)'
complete -c gg-node -n '__fish_seen_subcommand_from rpc' -f -l secret-file -r -d 'read the secret (hex) of contract.execute from `FILE` (\'-\': stdin)'
complete -c gg-node -n '__fish_seen_subcommand_from config' -f -l help -s h -d 'show help'
complete -r -c gg-node -n '__fish_gg-node_no_subcommand' -a 'config' -d 'print the effective configuration as TOML'
