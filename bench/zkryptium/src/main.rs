//! zkryptium 0.8.0 on the inputs bench/bbs_native.py gives it: one JSON job on stdin, one JSON
//! answer on stdout. Every byte string is hex.
//!
//! `{"ciphersuite": "BLS12-381-SHA-256", "ops": [{"op": "sign", ...}, ...]}` runs each operation
//! once and answers `{"results": [...]}` in the same order (what each op reads and writes is in
//! `op` below); an operation that fails answers `{"op": ..., "error": ...}` (a verification:
//! `"valid": false` as well).
//!
//! `{"ciphersuite": ..., "time": {"iterations": N, "bbs": {...}, "ballot": {...}}}` times sign,
//! proof generation and verification over 10 messages, and a ballot's proof generation and
//! verification with a pseudonym, N runs each after one warm-up run, and answers
//! `{"ms": {"sign": [...], ...}}`. Each timed operation starts from octets (keys, signature,
//! proof, pseudonym), as ours does; nothing is kept between runs.

use std::io::Read;
use std::time::Instant;

use serde_json::{json, Value};
use zkryptium::bbsplus::ciphersuites::BbsCiphersuite;
use zkryptium::bbsplus::commitment::BlindFactor;
use zkryptium::bbsplus::keys::{BBSplusPublicKey, BBSplusSecretKey};
use zkryptium::bbsplus::pseudonym::{BBSplusPseudonym, PseudonymSecret};
use zkryptium::keys::pair::KeyPair;
use zkryptium::schemes::algorithms::{BBSplus, BbsBls12381Sha256, BbsBls12381Shake256, Scheme};
use zkryptium::schemes::generics::{BlindSignature, Commitment, PoKSignature, Signature};

type Res<T> = Result<T, String>;

fn field<'a>(args: &'a Value, name: &str) -> Res<&'a Value> {
    args.get(name).ok_or_else(|| format!("missing field {name}"))
}

fn bytes(args: &Value, name: &str) -> Res<Vec<u8>> {
    let text = field(args, name)?.as_str().ok_or_else(|| format!("{name} is not a string"))?;
    hex::decode(text).map_err(|e| format!("{name}: {e}"))
}

fn optional_bytes(args: &Value, name: &str) -> Res<Option<Vec<u8>>> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => bytes(args, name).map(Some),
    }
}

fn byte_list(args: &Value, name: &str) -> Res<Vec<Vec<u8>>> {
    let items = field(args, name)?.as_array().ok_or_else(|| format!("{name} is not a list"))?;
    items
        .iter()
        .map(|item| {
            let text = item.as_str().ok_or_else(|| format!("{name}: not a string"))?;
            hex::decode(text).map_err(|e| format!("{name}: {e}"))
        })
        .collect()
}

fn count(args: &Value, name: &str) -> Res<usize> {
    let value = field(args, name)?.as_u64().ok_or_else(|| format!("{name} is not a count"))?;
    Ok(value as usize)
}

fn counts(args: &Value, name: &str) -> Res<Vec<usize>> {
    let items = field(args, name)?.as_array().ok_or_else(|| format!("{name} is not a list"))?;
    items
        .iter()
        .map(|item| item.as_u64().map(|v| v as usize).ok_or_else(|| format!("{name}: not a count")))
        .collect()
}

fn array<const N: usize>(octets: &[u8], what: &str) -> Res<[u8; N]> {
    octets.try_into().map_err(|_| format!("{what} is {N} bytes, not {}", octets.len()))
}

fn scalars(args: &Value, name: &str) -> Res<Vec<PseudonymSecret>> {
    byte_list(args, name)?
        .iter()
        .map(|octets| PseudonymSecret::from_bytes(&array(octets, name)?).map_err(|e| e.to_string()))
        .collect()
}

fn secret_key(args: &Value) -> Res<BBSplusSecretKey> {
    BBSplusSecretKey::from_bytes(&bytes(args, "secretKey")?).map_err(|e| e.to_string())
}

fn public_key(args: &Value) -> Res<BBSplusPublicKey> {
    let octets = bytes(args, "publicKey")?;
    if octets.len() != 96 {
        return Err("a public key is 96 bytes".into());
    }
    BBSplusPublicKey::from_bytes(&octets).map_err(|e| e.to_string())
}

fn blind_factor(args: &Value) -> Res<BlindFactor> {
    BlindFactor::from_bytes(&array(&bytes(args, "proverBlind")?, "proverBlind")?)
        .map_err(|e| e.to_string())
}

fn pseudonym(args: &Value) -> Res<BBSplusPseudonym> {
    let octets = bytes(args, "pseudonym")?;
    if octets.len() != 48 {
        return Err("a pseudonym is 48 bytes".into());
    }
    BBSplusPseudonym::from_bytes(&octets).map_err(|e| e.to_string())
}

fn valid(result: Result<(), zkryptium::errors::Error>) -> Value {
    match result {
        Ok(()) => json!({"valid": true}),
        Err(e) => json!({"valid": false, "error": e.to_string()}),
    }
}

/// The BBS interface (draft -13 §3.4): KeyGen, Sign, Verify, ProofGen, ProofVerify.
fn core_op<CS: BbsCiphersuite>(name: &str, args: &Value) -> Res<Option<Value>> {
    let answer = match name {
        "keyGen" => {
            let info = bytes(args, "keyInfo")?;
            let dst = optional_bytes(args, "keyDst")?;
            let pair = KeyPair::<BBSplus<CS>>::generate(
                &bytes(args, "keyMaterial")?,
                Some(&info),
                dst.as_deref(),
            )
            .map_err(|e| e.to_string())?;
            json!({
                "secretKey": hex::encode(pair.private_key().to_bytes()),
                "publicKey": hex::encode(pair.public_key().to_bytes()),
            })
        }
        "sign" => {
            let signature = Signature::<BBSplus<CS>>::sign(
                Some(&byte_list(args, "messages")?),
                &secret_key(args)?,
                &public_key(args)?,
                Some(&bytes(args, "header")?),
            )
            .map_err(|e| e.to_string())?;
            json!({"signature": hex::encode(signature.to_bytes())})
        }
        "verify" => {
            let octets = bytes(args, "signature")?;
            let signature = Signature::<BBSplus<CS>>::from_bytes(&array(&octets, "signature")?)
                .map_err(|e| e.to_string())?;
            valid(signature.verify(
                &public_key(args)?,
                Some(&byte_list(args, "messages")?),
                Some(&bytes(args, "header")?),
            ))
        }
        "proofGen" => {
            let proof = PoKSignature::<BBSplus<CS>>::proof_gen(
                &public_key(args)?,
                &bytes(args, "signature")?,
                Some(&bytes(args, "header")?),
                Some(&bytes(args, "presentationHeader")?),
                Some(&byte_list(args, "messages")?),
                Some(&counts(args, "disclosedIndexes")?),
            )
            .map_err(|e| e.to_string())?;
            json!({"proof": hex::encode(proof.to_bytes())})
        }
        "proofVerify" => match PoKSignature::<BBSplus<CS>>::from_bytes(&bytes(args, "proof")?) {
            Err(e) => valid(Err(e)),
            Ok(proof) => valid(proof.proof_verify(
                &public_key(args)?,
                Some(&byte_list(args, "disclosedMessages")?),
                Some(&counts(args, "disclosedIndexes")?),
                Some(&bytes(args, "header")?),
                Some(&bytes(args, "presentationHeader")?),
            )),
        },
        _ => return Ok(None),
    };
    Ok(Some(answer))
}

/// The pseudonym interface (per-verifier linkability -03, over Blind BBS -02).
fn nym_op<CS: BbsCiphersuite>(name: &str, args: &Value) -> Res<Option<Value>> {
    let answer = match name {
        "commitWithNym" => {
            let (commitment, blind) = Commitment::<BBSplus<CS>>::commit_with_nym(
                Some(&byte_list(args, "committedMessages")?),
                scalars(args, "proverNyms")?,
            )
            .map_err(|e| e.to_string())?;
            json!({
                "commitmentWithProof": hex::encode(commitment.to_bytes()),
                "proverBlind": hex::encode(blind.to_bytes()),
            })
        }
        "blindSignWithNym" => {
            let entropy = PseudonymSecret::from_bytes(&array(
                &bytes(args, "signerNymEntropy")?,
                "signerNymEntropy",
            )?)
            .map_err(|e| e.to_string())?;
            let signature = BlindSignature::<BBSplus<CS>>::blind_sign_with_nym(
                &secret_key(args)?,
                &public_key(args)?,
                Some(&bytes(args, "commitmentWithProof")?),
                count(args, "nymCount")?,
                Some(&bytes(args, "header")?),
                &entropy,
                Some(&byte_list(args, "messages")?),
            )
            .map_err(|e| e.to_string())?;
            json!({"signature": hex::encode(signature.to_bytes())})
        }
        "verifyFinalizeWithNym" => {
            let octets = bytes(args, "signature")?;
            let signature = BlindSignature::<BBSplus<CS>>::from_bytes(&array(&octets, "signature")?)
                .map_err(|e| e.to_string())?;
            let entropy = PseudonymSecret::from_bytes(&array(
                &bytes(args, "signerNymEntropy")?,
                "signerNymEntropy",
            )?)
            .map_err(|e| e.to_string())?;
            let secrets = signature
                .verify_finalize_with_nym(
                    &public_key(args)?,
                    Some(&bytes(args, "header")?),
                    Some(&byte_list(args, "messages")?),
                    Some(&byte_list(args, "committedMessages")?),
                    scalars(args, "proverNyms")?,
                    Some(&entropy),
                    Some(&blind_factor(args)?),
                )
                .map_err(|e| e.to_string())?;
            let hexes: Vec<String> = secrets.iter().map(|s| hex::encode(s.to_bytes())).collect();
            json!({"nymSecrets": hexes})
        }
        "proofGenWithNym" => {
            let (proof, nym) = PoKSignature::<BBSplus<CS>>::proof_gen_with_nym(
                &public_key(args)?,
                &bytes(args, "signature")?,
                Some(&bytes(args, "header")?),
                Some(&bytes(args, "presentationHeader")?),
                &scalars(args, "nymSecrets")?,
                &bytes(args, "contextId")?,
                Some(&byte_list(args, "messages")?),
                Some(&byte_list(args, "committedMessages")?),
                Some(&counts(args, "disclosedIndexes")?),
                Some(&counts(args, "disclosedCommittedIndexes")?),
                Some(&blind_factor(args)?),
            )
            .map_err(|e| e.to_string())?;
            json!({"proof": hex::encode(proof.to_bytes()), "pseudonym": hex::encode(nym.to_bytes())})
        }
        "proofVerifyWithNym" => match PoKSignature::<BBSplus<CS>>::from_bytes(&bytes(args, "proof")?)
        {
            Err(e) => valid(Err(e)),
            Ok(proof) => valid(proof.proof_verify_with_nym(
                &public_key(args)?,
                Some(&bytes(args, "header")?),
                Some(&bytes(args, "presentationHeader")?),
                &pseudonym(args)?,
                &bytes(args, "contextId")?,
                count(args, "nymCount")?,
                Some(count(args, "signerCount")?),
                Some(&byte_list(args, "disclosedMessages")?),
                Some(&byte_list(args, "disclosedCommittedMessages")?),
                Some(&counts(args, "disclosedIndexes")?),
                Some(&counts(args, "disclosedCommittedIndexes")?),
            )),
        },
        _ => return Ok(None),
    };
    Ok(Some(answer))
}

fn run_ops<CS: BbsCiphersuite>(ops: &[Value]) -> Value {
    let results: Vec<Value> = ops
        .iter()
        .map(|args| {
            let name = args.get("op").and_then(Value::as_str).unwrap_or("");
            let answer = core_op::<CS>(name, args).and_then(|done| match done {
                Some(value) => Ok(Some(value)),
                None => nym_op::<CS>(name, args),
            });
            let mut value = match answer {
                Ok(Some(value)) => value,
                Ok(None) => json!({"error": format!("unknown op {name:?}")}),
                Err(error) => json!({"error": error}),
            };
            value["op"] = json!(name);
            value
        })
        .collect();
    json!({ "results": results })
}

fn millis(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// Median-ready timings: N runs of each operation after one warm-up run.
fn time<CS: BbsCiphersuite>(job: &Value) -> Res<Value> {
    let iterations = count(job, "iterations")?;
    let bbs = field(job, "bbs")?;
    let ballot = field(job, "ballot")?;
    let messages = byte_list(bbs, "messages")?;
    let indexes = counts(bbs, "disclosedIndexes")?;
    let disclosed: Vec<Vec<u8>> = indexes.iter().map(|&i| messages[i].clone()).collect();
    let (header, ph) = (bytes(bbs, "header")?, bytes(bbs, "presentationHeader")?);
    let (sk_octets, pk_octets) = (bytes(bbs, "secretKey")?, bytes(bbs, "publicKey")?);

    let b_messages = byte_list(ballot, "messages")?;
    let b_indexes = counts(ballot, "disclosedIndexes")?;
    let b_disclosed: Vec<Vec<u8>> = b_indexes.iter().map(|&i| b_messages[i].clone()).collect();
    let (b_header, b_ph) = (bytes(ballot, "header")?, bytes(ballot, "presentationHeader")?);
    let b_pk_octets = bytes(ballot, "publicKey")?;
    let b_signature = bytes(ballot, "signature")?;
    let secret_octets = byte_list(ballot, "nymSecrets")?;
    let blind_octets = bytes(ballot, "proverBlind")?;
    let context = bytes(ballot, "contextId")?;
    let nym_count = secret_octets.len();
    let none: Vec<Vec<u8>> = Vec::new();
    let no_index: Vec<usize> = Vec::new();

    let names = ["sign", "proofGen", "proofVerify", "ballotProofGen", "ballotVerify"];
    let mut ms: Vec<Vec<f64>> = vec![Vec::with_capacity(iterations); names.len()];
    let err = |e: zkryptium::errors::Error| e.to_string();
    for run in 0..=iterations {
        let mut took = [0.0; 5];

        let started = Instant::now();
        let sk = BBSplusSecretKey::from_bytes(&sk_octets).map_err(err)?;
        let pk = BBSplusPublicKey::from_bytes(&pk_octets).map_err(err)?;
        let signature =
            Signature::<BBSplus<CS>>::sign(Some(&messages), &sk, &pk, Some(&header)).map_err(err)?;
        let signature = signature.to_bytes();
        took[0] = millis(started);

        let started = Instant::now();
        let pk = BBSplusPublicKey::from_bytes(&pk_octets).map_err(err)?;
        let proof = PoKSignature::<BBSplus<CS>>::proof_gen(
            &pk,
            &signature,
            Some(&header),
            Some(&ph),
            Some(&messages),
            Some(&indexes),
        )
        .map_err(err)?;
        let proof = proof.to_bytes();
        took[1] = millis(started);

        let started = Instant::now();
        let pk = BBSplusPublicKey::from_bytes(&pk_octets).map_err(err)?;
        let parsed = PoKSignature::<BBSplus<CS>>::from_bytes(&proof).map_err(err)?;
        parsed
            .proof_verify(&pk, Some(&disclosed), Some(&indexes), Some(&header), Some(&ph))
            .map_err(|e| format!("zkryptium's own proof does not verify: {e}"))?;
        took[2] = millis(started);

        let started = Instant::now();
        let pk = BBSplusPublicKey::from_bytes(&b_pk_octets).map_err(err)?;
        let secrets = secret_octets
            .iter()
            .map(|octets| PseudonymSecret::from_bytes(&array(octets, "nymSecrets")?).map_err(err))
            .collect::<Res<Vec<_>>>()?;
        let blind = BlindFactor::from_bytes(&array(&blind_octets, "proverBlind")?).map_err(err)?;
        let (nym_proof, nym) = PoKSignature::<BBSplus<CS>>::proof_gen_with_nym(
            &pk,
            &b_signature,
            Some(&b_header),
            Some(&b_ph),
            &secrets,
            &context,
            Some(&b_messages),
            Some(&none),
            Some(&b_indexes),
            Some(&no_index),
            Some(&blind),
        )
        .map_err(err)?;
        let (nym_proof, nym) = (nym_proof.to_bytes(), nym.to_bytes());
        took[3] = millis(started);

        let started = Instant::now();
        let pk = BBSplusPublicKey::from_bytes(&b_pk_octets).map_err(err)?;
        let parsed = PoKSignature::<BBSplus<CS>>::from_bytes(&nym_proof).map_err(err)?;
        let nym = BBSplusPseudonym::from_bytes(&nym).map_err(err)?;
        parsed
            .proof_verify_with_nym(
                &pk,
                Some(&b_header),
                Some(&b_ph),
                &nym,
                &context,
                nym_count,
                Some(b_messages.len()),
                Some(&b_disclosed),
                Some(&none),
                Some(&b_indexes),
                Some(&no_index),
            )
            .map_err(|e| format!("zkryptium's own ballot does not verify: {e}"))?;
        took[4] = millis(started);

        if run > 0 {
            for (list, value) in ms.iter_mut().zip(took) {
                list.push(value);
            }
        }
    }
    let mut answer = serde_json::Map::new();
    for (name, list) in names.iter().zip(ms) {
        answer.insert((*name).to_owned(), json!(list));
    }
    Ok(json!({ "ms": answer }))
}

fn run<S: Scheme>(job: &Value) -> Res<Value>
where
    S::Ciphersuite: BbsCiphersuite,
{
    if let Some(ops) = job.get("ops").and_then(Value::as_array) {
        return Ok(run_ops::<S::Ciphersuite>(ops));
    }
    time::<S::Ciphersuite>(field(job, "time")?)
}

fn main() {
    let mut input = String::new();
    let answer = std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::from_str::<Value>(&input).map_err(|e| e.to_string()))
        .and_then(|job| match job.get("ciphersuite").and_then(Value::as_str) {
            Some("BLS12-381-SHA-256") => run::<BbsBls12381Sha256>(&job),
            Some("BLS12-381-SHAKE-256") => run::<BbsBls12381Shake256>(&job),
            other => Err(format!("unknown ciphersuite {other:?}")),
        });
    match answer {
        Ok(value) => println!("{value}"),
        Err(error) => {
            eprintln!("zkryptium-bench: {error}");
            std::process::exit(1);
        }
    }
}
