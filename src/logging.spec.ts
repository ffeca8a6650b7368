import { maskLogLine, maskSensitiveText } from './logging.js';

describe('log masking', () => {
  it.each([
    ['4111111111111111', '************1111'],
    ['4111 1111 1111 1111', '**** **** **** 1111'],
    ['4111-1111-1111-1111', '****-****-****-1111'],
    ['card 5500005555555559 on file', 'card ************5559 on file'],
    ['3782822463100053', '************0053'],
    ['6011000990139424123', '***************4123'],
  ])('masks the card-like run in %s', (text, masked) => {
    expect(maskSensitiveText(text)).toBe(masked);
  });

  it.each([
    ['a 12-digit run', 'order 123456789012'],
    ['a 20-digit run', '12345678901234567890'],
    ['a UUID', '2329db4e-ef72-4ed6-9700-787a7bee0bc3'],
    ['an ISO time', '2026-12-03T17:12:04.407Z'],
  ])('leaves %s alone', (_what, text) => {
    expect(maskSensitiveText(text)).toBe(text);
  });

  it('hides the secret of an issued key but keeps its public id', () => {
    const key = `pk_abcdefgh1234_${'S'.repeat(43)}`;

    expect(maskSensitiveText(`key ${key} used`)).toBe('key pk_abcdefgh1234_[redacted] used');
  });

  it('masks inside JSON strings only, so numeric fields such as time stay intact', () => {
    const line = JSON.stringify({
      time: 1796317950481,
      req: { url: '/api/v1/payments/4111111111111111' },
      msg: 'value "4012888888881881" is invalid',
    });

    const masked = JSON.parse(maskLogLine(line));

    expect(masked.time).toBe(1796317950481);
    expect(masked.req.url).toBe('/api/v1/payments/************1111');
    expect(masked.msg).toBe('value "************1881" is invalid');
  });
});
