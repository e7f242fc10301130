# gg-console fish shell completion

function __fish_gg-console_no_subcommand --description 'Test if there has been any subcommand yet'
    for i in (commandline -opc)
        if contains -- $i snapshot
            return 1
        end
    end
    return 0
end

complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l network -r -d 'network: main, testnet or regtest'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l datadir -r -d 'data directory (default ~/.gg/<network>)'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l rpc-url -r -d 'node RPC URL (default from the datadir)'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l rpc-pass-file -r -d 'read the node\'s RPC password (or user:password) from `FILE`, for a --rpc-url without one (or GG_RPC_PASS)'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l json -d 'print JSON instead of text'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l log-level -r -d 'log level: debug, info, warn, error (debug also shows an error\'s original wording)'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l jq -r -d 'print what the jq `EXPR` yields for the JSON result (strings raw; implies --json)'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l fields -r -d 'keep only the top-level `KEYS` (comma-separated) of the JSON result (implies --json)'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l wide -d 'print tables whole: ids and addresses uncut'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l once -r -d 'print one `PAGE`\'s data and exit (a table on a terminal, JSON when piped or with --json)'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l page -r -d 'the `PAGE` shown first'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l poll -r -d 'how often a node without events is polled'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l no-events -d 'poll the node instead of following its WebSocket events'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l help -s h -d 'show help'
complete -c gg-console -n '__fish_gg-console_no_subcommand' -f -l version -s v -d 'print the version'
complete -c gg-console -n '__fish_seen_subcommand_from snapshot' -f -l help -s h -d 'show help'
complete -r -c gg-console -n '__fish_gg-console_no_subcommand' -a 'snapshot' -d 'print one PAGE\'s data and exit, as --once PAGE'
