// Reads a CloudFormation stack's Outputs (JSON from `aws cloudformation
// describe-stacks --query Stacks[0].Outputs`) on stdin and writes the web
// app's /config.json to each path given (make web-config).
import { readFileSync, writeFileSync } from 'node:fs';

const outputs = JSON.parse(readFileSync(0, 'utf8'));
if (!Array.isArray(outputs)) throw new Error('expected the stack Outputs array on stdin');
const out = Object.fromEntries(outputs.map((o) => [o.OutputKey, o.OutputValue]));
for (const k of ['ApiUrl', 'Region', 'UserPoolId', 'UserPoolClientId']) {
  if (!out[k]) throw new Error(`the stack has no ${k} output`);
}
const config = {
  region: out.Region,
  userPoolId: out.UserPoolId,
  userPoolClientId: out.UserPoolClientId,
  apiUrl: out.ApiUrl,
  channelType: out.ChannelType,
  enableAmazonProductStreamAction: out.EnableAmazonProductStreamAction === 'true',
  stage: out.Stage,
  offline: false,
};
const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: web-config.mjs FILE...');
for (const f of files) {
  writeFileSync(f, JSON.stringify(config, null, 2) + '\n');
  console.log(`wrote ${f}`);
}
