#!/usr/bin/env bash
# Crafts a breach on a regtest bitcoind for BitcoindRegtestExample, and prints the line to type
# into it. Needs bitcoin-cli (Bitcoin Core 22 or later) and jq.
#
#   the "revoked commitment": a wallet payment of 1 BTC to a fresh address, published and mined,
#     as a cheater's commitment would be;
#   the "penalty": a transaction spending that output back to the wallet, signed but NOT
#     broadcast: getting it mined is the Responder's job.
#
# Set BITCOIN_CLI to reach another node, e.g. BITCOIN_CLI="bitcoin-cli -regtest -datadir=$HOME/regtest".
set -euo pipefail

CLI=${BITCOIN_CLI:-bitcoin-cli -regtest}
WALLET_NAME=responder-demo
node() { $CLI "$@"; }
wallet() { $CLI -rpcwallet="$WALLET_NAME" "$@"; }

# load_on_startup: bitcoind loads the wallet again when it restarts, so the README's bitcoin-cli
# -rpcwallet commands keep working after a node restart.
node -named createwallet wallet_name="$WALLET_NAME" load_on_startup=true >/dev/null 2>&1 \
  || node -named loadwallet filename="$WALLET_NAME" load_on_startup=true >/dev/null 2>&1 || true

if awk "BEGIN { exit !($(wallet getbalance) < 2) }"; then
  wallet generatetoaddress 101 "$(wallet getnewaddress)" >/dev/null   # coinbase needs 100 blocks to mature
fi

CHANNEL=$(wallet getnewaddress)
DISPUTE_TXID=$(wallet sendtoaddress "$CHANNEL" 1)
DISPUTE_HEX=$(wallet gettransaction "$DISPUTE_TXID" | jq -r .hex)
BLOCK=$(wallet generatetoaddress 1 "$(wallet getnewaddress)" | jq -r '.[0]')

VOUT=$(node decoderawtransaction "$DISPUTE_HEX" \
  | jq --arg a "$CHANNEL" '.vout[] | select(.scriptPubKey.address == $a) | .n')
SWEEP=$(wallet getnewaddress)
UNSIGNED=$(node createrawtransaction "[{\"txid\":\"$DISPUTE_TXID\",\"vout\":$VOUT}]" "{\"$SWEEP\":0.9999}")
PENALTY_HEX=$(wallet signrawtransactionwithwallet "$UNSIGNED" | jq -r .hex)
PENALTY_TXID=$(node decoderawtransaction "$PENALTY_HEX" | jq -r .txid)

echo "breach $DISPUTE_TXID $DISPUTE_HEX $PENALTY_TXID $PENALTY_HEX $BLOCK"
