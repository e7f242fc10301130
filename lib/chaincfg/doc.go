// Package chaincfg defines the parameters of each GameGold network (main,
// testnet, regtest): message magic, genesis block, ports, address prefixes,
// BIP32 version bytes, subsidy schedule, difficulty retargeting, coinbase
// maturity and the game-layer periods.
//
// Every network activates Bitcoin's soft forks (BIP16 P2SH, BIP34 height in
// coinbase, BIP65 CLTV, BIP66 strict DER, BIP68/112/113 relative locks and
// median-time-past, BIP141/143/147 segregated witness) from its first block;
// there are no activation heights.
//
// Genesis blocks are made by Genesis (see genesis.go for the procedure) and
// their hashes are pinned as constants; a test rebuilds and checks them.
package chaincfg
