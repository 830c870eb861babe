/**
 * The attributes of a dead letter: the original message's, within Pub/Sub's publish limits, plus the
 * reason. A message that arrived over HTTP (push envelope, CloudEvents binding) can carry attributes
 * Pub/Sub would refuse (a value over 1024 bytes, a key over 256 bytes, a `goog` prefix, more than 100),
 * and a reason's message can quote input with multi-byte characters: publishing those as they are
 * failed the dead-letter publish itself, so the bad message was retried instead of dead-lettered.
 */
const MAX_ATTRIBUTES = 100;
const MAX_KEY_BYTES = 256;
const MAX_VALUE_BYTES = 1024;
/** Attributes the dead letter adds (arbiter-error-code, -message, -subscription, -message-id, -delivery-attempt). */
const OWN = 5;

/** `text` cut to at most `max` UTF-8 bytes, never inside a character. */
export function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > max - 3) break;
    out += char;
    bytes += size;
  }
  return `${out}…`;
}

export function deadLetterAttributes(original: Record<string, string>, own: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of Object.entries(original)) {
    if (count >= MAX_ATTRIBUTES - OWN) break;
    if (key === '' || Buffer.byteLength(key) > MAX_KEY_BYTES || key.startsWith('goog') || key in own) continue;
    kept[key] = truncateUtf8(value, MAX_VALUE_BYTES);
    count += 1;
  }
  const reason: Record<string, string> = {};
  for (const [key, value] of Object.entries(own)) reason[key] = truncateUtf8(value, MAX_VALUE_BYTES);
  return { ...kept, ...reason };
}
