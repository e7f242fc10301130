# gg-contract fish shell completion

function __fish_gg-contract_no_subcommand --description 'Test if there has been any subcommand yet'
    for i in (commandline -opc)
        if contains -- $i key publish sign fulfil execute withdraw show list mine
            return 1
        end
    end
    return 0
end

complete -c gg-contract -n '__fish_gg-contract_no_subcommand' -f -l network -r -d 'network: main, testnet or regtest'
complete -c gg-contract -n '__fish_gg-contract_no_subcommand' -f -l datadir -r -d 'data directory (default ~/.gg/<network>)'
complete -c gg-contract -n '__fish_gg-contract_no_subcommand' -f -l rpc-url -r -d 'node RPC URL (default from the datadir)'
complete -c gg-contract -n '__fish_gg-contract_no_subcommand' -f -l json -d 'print JSON instead of text'
complete -c gg-contract -n '__fish_gg-contract_no_subcommand' -f -l log-level -r -d 'log level: debug, info, warn, error'
complete -c gg-contract -n '__fish_gg-contract_no_subcommand' -f -l help -s h -d 'show help'
complete -c gg-contract -n '__fish_gg-contract_no_subcommand' -f -l version -s v -d 'print the version'
complete -c gg-contract -n '__fish_seen_subcommand_from key' -f -l help -s h -d 'show help'
complete -r -c gg-contract -n '__fish_gg-contract_no_subcommand' -a 'key' -d 'print the account\'s contract public key, to hand to the other party'
complete -c gg-contract -n '__fish_seen_subcommand_from key' -f -l account -r -d 'wallet `ACCOUNT` (the party\'s)'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l help -s h -d 'show help'
complete -r -c gg-contract -n '__fish_gg-contract_no_subcommand' -a 'publish' -d 'publish an offer as party A (into the node\'s contract book; A\'s coins are reserved)'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l stake -r -d '`GG` A stakes'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l prop -r -d 'a prop `ID` A gives (repeat)'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l pay -r -d '`GG` B pays A on chain at fulfil (with no hash lock: a swap)'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l want-prop -r -d 'a prop `ID` B gives A on chain at fulfil (repeat)'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l memo -r -d 'off-chain counter-performance, free `TEXT`'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l hash -r -d 'hash lock: sha256 of the secret, 64 `HEX` digits'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l secret-file -r -d 'hash lock from the secret in `FILE` (hex)'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l new-secret -r -d 'generate a secret into a new `FILE` (0600) and lock with its hash (inside a git work tree: a path such as ./FILE)'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l expiry -r -d 'expiry `HEIGHT`: fulfil and claim below it, refund from it'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l expires-in -r -d 'expiry as `BLOCKS` above the tip'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l nonce -r -d 'freshness `N` (default random)'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l account -r -d 'wallet `ACCOUNT` (the party\'s)'
complete -c gg-contract -n '__fish_seen_subcommand_from publish' -f -l dry-run -d 'print the signed transaction\'s hex instead of broadcasting it'
complete -c gg-contract -n '__fish_seen_subcommand_from sign' -f -l help -s h -d 'show help'
complete -r -c gg-contract -n '__fish_gg-contract_no_subcommand' -a 'sign' -d 'accept an offer as party B (its b_key must be the account\'s contract key)'
complete -c gg-contract -n '__fish_seen_subcommand_from sign' -f -l account -r -d 'wallet `ACCOUNT` (the party\'s)'
complete -c gg-contract -n '__fish_seen_subcommand_from fulfil' -f -l help -s h -d 'show help'
complete -r -c gg-contract -n '__fish_gg-contract_no_subcommand' -a 'fulfil' -d 'fulfil a signed offer as party B: add B\'s inputs and broadcast (the contract goes on chain)'
complete -c gg-contract -n '__fish_seen_subcommand_from fulfil' -f -l account -r -d 'wallet `ACCOUNT` (the party\'s)'
complete -c gg-contract -n '__fish_seen_subcommand_from fulfil' -f -l dry-run -d 'print the signed transaction\'s hex instead of broadcasting it'
complete -c gg-contract -n '__fish_seen_subcommand_from execute' -f -l help -s h -d 'show help'
complete -r -c gg-contract -n '__fish_gg-contract_no_subcommand' -a 'execute' -d 'settle a fulfilled escrow: claim (B, with the secret), refund (A, from expiry) or coop (both)'
complete -c gg-contract -n '__fish_seen_subcommand_from execute' -f -l secret-file -r -d 'the secret (hex) in `FILE` (claim)'
complete -c gg-contract -n '__fish_seen_subcommand_from execute' -f -l hex -r -d 'the other party\'s half-signed coop settlement `HEX` (- reads stdin)'
complete -c gg-contract -n '__fish_seen_subcommand_from execute' -f -l address -r -d '`ADDR` receiving the escrow (default a new address of the account)'
complete -c gg-contract -n '__fish_seen_subcommand_from execute' -f -l account -r -d 'wallet `ACCOUNT` (the party\'s)'
complete -c gg-contract -n '__fish_seen_subcommand_from execute' -f -l dry-run -d 'print the signed transaction\'s hex instead of broadcasting it'
complete -c gg-contract -n '__fish_seen_subcommand_from withdraw' -f -l help -s h -d 'show help'
complete -r -c gg-contract -n '__fish_gg-contract_no_subcommand' -a 'withdraw' -d 'withdraw an offer as party A before it is fulfilled; its coins are released'
complete -c gg-contract -n '__fish_seen_subcommand_from withdraw' -f -l account -r -d 'wallet `ACCOUNT` (the party\'s)'
complete -c gg-contract -n '__fish_seen_subcommand_from show' -f -l help -s h -d 'show help'
complete -r -c gg-contract -n '__fish_gg-contract_no_subcommand' -a 'show' -d 'show a contract: its book offer or its on-chain record'
complete -c gg-contract -n '__fish_seen_subcommand_from list' -f -l help -s h -d 'show help'
complete -r -c gg-contract -n '__fish_gg-contract_no_subcommand' -a 'list' -d 'the book\'s offers (the market), by state and party key'
complete -c gg-contract -n '__fish_seen_subcommand_from list' -f -l state -r -d 'published or signed'
complete -c gg-contract -n '__fish_seen_subcommand_from list' -f -l key -r -d 'a party\'s contract `KEY`'
complete -c gg-contract -n '__fish_seen_subcommand_from list' -f -l skip -r
complete -c gg-contract -n '__fish_seen_subcommand_from list' -f -l count -r
complete -c gg-contract -n '__fish_seen_subcommand_from mine' -f -l help -s h -d 'show help'
complete -r -c gg-contract -n '__fish_gg-contract_no_subcommand' -a 'mine' -d 'the contracts the wallet is party to, with their states'
complete -c gg-contract -n '__fish_seen_subcommand_from mine' -f -l account -r -d 'wallet `ACCOUNT` (the party\'s)'
