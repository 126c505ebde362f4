// The record page's "verified" mark, computed here in the browser rather than taken from the
// server: each version's leaf hash is recomputed from its exact data with WebCrypto's
// SHA-256, its audit path is followed to the signed head's root (RFC 9162, 2.1.3.2), and the
// head's Ed25519 signature is checked under the ledger's published public key where the
// browser's WebCrypto has Ed25519; where it has not, the page says the signature was not
// checked. Nothing is sent anywhere but the one request for the public key.

const panel = document.getElementById('ledger-verdict');

function message(name, values) {
  const key = 'msg' + name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  let text = panel.dataset[key] || name;
  for (const [k, v] of Object.entries(values || {})) text = text.replace('{' + k + '}', v);
  return text;
}

function show(state, title, detail, problems) {
  panel.dataset.state = state;
  panel.querySelector('[data-testid=verified-mark]').textContent = title;
  panel.querySelector('[data-testid=verdict-detail]').textContent = detail || '';
  const list = panel.querySelector('[data-testid=verdict-problems]');
  list.replaceChildren(...(problems || []).map((p) => {
    const item = document.createElement('li');
    item.textContent = p;
    return item;
  }));
}

function fromHex(text) {
  if (typeof text !== 'string' || text.length % 2) throw new Error('not hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const byte = parseInt(text.substr(i * 2, 2), 16);
    if (Number.isNaN(byte)) throw new Error('not hex');
    out[i] = byte;
  }
  return out;
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function same(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

const leafHash = (text) => sha256(concat(Uint8Array.of(0), new TextEncoder().encode(text)));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

// RFC 9162 2.1.3.2, with arithmetic instead of bit operators: JavaScript's work on 32 bits.
async function rootFromPath(leaf, index, size, path) {
  if (!(index >= 0 && index < size)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn !== 0 && fn % 2 === 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

// RFC 6962's TreeHeadSignature: version 0, signature_type 1, uint64 timestamp, uint64
// tree_size, the 32-byte root, big-endian.
function headBytes(head) {
  const out = new Uint8Array(50);
  const view = new DataView(out.buffer);
  view.setUint8(0, 0);
  view.setUint8(1, 1);
  view.setBigUint64(2, BigInt(head.timestamp_ms));
  view.setBigUint64(10, BigInt(head.tree_size));
  out.set(fromHex(head.root_hash), 18);
  return out;
}

// true or false; null when this browser has no Ed25519 in WebCrypto.
async function signatureValid(publicKey, signature, bytes) {
  let key;
  try {
    key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    return null;
  }
  try {
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, bytes);
  } catch (e) {
    return false;
  }
}

function markRow(idx, text, good) {
  const row = document.querySelector(`tr[data-idx="${idx}"] [data-testid=entry-check]`);
  if (!row) return;
  row.textContent = text;
  row.className = 'small entry-check ' + (good === true ? 'ok' : good === false ? 'late' : 'muted');
}

async function check() {
  if (!window.crypto || !crypto.subtle) {
    show('unavailable', message('unavailable'), message('unavailable-detail'));
    return;
  }
  const bundle = JSON.parse(panel.dataset.bundle);
  const head = bundle.head;
  if (!head) {
    show('pending', message('pending'), '');
    return;
  }
  const problems = [];
  const root = fromHex(head.root_hash);
  let proven = 0;
  for (const entry of bundle.entries) {
    const leaf = await leafHash(entry.data);
    if (toHex(leaf) !== entry.leaf_hash) {
      problems.push(message('fail-leaf', { idx: entry.idx }));
      markRow(entry.idx, message('entry-bad'), false);
      continue;
    }
    if (entry.inclusion_path === null) {
      markRow(entry.idx, message('pending'), null);
      continue;
    }
    const path = entry.inclusion_path.map(fromHex);
    const reached = await rootFromPath(leaf, entry.idx, head.tree_size, path);
    if (reached === null || !same(reached, root)) {
      problems.push(message('fail-path', { idx: entry.idx }));
      markRow(entry.idx, message('entry-bad'), false);
      continue;
    }
    proven += 1;
    markRow(entry.idx, message('entry-ok'), true);
  }

  // The key comes from the log's published address, not from the bundle: the current key,
  // or a key retired by a rotation when the head was signed before it (below the size from
  // which its successor signed). Each key's id is recomputed here rather than read from the
  // answer.
  const answer = await fetch('/api/ledger/public-key', { credentials: 'same-origin' });
  const published = await answer.json();
  let publicKey = null;
  const usable = (published.retired || []).filter(
    (k) => k.succeeded_at === null || k.succeeded_at === undefined || head.tree_size < k.succeeded_at);
  for (const candidate of [published, ...usable]) {
    const raw = fromBase64(candidate.public_key);
    if (toHex(await sha256(raw)) === head.key_id) {
      publicKey = raw;
      break;
    }
  }
  if (publicKey === null) {
    problems.push(message('fail-key'));
    publicKey = fromBase64(published.public_key);
  }
  const valid = await signatureValid(publicKey, fromBase64(head.signature), headBytes(head));
  if (valid === false) problems.push(message('fail-signature'));

  if (problems.length) {
    show('failed', message('failed'), '', problems);
  } else if (proven === 0) {
    show('pending', message('pending'), '');
  } else if (valid === null) {
    show('partial', message('partial'), message('partial-detail'));
  } else {
    show('verified', message('verified'), message('verified-detail'));
  }
}

check().catch((error) => show('failed', message('failed'), String(error)));
