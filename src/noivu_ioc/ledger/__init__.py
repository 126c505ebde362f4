"""The verifiable ledger: an append-only log of personnel-record changes and of the audit
trail, built as RFC 6962 / RFC 9162 specify (a SHA-256 Merkle tree with leaf and node
prefixes), with Ed25519-signed tree heads, inclusion and consistency proofs, a full
verification from storage, and a witness that cosigns heads it has checked.

The modules, in the order data flows:

* ``merkle``: the tree, its proofs and their verification (pure functions);
* ``canonical``: the one way a payload is written as the text a leaf hashes;
* ``log``: the log in the operational store (``append``, roots and proofs at a size);
* ``records``: personnel records from the warehouse's commits, and their reconciliation;
* ``audit``: sealing the audit trail (``seal_audit``, a scheduled job);
* ``heads``: the log's key, signed heads (``sign_head``, a scheduled job), cosignatures;
* ``bundle``: proof bundles, and their offline check;
* ``verify``: everything stored, recomputed (``ioc ledger verify``);
* ``witness``: the cosigning witness (``ioc ledger witness``).
"""
