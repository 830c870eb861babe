/**
 * FNV-1a (32 bit) over the UTF-8 bytes of a string: a small, pure, well-known hash used to make
 * sampling decisions deterministic per case (the same case id always gets the same answer).
 * Not a cryptographic hash; it only needs to spread ids evenly.
 */
const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function fnv1a32(input: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8Bytes(input)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/**
 * MurmurHash3's 32-bit finaliser (`fmix32`): FNV-1a's high bits avalanche poorly for short keys
 * that differ only at the end (`case-1`, `case-2`, …), which skews a threshold on the whole hash;
 * the finaliser spreads every input bit over every output bit.
 */
export function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** A number in [0, 1) derived from `input` (FNV-1a, then `fmix32`), uniform enough for sampling. */
export function unitInterval(input: string): number {
  return fmix32(fnv1a32(input)) / 0x1_0000_0000;
}

/**
 * Whether `key` falls in a sample of the given rate (0..1). Rate 0 never samples, rate 1 always does.
 * Salting the key (`blind-review:<caseId>`) keeps different samples independent of each other.
 */
export function inSample(key: string, rate: number): boolean {
  if (!(rate > 0)) return false;
  if (rate >= 1) return true;
  return unitInterval(key) < rate;
}

function* utf8Bytes(input: string): Generator<number> {
  for (const char of input) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp < 0x80) {
      yield cp;
    } else if (cp < 0x800) {
      yield 0xc0 | (cp >> 6);
      yield 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      yield 0xe0 | (cp >> 12);
      yield 0x80 | ((cp >> 6) & 0x3f);
      yield 0x80 | (cp & 0x3f);
    } else {
      yield 0xf0 | (cp >> 18);
      yield 0x80 | ((cp >> 12) & 0x3f);
      yield 0x80 | ((cp >> 6) & 0x3f);
      yield 0x80 | (cp & 0x3f);
    }
  }
}

/**
 * mulberry32: a small seeded pseudo-random generator, for reproducible demo data and sample images
 * (never for anything that must be unpredictable). The same seed gives the same sequence in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
