import jsQR from 'jsqr';

/** One camera frame (or any picture) as RGBA bytes, the shape of the browser's ImageData. */
export type Frame = { data: Uint8ClampedArray; width: number; height: number };

export type ScanResult = { digits: string } | { error: string } | null;

/**
 * Reads a resident's payment code from one frame at the merchant console. Returns null when the
 * frame holds no QR code (the camera keeps looking), an error when it holds a QR code that is not a
 * payment code (a shop's own menu code, say), and the 18 digits otherwise.
 */
export function decodePaymentCode(frame: Frame): ScanResult {
  const found = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: 'dontInvert' });
  if (!found) return null;
  const digits = found.data.replace(/[\s-]/g, '');
  // The shape of a payment code (payment-codes.ts, which this browser-side module must not import: it
  // needs node:crypto); the server checks the Luhn digit and everything else when quoting.
  if (!/^66\d{16}$/.test(digits)) return { error: '扫到的不是消费券付款码，请让顾客出示付款码' };
  return { digits };
}

/** The message for a camera that could not be opened (no camera, permission denied, in use, insecure page). */
export function cameraErrorMessage(err: unknown): string {
  const name = (err as { name?: string } | null)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return '未获得摄像头权限，请在浏览器设置中允许使用摄像头，或直接输入付款码数字';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return '未找到可用的摄像头，请直接输入付款码数字';
  if (name === 'NotReadableError' || name === 'AbortError') return '摄像头正被其他应用占用，请关闭后重试，或直接输入付款码数字';
  if (name === 'Unsupported') return '此浏览器不支持摄像头扫码（需使用 HTTPS 访问），请直接输入付款码数字';
  return '无法打开摄像头，请直接输入付款码数字';
}
