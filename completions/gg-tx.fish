# gg-tx fish shell completion

function __fish_gg-tx_no_subcommand --description 'Test if there has been any subcommand yet'
    for i in (commandline -opc)
        if contains -- $i create decode id sign send key new address
            return 1
        end
    end
    return 0
end

complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l network -r -d 'network: main, testnet or regtest'
complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l datadir -r -d 'data directory (default ~/.gg/<network>)'
complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l rpc-url -r -d 'node RPC URL (default from the datadir)'
complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l rpc-pass-file -r -d 'read the node\'s RPC password (or user:password) from `FILE`, for a --rpc-url without one (or GG_RPC_PASS)'
complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l json -d 'print JSON instead of text'
complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l log-level -r -d 'log level: debug, info, warn, error (debug also shows an error\'s original wording)'
complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l jq -r -d 'print what the jq `EXPR` yields for the JSON result (strings raw; implies --json)'
complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l fields -r -d 'keep only the top-level `KEYS` (comma-separated) of the JSON result (implies --json)'
complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l wide -d 'print tables whole: ids and addresses uncut'
complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l help -s h -d 'show help'
complete -c gg-tx -n '__fish_gg-tx_no_subcommand' -f -l version -s v -d 'print the version'
complete -c gg-tx -n '__fish_seen_subcommand_from create' -f -l help -s h -d 'show help'
complete -r -c gg-tx -n '__fish_gg-tx_no_subcommand' -a 'create' -d 'build an unsigned transaction'
complete -c gg-tx -n '__fish_seen_subcommand_from create' -f -l in -r -d 'input `TXID:VOUT[:SEQUENCE]` (repeatable)'
complete -c gg-tx -n '__fish_seen_subcommand_from create' -f -l out -r -d 'output `ADDR=AMOUNT` or data=HEX (repeatable)'
complete -c gg-tx -n '__fish_seen_subcommand_from create' -f -l version -r -d 'transaction version'
complete -c gg-tx -n '__fish_seen_subcommand_from create' -f -l locktime -r -d 'lock time: a height (< 500000000) or a unix time'
complete -c gg-tx -n '__fish_seen_subcommand_from create' -f -l sequence -r -d 'default sequence for inputs without one'
complete -c gg-tx -n '__fish_seen_subcommand_from decode' -f -l help -s h -d 'show help'
complete -r -c gg-tx -n '__fish_gg-tx_no_subcommand' -a 'decode' -d 'print a transaction as JSON'
complete -c gg-tx -n '__fish_seen_subcommand_from id' -f -l help -s h -d 'show help'
complete -r -c gg-tx -n '__fish_gg-tx_no_subcommand' -a 'id' -d 'print a transaction\'s txid (--json adds the wtxid)'
complete -c gg-tx -n '__fish_seen_subcommand_from sign' -f -l help -s h -d 'show help'
complete -r -c gg-tx -n '__fish_gg-tx_no_subcommand' -a 'sign' -d 'sign a transaction\'s inputs with explicit keys'
complete -c gg-tx -n '__fish_seen_subcommand_from sign' -f -l key-file -r -d '`FILE` of WIF keys, one per line (\'-\': stdin; repeatable)'
complete -c gg-tx -n '__fish_seen_subcommand_from sign' -f -l key -r -d 'private key in `WIF` (repeatable; visible to other users in ps: prefer --key-file)'
complete -c gg-tx -n '__fish_seen_subcommand_from sign' -f -l prevout -r -d 'spent output `TXID:VOUT:AMOUNT:SCRIPTHEX` (repeatable)'
complete -c gg-tx -n '__fish_seen_subcommand_from sign' -f -l prevouts -r -d 'JSON `FILE`: [{txid,vout,amount,scriptPubKey,redeemScript?,witnessScript?}]'
complete -c gg-tx -n '__fish_seen_subcommand_from sign' -f -l redeem-script -r -d 'P2SH redeem or P2WSH witness script `HEX` (repeatable)'
complete -c gg-tx -n '__fish_seen_subcommand_from sign' -f -l sighash -r -d 'ALL, NONE or SINGLE, optionally |ANYONECANPAY'
complete -c gg-tx -n '__fish_seen_subcommand_from sign' -f -l lookup -d 'look up spent outputs not given by --prevout/--prevouts on the node (gettxout: mempool, then confirmed)'
complete -c gg-tx -n '__fish_seen_subcommand_from send' -f -l help -s h -d 'show help'
complete -r -c gg-tx -n '__fish_gg-tx_no_subcommand' -a 'send' -d 'broadcast a signed transaction through gg-node and print its txid'
complete -c gg-tx -n '__fish_seen_subcommand_from key' -f -l help -s h -d 'show help'
complete -r -c gg-tx -n '__fish_gg-tx_no_subcommand' -a 'key' -d 'create keys and derive their addresses'
complete -c gg-tx -n '__fish_seen_subcommand_from new' -f -l help -s h -d 'show help'
complete -r -c gg-tx -n '__fish_seen_subcommand_from key' -a 'new' -d 'print a new private key (WIF), or write it into a new file and print its address; --json adds address and public key'
complete -c gg-tx -n '__fish_seen_subcommand_from new' -f -l type -r -d 'address type: p2wpkh, p2pkh or p2sh-p2wpkh'
complete -c gg-tx -n '__fish_seen_subcommand_from new' -f -l out -r -d 'write the key into a new `FILE` (mode 0600) and print its address'
complete -c gg-tx -n '__fish_seen_subcommand_from address' -f -l help -s h -d 'show help'
complete -r -c gg-tx -n '__fish_seen_subcommand_from key' -a 'address' -d 'print the address of a WIF key (key file, stdin or argument)'
complete -c gg-tx -n '__fish_seen_subcommand_from address' -f -l type -r -d 'address type: p2wpkh, p2pkh or p2sh-p2wpkh'
complete -c gg-tx -n '__fish_seen_subcommand_from address' -f -l key-file -r -d 'read the key from `FILE` (its first key; \'-\': stdin)'
