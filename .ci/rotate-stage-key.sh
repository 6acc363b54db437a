#!/usr/bin/env bash
# rotate-stage-key.sh — set up or rotate the key pair that signs stage
# participant tokens when the stack runs with StageTokenSigning=self
# (docs/stages.md, "Rotating the signing key").
#
#   .ci/rotate-stage-key.sh rotate STACK
#       1. generates a new P-384 (secp384r1) key pair with openssl;
#       2. imports its public half into IVS (ivs-realtime import-public-key,
#          tagged project=STACK);
#       3. writes {"privateKeyPem", "publicKeyArn"} to the stack's signing-key
#          secret (put-secret-value): key and key id change together, so no
#          function ever signs with one and names the other;
#       4. updates the stack parameter StagePublicKeyArn (same template, every
#          other parameter unchanged), which also restarts every function's
#          execution environments, so none keeps signing with the old key;
#       5. prints the old public key and when it may be retired.
#     The first run (a secret never set) is the initial setup.
#
#   .ci/rotate-stage-key.sh retire STACK OLD_PUBLIC_KEY_ARN
#       deletes the old public key from IVS, refusing if it is still the
#       current one. Run it once every token signed with the old key has
#       expired: StageTokenDurationMinutes after `rotate` finished. (Deleting
#       a public key invalidates the tokens it signed.)
#
# Uses the AWS CLI with the caller's credentials and region, openssl and
# python3. IVS allows 3 public keys per region and account: a rotation needs
# one free slot until the old key is retired.
set -euo pipefail

usage() {
  sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

need() {
  command -v "$1" >/dev/null || { echo "rotate-stage-key: $1 is not installed" >&2; exit 1; }
}

# output STACK KEY: a stack output's value ("" if absent).
output() {
  local v
  v=$(aws cloudformation describe-stacks --stack-name "$1" \
    --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text)
  [[ "$v" == None ]] && v=""
  echo "$v"
}

# parameter STACK KEY: a stack parameter's value ("" if absent).
parameter() {
  local v
  v=$(aws cloudformation describe-stacks --stack-name "$1" \
    --query "Stacks[0].Parameters[?ParameterKey=='$2'].ParameterValue" --output text)
  [[ "$v" == None ]] && v=""
  echo "$v"
}

# current_key_arn SECRET STACK: the public key ARN the functions sign with
# now (the secret's publicKeyArn, else the stack parameter), or "".
current_key_arn() {
  local value arn=""
  if value=$(aws secretsmanager get-secret-value --secret-id "$1" --query SecretString --output text 2>/dev/null); then
    arn=$(printf '%s' "$value" | python3 -c 'import json,sys
try:
    print(json.load(sys.stdin).get("publicKeyArn", ""))
except Exception:
    print("")')
  fi
  [[ -z "$arn" ]] && arn=$(parameter "$2" StagePublicKeyArn)
  echo "$arn"
}

rotate() {
  local stack="$1"
  local secret
  secret=$(output "$stack" StageSigningKeySecretArn)
  if [[ -z "$secret" ]]; then
    echo "rotate-stage-key: stack $stack has no StageSigningKeySecretArn output: deploy it with StageTokenSigning=self first" >&2
    exit 1
  fi
  local old
  old=$(current_key_arn "$secret" "$stack")

  local keys
  keys=$(aws ivs-realtime list-public-keys --query 'length(publicKeys)' --output text)
  if [[ "$keys" -ge 3 ]]; then
    echo "rotate-stage-key: this region already has $keys IVS public keys (the limit is 3); retire one first" >&2
    exit 1
  fi

  local dir
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  (umask 077
    openssl ecparam -name secp384r1 -genkey -noout -out "$dir/private.pem"
    openssl ec -in "$dir/private.pem" -pubout -out "$dir/public.pem" 2>/dev/null)

  local name new
  name="$stack-stage-$(date -u +%Y%m%dT%H%M%SZ)"
  new=$(aws ivs-realtime import-public-key --name "$name" \
    --public-key-material "$(cat "$dir/public.pem")" \
    --tags "project=$stack" --query publicKey.arn --output text)
  echo "imported public key $new"

  (umask 077
    python3 -c 'import json,sys
print(json.dumps({"privateKeyPem": open(sys.argv[1]).read(), "publicKeyArn": sys.argv[2]}))' \
      "$dir/private.pem" "$new" >"$dir/secret.json")
  aws secretsmanager put-secret-value --secret-id "$secret" \
    --secret-string "file://$dir/secret.json" >/dev/null
  echo "stored the private key in $secret"

  # Same template, every parameter as it is except StagePublicKeyArn.
  local params
  params=$(aws cloudformation describe-stacks --stack-name "$stack" \
    --query 'Stacks[0].Parameters[].ParameterKey' --output text | tr '\t' '\n' |
    while read -r k; do
      [[ -z "$k" ]] && continue
      if [[ "$k" == StagePublicKeyArn ]]; then
        echo "ParameterKey=$k,ParameterValue=$new"
      else
        echo "ParameterKey=$k,UsePreviousValue=true"
      fi
    done)
  # shellcheck disable=SC2086 # one argument per parameter
  aws cloudformation update-stack --stack-name "$stack" --use-previous-template \
    --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --parameters $params >/dev/null
  echo "updating stack $stack (StagePublicKeyArn=$new)..."
  aws cloudformation wait stack-update-complete --stack-name "$stack"

  local minutes
  minutes=$(parameter "$stack" StageTokenDurationMinutes)
  echo "done: tokens are now signed with $new"
  echo "samconfig.toml: set StagePublicKeyArn=$new in parameter_overrides for this environment."
  if [[ -n "$old" && "$old" != "$new" ]]; then
    echo "retire the old key after ${minutes:-60} minutes (when its last tokens have expired):"
    echo "  $0 retire $stack $old"
  fi
}

retire() {
  local stack="$1" old="$2"
  local secret current
  secret=$(output "$stack" StageSigningKeySecretArn)
  current=$(current_key_arn "$secret" "$stack")
  if [[ "$old" == "$current" ]]; then
    echo "rotate-stage-key: $old is the key $stack signs with now; rotate first" >&2
    exit 1
  fi
  aws ivs-realtime delete-public-key --arn "$old"
  echo "deleted public key $old"
}

need aws
case "${1:-}" in
  rotate)
    [[ $# -eq 2 ]] || usage
    need openssl
    need python3
    rotate "$2"
    ;;
  retire)
    [[ $# -eq 3 ]] || usage
    need python3
    retire "$2" "$3"
    ;;
  *) usage ;;
esac
