# gg-miner fish shell completion

function __fish_gg-miner_no_subcommand --description 'Test if there has been any subcommand yet'
    for i in (commandline -opc)
        if contains -- $i
            return 1
        end
    end
    return 0
end

complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l network -r -d 'network: main, testnet or regtest'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l datadir -r -d 'data directory (default ~/.gg/<network>)'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l rpc-url -r -d 'node RPC URL (default from the datadir)'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l rpc-pass-file -r -d 'read the node\'s RPC password (or user:password) from `FILE`, for a --rpc-url without one (or GG_RPC_PASS)'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l json -d 'print JSON instead of text'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l log-level -r -d 'log level: debug, info, warn, error (debug also shows an error\'s original wording)'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l jq -r -d 'print what the jq `EXPR` yields for the JSON result (strings raw; implies --json)'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l fields -r -d 'keep only the top-level `KEYS` (comma-separated) of the JSON result (implies --json)'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l wide -d 'print tables whole: ids and addresses uncut'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l url -r -d 'Stratum server: stratum+tcp://HOST:PORT'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l user -r -d 'Stratum worker name'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l pass -r -d 'Stratum worker password (GG_MINER_PASS keeps it out of ps)'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l threads -r -d 'hashing threads (0: one per CPU)'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l gbt -d 'mine solo through the node\'s getblocktemplate and submitblock'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l coinbase-addr -r -d 'with --gbt: the address the coinbase pays'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l benchmark -d 'hash without a server and print H/s per thread and in total'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l duration -r -d 'with --benchmark: how long to hash'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l status-every -r -d 'how often a status is logged (or printed as JSON); a terminal\'s status line is redrawn every second'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l retry-max -r -d 'longest wait between reconnects to the Stratum server'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l help -s h -d 'show help'
complete -c gg-miner -n '__fish_gg-miner_no_subcommand' -f -l version -s v -d 'print the version'
