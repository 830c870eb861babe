import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { logRedactionPaths, policyRedactPaths, redactedKeysOf, withPolicyRedaction } from './redaction';

const policies = [
  { privacy: { redact: ['context.customerId', 'context.customerEmail', 'context.customerName', 'context.customerPhone', 'context.license-plate'] } },
  { privacy: { redact: ['context.requestedBy', 'context.requesterEmail'] } },
];

function capture(): { lines: () => string; stream: Writable } {
  let out = '';
  return { lines: () => out, stream: new Writable({ write: (chunk, _enc, done) => { out += String(chunk); done(); } }) };
}

describe('one redaction list', () => {
  it('holds the static list and every policy field by name', () => {
    expect(redactedKeysOf(policyRedactPaths(policies))).toEqual(['customerEmail', 'customerId', 'customerName', 'customerPhone', 'license-plate', 'requestedBy', 'requesterEmail']);
    const paths = logRedactionPaths(policyRedactPaths(policies));
    expect(paths).toEqual(expect.arrayContaining(['authorization', 'token', 'notes', 'customerEmail', '*.*.customerId', '*["license-plate"]']));
  });

  it('censors every policy field wherever a log line carries it, and the static secrets still', () => {
    const out = capture();
    const logger = withPolicyRedaction(createLogger({ service: 'test', level: 'debug', destination: out.stream }), policyRedactPaths(policies));
    const pii = { customerId: 'PII-ID', customerEmail: 'PII-MAIL@x', customerName: 'PII Name', customerPhone: '+49PII', 'license-plate': 'B-PII-1', requestedBy: 'PII-REQ', requesterEmail: 'PII-REQ@x' };
    logger.info({ data: { context: pii } }, 'event data');
    logger.child({ ceId: '1' }).warn({ event: { data: { prediction: { context: pii } } } }, 'deeper');
    logger.error({ err: { details: pii }, authorization: 'Bearer secret-token', notes: 'free text PII-NOTE' }, 'error');
    logger.debug(pii, 'top level');
    const text = out.lines();
    expect(text.split('\n').filter(Boolean)).toHaveLength(4);
    expect(text).not.toMatch(/PII|secret-token/);
    expect(text.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(4 * 7);
  });
});
