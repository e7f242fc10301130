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
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l log-level -r -d 'log level: debug, info, warn, error (debug also shows an error\'s original wording)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l jq -r -d 'print what the jq `EXPR` yields for the JSON result (strings raw; implies --json)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l fields -r -d 'keep only the top-level `KEYS` (comma-separated) of the JSON result (implies --json)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l wide -d 'print tables whole: ids and addresses uncut'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-listen -r -d 'RPC listen `ADDR` (default 127.0.0.1:<network RPC port>)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpcauth -r -d 'RPC user `NAME:SALT$HASH` (bitcoind rpcauth form; repeatable)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l rpc-max-request -r -d 'largest RPC request body in `BYTES`'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l mine-address -r -d 'default payout `ADDRESS` of miner.generate (regtest)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l no-wallet -d 'do not host the wallet (<datadir>/wallet.db; see gg-wallet)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l maxmempool -r -d 'cap the mempool\'s memory at `MB` megabytes (estimated; sale listings apart)'
complete -c gg-node -n '__fish_gg-node_no_subcommand' -f -l mempool-save-every -r -d 'write <datadir>/mempool.dat every `DURATION` while it changes (0: only on shutdown and mempool.save)'
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
