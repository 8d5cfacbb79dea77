// TOTP codes (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) from a base32 secret,
// for tests that log in the way a person with an authenticator app would.
import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The bytes of an RFC 4648 base32 text (spaces, dashes and padding ignored, any case). */
export function base32Decode(text) {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const index = ALPHABET.indexOf(ch);
    if (index < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The time step (counter) for a moment in milliseconds. */
export function totpStep(ms = Date.now(), period = 30) {
  return Math.floor(ms / 1000 / period);
}

/** The 6-digit code of a secret for a time step (RFC 4226 dynamic truncation). */
export function hotp(secret, counter, digits = 6) {
  const key = base32Decode(secret);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(number % 10 ** digits).padStart(digits, '0');
}

/** The code an authenticator app shows at a moment (milliseconds). */
export function totp(secret, ms = Date.now()) {
  return hotp(secret, totpStep(ms));
}

// The server accepts each code only once (it remembers the last accepted step), so a test
// that logs the same account in twice must wait for the next step. lastStep maps secret -> step.
const lastStep = new Map();

/** A code for a step not used before by this process for this secret; waits for the next step if needed. */
export async function freshTotp(secret) {
  for (;;) {
    const step = totpStep();
    if ((lastStep.get(secret) ?? -1) < step) {
      // Too close to the end of the step: the code might expire before it arrives.
      const msLeft = (step + 1) * 30000 - Date.now();
      if (msLeft > 2000) {
        lastStep.set(secret, step);
        return hotp(secret, step);
      }
    }
    await new Promise((ok) => setTimeout(ok, Math.max(200, (step + 1) * 30000 - Date.now() + 100)));
  }
}

/** Marks a step as used (when a code was typed by other means, e.g. in a browser). */
export function markTotpUsed(secret, ms = Date.now()) {
  lastStep.set(secret, Math.max(lastStep.get(secret) ?? -1, totpStep(ms)));
}
