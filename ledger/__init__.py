"""The verifiable log (RFC 9162), its signed tree heads, certificates and procurement."""

from ledger.checkpoint import Checkpoint, Signer, Verifier, open_checkpoint
from ledger.entries import Entry
from ledger.errors import CheckpointError, LedgerError, LogError, ProofError
from ledger.hashing import EMPTY_ROOT, hash_children, hash_leaf
from ledger.verify import root_from_inclusion_proof, verify_consistency, verify_inclusion

__all__ = [
    "EMPTY_ROOT",
    "Checkpoint",
    "CheckpointError",
    "Entry",
    "LedgerError",
    "LogError",
    "ProofError",
    "Signer",
    "Verifier",
    "hash_children",
    "hash_leaf",
    "open_checkpoint",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]
