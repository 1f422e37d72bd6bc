// The wasm peer of bench/bbs.py: @mattrglobal/pairing-crypto timing the same BBS operations.
// stdin: {"ciphersuite": "BLS12-381-SHA-256"|"BLS12-381-SHAKE-256", "messages": [hex],
//         "header": hex, "presentationHeader": hex, "disclosedIndexes": [int], "iterations": n}
// stdout: {"publicKey", "signature", "proof" (hex, from the last run), "ms": {op: [per run]}}
import { performance } from 'node:perf_hooks';
import { bbs } from '@mattrglobal/pairing-crypto';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const bytes = (text) => new Uint8Array(Buffer.from(text ?? '', 'hex'));

let input = '';
for await (const chunk of process.stdin) input += chunk;
const request = JSON.parse(input);
const suite = request.ciphersuite === 'BLS12-381-SHAKE-256'
  ? bbs.bls12381_shake256 : bbs.bls12381_sha256;
const messages = request.messages.map(bytes);
const header = bytes(request.header);
const presentationHeader = bytes(request.presentationHeader);
const disclosed = new Set(request.disclosedIndexes);

const { secretKey, publicKey } = await suite.generateKeyPair({
  ikm: new Uint8Array(32).fill(7), keyInfo: new Uint8Array(0)
});
const ms = { sign: [], proofGen: [], proofVerify: [] };
let signature, proof;
const timed = async (name, work) => {
  const start = performance.now();
  const result = await work();
  ms[name].push(performance.now() - start);
  return result;
};
for (let run = 0; run <= request.iterations; run++) {
  const keep = run > 0; // the first run warms the wasm module up and is not recorded
  signature = await timed('sign', () => suite.sign({ secretKey, publicKey, header, messages }));
  proof = await timed('proofGen', () => suite.deriveProof({
    publicKey, header, presentationHeader, signature, verifySignature: false,
    messages: messages.map((value, i) => ({ value, reveal: disclosed.has(i) }))
  }));
  const verdict = await timed('proofVerify', () => suite.verifyProof({
    publicKey, header, presentationHeader, proof,
    messages: Object.fromEntries(request.disclosedIndexes.map((i) => [i, messages[i]]))
  }));
  if (!verdict.verified) {
    console.error(`pairing-crypto did not verify its own proof: ${verdict.error}`);
    process.exit(1);
  }
  if (!keep) for (const name of Object.keys(ms)) ms[name].pop();
}
process.stdout.write(JSON.stringify({
  publicKey: hex(publicKey), signature: hex(signature), proof: hex(proof), ms
}));
