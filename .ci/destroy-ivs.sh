#!/usr/bin/env bash
# destroy-ivs.sh STACK — delete the IVS channels, IVS Chat rooms, IVS
# Real-Time stages and imported public keys that stack STACK created. They are not
# stack resources (users' channels are made at run time), so `sam delete`
# leaves them; every one is tagged project=STACK (PROJECT_TAG).
#
# Uses the AWS CLI with the caller's credentials and region. DRY_RUN=1 lists
# what would be deleted. Exits non-zero if any deletion failed.
set -euo pipefail

stack="${1:-}"
if [[ -z "$stack" ]]; then
  echo "usage: $0 STACK" >&2
  exit 2
fi
command -v aws >/dev/null || { echo "destroy-ivs: the AWS CLI is not installed (pip install awscli)" >&2; exit 1; }

dry="${DRY_RUN:-}"
failed=0

# run CMD...: run it, or print it under DRY_RUN.
run() {
  if [[ -n "$dry" ]]; then
    echo "would run: $*"
  elif ! "$@" >/dev/null; then
    echo "destroy-ivs: failed: $*" >&2
    failed=1
  fi
}

# The list calls return each resource's tags, so the filter needs no extra
# call per resource (the CLI follows the pagination).
query="[?tags.project=='${stack}'].arn"

# list SERVICE COMMAND FIELD: the ARNs of the stack's resources; fails
# (saying so) when the call does. It runs in a subshell: callers record the
# failure.
list() {
  local out
  if ! out=$(aws "$1" "$2" --query "$3${query}" --output text); then
    echo "destroy-ivs: aws $1 $2 failed; its resources were not deleted" >&2
    return 1
  fi
  echo "$out"
}

channels=$(list ivs list-channels channels) || failed=1
for arn in $channels; do
  [[ "$arn" == None ]] && continue
  echo "channel $arn"
  # A live channel cannot be deleted; stopping one that is idle fails harmlessly.
  [[ -z "$dry" ]] && aws ivs stop-stream --channel-arn "$arn" >/dev/null 2>&1 || true
  run aws ivs delete-channel --arn "$arn"
done

rooms=$(list ivschat list-rooms rooms) || failed=1
for arn in $rooms; do
  [[ "$arn" == None ]] && continue
  echo "chat room $arn"
  run aws ivschat delete-room --identifier "$arn"
done

stages=$(list ivs-realtime list-stages stages) || failed=1
for arn in $stages; do
  [[ "$arn" == None ]] && continue
  echo "stage $arn"
  run aws ivs-realtime delete-stage --arn "$arn"
done

# Public keys imported for self-signed stage tokens (.ci/rotate-stage-key.sh
# tags them project=STACK); a region holds at most 3.
keys=$(list ivs-realtime list-public-keys publicKeys) || failed=1
for arn in $keys; do
  [[ "$arn" == None ]] && continue
  echo "public key $arn"
  run aws ivs-realtime delete-public-key --arn "$arn"
done

if [[ "$failed" != 0 ]]; then
  echo "destroy-ivs: some resources of $stack were not deleted" >&2
  exit 1
fi
echo "destroy-ivs: IVS resources of $stack deleted"
