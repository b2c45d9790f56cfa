#!/usr/bin/env node
// SmpVision gRPC client example in Node: @grpc/grpc-js, with @grpc/proto-loader reading the
// repository's protos/ at run time (no generated code to keep in step).
//
//   npm install --prefix examples/node
//   node examples/node/smpvision-client.js PHOTO [--ppm 361] [--compare BEFORE AFTER] [--out DIR] [--burst N]
//
// Analyses PHOTO (streamed through AnalyzeUpload when it is large), prints the main figures with
// their units, saves the label map and preview PNGs, runs a Compare, shows the rich error
// details of a refused request, and retries RESOURCE_EXHAUSTED (busy) with backoff.
// SMPVISION_ADDRESS (default localhost:5180) and SMPVISION_API_KEY (sent as x-api-key) are read
// from the environment.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const CHUNK_BYTES = 1024 * 1024;
const UNARY_LIMIT_BYTES = 16 * 1024 * 1024; // the service's default MaxUnaryImageBytes
const API_KEY_HEADER = 'x-api-key';

function parseArgs(argv) {
  const args = { ppm: undefined, out: 'smpvision-output', streamAboveMib: 4, burst: 0, compare: null, protos: path.resolve(__dirname, '../../protos') };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case '--ppm': args.ppm = Number(argv[++i]); break;
      case '--compare-ppm': args.comparePpm = Number(argv[++i]); break;
      case '--out': args.out = argv[++i]; break;
      case '--stream-above-mib': args.streamAboveMib = Number(argv[++i]); break;
      case '--burst': args.burst = Number(argv[++i]); break;
      case '--compare': args.compare = [argv[++i], argv[++i]]; break;
      case '--protos': args.protos = argv[++i]; break;
      default: rest.push(argv[i]);
    }
  }
  if (rest.length !== 1) {
    throw new Error('usage: smpvision-client.js PHOTO [--ppm P] [--compare BEFORE AFTER] [--out DIR] [--burst N]');
  }
  args.photo = rest[0];
  return args;
}

function loadContract(protos) {
  const definition = protoLoader.loadSync(['smpvision/v1/analysis.proto'], {
    includeDirs: [protos], keepCase: false, longs: Number, enums: String, defaults: false, oneofs: true,
  });
  const v1 = grpc.loadPackageDefinition(definition).smpvision.v1;
  // The error details are decoded with protobufjs from the shipped google/rpc protos.
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(protos, target);
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
  return { v1, root };
}

function metadata() {
  const md = new grpc.Metadata();
  if (process.env.SMPVISION_API_KEY) md.set(API_KEY_HEADER, process.env.SMPVISION_API_KEY);
  return md;
}

/** google.rpc.Status details of a failed call, as { typeName: decodedMessage }. */
function statusDetails(error, root) {
  const raw = error.metadata && error.metadata.get('grpc-status-details-bin')[0];
  if (!raw) return {};
  const status = root.lookupType('google.rpc.Status').decode(raw);
  const details = {};
  for (const any of status.details) {
    const name = any.type_url.split('/').pop();
    const type = root.lookupType(name);
    details[name] = type.toObject(type.decode(any.value), { longs: Number });
  }
  return details;
}

/** Runs call() again on RESOURCE_EXHAUSTED with RetryInfo (busy), waiting at least the hinted
 * delay, doubling, with jitter. Size refusals carry no RetryInfo and are not retried. */
async function withRetry(call, what, root, attempts = 8) {
  let backoff = 0.5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retry = statusDetails(error, root)['google.rpc.RetryInfo'];
      if (error.code !== grpc.status.RESOURCE_EXHAUSTED || !retry || attempt === attempts) throw error;
      const hinted = Number(retry.retryDelay?.seconds ?? 0) + (retry.retryDelay?.nanos ?? 0) / 1e9;
      const wait = Math.max(hinted, backoff) * (1 + Math.random() * 0.5);
      console.log(`retry: ${what} got RESOURCE_EXHAUSTED (${error.details}); retrying in ${wait.toFixed(1)} s, attempt ${attempt + 1}`);
      await new Promise((r) => setTimeout(r, wait * 1000));
      backoff *= 2;
    }
  }
}

const unary = (client, method, request) => new Promise((resolve, reject) =>
  client[method](request, metadata(), (error, reply) => (error ? reject(error) : resolve(reply))));

function upload(client, header, image) {
  return new Promise((resolve, reject) => {
    const call = client.AnalyzeUpload(metadata(), (error, reply) => (error ? reject(error) : resolve(reply)));
    call.write({ header });
    for (let offset = 0; offset < image.length; offset += CHUNK_BYTES) {
      call.write({ chunk: image.subarray(offset, offset + CHUNK_BYTES) });
    }
    call.end();
  });
}

function analysisOptions(ppm) {
  const options = { modality: 'MODALITY_TRICHOSCOPY', output: { returnLabelMap: true, returnPreviewImage: true } };
  if (ppm) options.scale = { pixelsPerMillimetre: ppm };
  return options;
}

async function analyze(client, root, photo, ppm, streamAboveBytes) {
  const image = fs.readFileSync(photo);
  const options = analysisOptions(ppm);
  if (image.length > streamAboveBytes) {
    console.log(`sent: ${path.basename(photo)}, ${image.length} bytes, streamed through AnalyzeUpload in ${Math.ceil(image.length / CHUNK_BYTES)} chunks`);
    return withRetry(() => upload(client, { options, totalSizeBytes: image.length }, image), 'AnalyzeUpload', root);
  }
  console.log(`sent: ${path.basename(photo)}, ${image.length} bytes, unary Analyze`);
  return withRetry(() => unary(client, 'Analyze', { image, options }), 'Analyze', root);
}

function printFigures(r) {
  const m = r.measurements ?? {};
  const f1 = (x) => Number(x ?? 0).toFixed(1);
  console.log(`image: ${r.image.widthPixels} x ${r.image.heightPixels} pixels, ${r.image.format}`);
  console.log(`modality: ${r.modality} (detected: ${Boolean(r.modalityDetected)})`);
  const scale = r.scale?.pixelsPerMillimetre !== undefined ? `${f1(r.scale.pixelsPerMillimetre)} px/mm` : 'none (fractions only)';
  console.log(`scale: ${scale}, source ${r.scale?.source ?? 'SCALE_SOURCE_UNSPECIFIED'}`);
  console.log(`hairs: ${m.hairCount ?? 0} counted, ${m.follicularUnitCount ?? 0} follicular units, coverage ${Number(m.hairCoverageFraction ?? 0).toFixed(3)} (fraction)`);
  if (m.hairsPerSquareCentimetre !== undefined) {
    console.log(`hair density: ${f1(m.hairsPerSquareCentimetre)} +- ${f1(m.hairsPerSquareCentimetreStandardError)} hairs/cm2`);
    console.log(`follicular unit density: ${f1(m.follicularUnitsPerSquareCentimetre)} +- ${f1(m.follicularUnitsPerSquareCentimetreStandardError)} FU/cm2`);
    console.log(`analysed area: ${f1(m.analysedAreaSquareMillimetres)} mm2`);
  }
  if (m.meanShaftWidthMicrometres !== undefined) console.log(`mean shaft width: ${f1(m.meanShaftWidthMicrometres)} um`);
  if (m.colour?.skinItaDegrees !== undefined) console.log(`skin: L* ${f1(m.colour.skin?.l)}, ITA ${f1(m.colour.skinItaDegrees)} degrees`);
  console.log(`quality confidence: ${Number(r.quality?.confidence ?? 0).toFixed(2)} (0-1)`);
  console.log(`warnings: ${(r.warnings ?? []).map((w) => w.code).join(', ') || 'none'}`);
}

function savePngs(r, out) {
  fs.mkdirSync(out, { recursive: true });
  for (const [name, data] of [['label_map.png', r.labelMap?.png], ['preview.png', r.previewPng]]) {
    if (data && data.length) {
      fs.writeFileSync(path.join(out, name), data);
      console.log(`saved: ${path.join(out, name)} (${data.length} bytes)`);
    }
  }
}

async function compare(client, root, before, after, ppm) {
  const request = { beforeImage: fs.readFileSync(before), afterImage: fs.readFileSync(after), options: analysisOptions(ppm) };
  let c;
  try {
    c = await withRetry(() => unary(client, 'Compare', request), 'Compare', root);
  } catch (error) {
    if (error.code !== grpc.status.FAILED_PRECONDITION) throw error;
    const info = statusDetails(error, root)['google.rpc.ErrorInfo'];
    console.log(`compare: refused, FAILED_PRECONDITION ${info?.reason ?? ''}: ${error.details}`);
    return;
  }
  const h = c.overall.hairs;
  console.log(`compare: registration ${c.registration.method}, ${c.registration.inlierCount ?? 0} inliers, common area ${Number(c.commonAreaFractionOfBefore ?? 0).toFixed(2)} of before (fraction)`);
  const difference = h.difference ?? 0;
  console.log(`compare: hairs ${h.beforeCount ?? 0} -> ${h.afterCount ?? 0} (difference ${difference >= 0 ? '+' : ''}${difference} +- ${Number(h.differenceStandardErrorCount ?? 0).toFixed(1)} hairs, ${h.significance})`);
}

async function showRichError(client, root) {
  try {
    await unary(client, 'Analyze', { image: Buffer.from('not an image'), options: { scale: { pixelsPerMillimetre: -5 } } });
    console.log('error: the invalid request was accepted');
  } catch (error) {
    console.log(`refused: ${grpc.status[error.code]}: ${error.details}`);
    const bad = statusDetails(error, root)['google.rpc.BadRequest'];
    for (const v of bad?.fieldViolations ?? []) console.log(`field violation: ${v.field}: ${v.description}`);
  }
}

async function burst(client, root, photo, ppm, count) {
  const results = await Promise.all(Array.from({ length: count }, () =>
    analyze(client, root, photo, ppm, Number.MAX_SAFE_INTEGER).then(() => true, (error) => {
      console.log(`burst: failed with ${grpc.status[error.code]}: ${error.details}`);
      return false;
    })));
  console.log(`burst: ${results.filter(Boolean).length}/${count} succeeded`);
  return results.every(Boolean);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { v1, root } = loadContract(args.protos);
  // Responses with a label map and preview of a large photo exceed gRPC's 4 MiB default.
  const client = new v1.ScalpAnalysis(process.env.SMPVISION_ADDRESS ?? 'localhost:5180', grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1,
  });
  const result = await analyze(client, root, args.photo, args.ppm, args.streamAboveMib * 1024 * 1024);
  printFigures(result);
  savePngs(result, args.out);
  const small = fs.statSync(args.photo).size <= UNARY_LIMIT_BYTES;
  const pair = args.compare ?? (small ? [args.photo, args.photo] : null);
  if (pair) await compare(client, root, pair[0], pair[1], args.comparePpm ?? args.ppm);
  else console.log(`compare: skipped, ${path.basename(args.photo)} is over the 16 MiB unary limit (pass --compare BEFORE AFTER)`);
  await showRichError(client, root);
  const ok = args.burst && pair ? await burst(client, root, pair[0], args.comparePpm ?? args.ppm, args.burst) : true;
  client.close();
  return ok ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (error) => {
  console.error(`error: ${error.code !== undefined ? grpc.status[error.code] + ': ' + error.details : error.stack}`);
  process.exitCode = 1;
});
