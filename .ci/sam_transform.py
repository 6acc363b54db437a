#!/usr/bin/env python3
"""Offline SAM transform: template.yaml -> plain CloudFormation JSON.

There is no SAM CLI here, so `make validate` runs samtranslator itself and
then cfn-lint on the result, catching what only shows after the transform
(event wiring, generated roles and permissions). What `sam package` and the
IAM lookup would do is stubbed: CodeUri becomes an S3 URI and managed policy
names resolve from a fixed table.

usage: sam_transform.py TEMPLATE OUT.json
"""
import json
import os
import sys

try:
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse
except ImportError:
    sys.exit("sam_transform.py: samtranslator is missing; install it with `pip install aws-sam-translator`")


class StubPolicyLoader:
    """Replaces ManagedPolicyLoader, which would call IAM."""

    def load(self):
        names = [
            "AWSLambdaBasicExecutionRole",
            "AWSXrayWriteOnlyAccess",
            "AWSLambdaSQSQueueExecutionRole",
        ]
        return {n: "arn:aws:iam::aws:policy/service-role/" + n for n in names}


def parameter_values(tpl):
    """The parameter values CloudFormation hands the SAM macro: the defaults,
    with list-typed parameters as lists (SAM substitutes some parameter refs,
    e.g. in CorsConfiguration, so a string here would hide or fake errors)."""
    values = {}
    for name, p in tpl.get("Parameters", {}).items():
        if "Default" not in p:
            continue
        v = p["Default"]
        if p.get("Type") == "CommaDelimitedList" or str(p.get("Type", "")).startswith("List<"):
            v = [s.strip() for s in str(v).split(",")]
        values[name] = v
    return values


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(argv[1]) as f:
        tpl = yaml_parse(f.read())
    for res in tpl.get("Resources", {}).values():
        if res.get("Type") == "AWS::Serverless::Function":
            res.setdefault("Properties", {})["CodeUri"] = "s3://placeholder-bucket/function.zip"
    out = transform(tpl, parameter_values(tpl), StubPolicyLoader())
    with open(argv[2], "w") as f:
        json.dump(out, f, indent=1, default=str)


if __name__ == "__main__":
    main(sys.argv)
