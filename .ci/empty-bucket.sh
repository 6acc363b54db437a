#!/usr/bin/env bash
# empty-bucket.sh STACK LOGICAL_ID — delete every object version and delete
# marker of a stack's versioned bucket, so that `sam delete` can delete the
# bucket (CloudFormation refuses a bucket that is not empty). A stack without
# that bucket (never deployed, or already deleted) is not an error.
set -euo pipefail
stack="${1:?usage: $0 STACK LOGICAL_ID}"
logical="${2:?usage: $0 STACK LOGICAL_ID}"
command -v aws >/dev/null || { echo "empty-bucket: the AWS CLI is not installed" >&2; exit 1; }

bucket=$(aws cloudformation describe-stack-resource --stack-name "$stack" --logical-resource-id "$logical" \
  --query StackResourceDetail.PhysicalResourceId --output text 2>/dev/null || true)
if [[ -z "$bucket" || "$bucket" == None ]]; then
  echo "empty-bucket: $stack has no $logical; nothing to empty"
  exit 0
fi
echo "emptying s3://$bucket (all versions)"
while :; do
  # Up to 1000 versions and markers per round: delete-objects' limit.
  batch=$(aws s3api list-object-versions --bucket "$bucket" --max-items 1000 --output json \
    --query '{Objects: [Versions, DeleteMarkers][][].{Key: Key, VersionId: VersionId}}')
  if [[ "$(echo "$batch" | python3 -c 'import sys,json; print(len(json.load(sys.stdin).get("Objects") or []))')" == 0 ]]; then
    break
  fi
  aws s3api delete-objects --bucket "$bucket" --delete "$(echo "$batch" | python3 -c 'import sys,json; d=json.load(sys.stdin); d["Quiet"]=True; print(json.dumps(d))')" >/dev/null
done
