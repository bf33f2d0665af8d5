// SPDX-License-Identifier: Apache-2.0
// check_names.js - every name pid2pod writes in json_schema = ecs | otel
// (lines "schema name type spec|custom" on stdin, from
// build/tools/jsonnames_list) is in the pinned spec (package.json here):
// ECS names among @elastic/ecs's EcsFlat fields, OTel names among the
// attribute names @opentelemetry/semantic-conventions exports (ATTR_*
// constants, stable and incubating; a template such as k8s.pod.label.<key>
// is a function, called with a key).  A name marked custom must not be the
// spec's (then the table should say spec) and must be under pid2pod. or
// auditd. (Auditbeat's), or be OTel's "time".  Exit 1 on any problem.
'use strict';
const fs = require('fs');
const ecs = require('@elastic/ecs');
const otel = require('@opentelemetry/semantic-conventions');
const otelInc = require('@opentelemetry/semantic-conventions/incubating');

const ecsNames = new Set(Object.keys(ecs.EcsFlat));
const otelNames = new Set();
const otelPrefixes = new Set();
for (const mod of [otel, otelInc]) {
	for (const [k, v] of Object.entries(mod)) {
		if (!k.startsWith('ATTR_'))
			continue;
		if (typeof v === 'string')
			otelNames.add(v);
		else if (typeof v === 'function')
			otelPrefixes.add(String(v('KEY')).replace(/\.KEY$/, ''));
	}
}
if (ecsNames.size < 1000 || otelNames.size < 500) {
	console.log(`spec sets too small (ECS ${ecsNames.size}, OTel ${otelNames.size}): the packages changed shape`);
	process.exit(1);
}
const lines = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
let bad = 0, spec = 0, custom = 0;
for (const line of lines) {
	const [schema, name, type, kind] = line.split(' ');
	let inSpec;
	if (schema === 'ecs')
		inSpec = ecsNames.has(name);
	else if (schema === 'otel')
		inSpec = type === 'prefix' ? otelPrefixes.has(name) : otelNames.has(name);
	else {
		console.log(`unknown schema in: ${line}`);
		bad++;
		continue;
	}
	if (kind === 'spec') {
		spec++;
		if (!inSpec) {
			console.log(`${schema}: ${name} is not in the pinned spec`);
			bad++;
		}
	} else if (kind === 'custom') {
		custom++;
		if (inSpec) {
			console.log(`${schema}: ${name} is the spec's but marked custom`);
			bad++;
		} else if (!/^(pid2pod|auditd)\./.test(name) && !(schema === 'otel' && name === 'time')) {
			console.log(`${schema}: custom ${name} is outside pid2pod.* and auditd.*`);
			bad++;
		}
	} else {
		console.log(`bad line: ${line}`);
		bad++;
	}
}
console.log(`${spec} spec names, ${custom} custom, ${bad} problems (ECS ${ecs.EcsVersion}, ${ecsNames.size} fields; OTel ${otelNames.size} attributes)`);
process.exit(bad || !spec ? 1 : 0);
