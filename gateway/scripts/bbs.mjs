// A BBS peer for CivicGraph's interop tests: @digitalbazaar/bbs-signatures, driven by JSON.
// stdin: {"op": "keyPair"|"sign"|"verifySignature"|"deriveProof"|"verifyProof",
//          "ciphersuite": "BLS12-381-SHA-256"|"BLS12-381-SHAKE-256", fields as lowercase hex}
// stdout: the result with byte strings as lowercase hex.
import * as bbs from '@digitalbazaar/bbs-signatures';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const bytes = (text) => new Uint8Array(Buffer.from(text ?? '', 'hex'));

let input = '';
for await (const chunk of process.stdin) input += chunk;
const request = JSON.parse(input);
const ciphersuite = request.ciphersuite;
const messages = (request.messages ?? []).map(bytes);

let answer;
switch (request.op) {
  case 'keyPair': {
    const {secretKey, publicKey} = await bbs.generateKeyPair({ciphersuite});
    answer = {secretKey: hex(secretKey), publicKey: hex(publicKey)};
    break;
  }
  case 'sign':
    answer = {signature: hex(await bbs.sign({
      secretKey: bytes(request.secretKey), publicKey: bytes(request.publicKey),
      header: bytes(request.header), messages, ciphersuite
    }))};
    break;
  case 'verifySignature':
    answer = {valid: await bbs.verifySignature({
      publicKey: bytes(request.publicKey), signature: bytes(request.signature),
      header: bytes(request.header), messages, ciphersuite
    })};
    break;
  case 'deriveProof':
    answer = {proof: hex(await bbs.deriveProof({
      publicKey: bytes(request.publicKey), signature: bytes(request.signature),
      header: bytes(request.header), messages,
      presentationHeader: bytes(request.presentationHeader),
      disclosedMessageIndexes: request.disclosedIndexes, ciphersuite
    }))};
    break;
  case 'verifyProof':
    answer = {valid: await bbs.verifyProof({
      publicKey: bytes(request.publicKey), proof: bytes(request.proof),
      header: bytes(request.header),
      presentationHeader: bytes(request.presentationHeader),
      disclosedMessages: messages,
      disclosedMessageIndexes: request.disclosedIndexes, ciphersuite
    })};
    break;
  default:
    console.error(`unknown op ${request.op}`);
    process.exit(2);
}
process.stdout.write(JSON.stringify(answer));
