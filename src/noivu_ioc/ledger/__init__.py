"""The verifiable ledger: an append-only log of personnel-record changes and of the audit
trail, built as RFC 6962 / RFC 9162 specify (a SHA-256 Merkle tree with leaf and node
prefixes), with Ed25519-signed tree heads, inclusion and consistency proofs, a full
verification from storage, and a witness that cosigns heads it has checked."""
