import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { makePaymentCodeDigits } from './payment-codes';
import { cameraErrorMessage, decodePaymentCode, type Frame } from './redemptions.scan';

/** Renders a QR code the way the resident's pay page does (level M, margin 1), as RGBA pixels. */
function render(text: string, scale = 6, margin = 4): Frame {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const size = (n + margin * 2) * scale;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      if (!qr.modules.get(y, x)) continue;
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + margin) * scale + dy) * size + (x + margin) * scale + dx) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
    }
  return { data, width: size, height: size };
}

describe('decodePaymentCode', () => {
  it('reads the 18 digits from a generated payment QR code', () => {
    const digits = makePaymentCodeDigits();
    expect(decodePaymentCode(render(digits))).toEqual({ digits });
  });

  it('refuses a QR code that is not a payment code', () => {
    expect(decodePaymentCode(render('https://example.com/menu'))).toEqual({ error: expect.stringContaining('不是消费券付款码') });
    expect(decodePaymentCode(render('123456789012'))).toEqual({ error: expect.any(String) });
  });

  it('returns null for a frame without a QR code', () => {
    const blank = { data: new Uint8ClampedArray(200 * 200 * 4).fill(255), width: 200, height: 200 };
    expect(decodePaymentCode(blank)).toBeNull();
  });
});

describe('cameraErrorMessage', () => {
  it('tells permission denied, no camera and unknown failures apart, in Chinese', () => {
    expect(cameraErrorMessage({ name: 'NotAllowedError' })).toContain('权限');
    expect(cameraErrorMessage({ name: 'NotFoundError' })).toContain('未找到');
    expect(cameraErrorMessage(new Error('x'))).toContain('无法打开摄像头');
  });
});
