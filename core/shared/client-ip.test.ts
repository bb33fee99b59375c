import { describe, expect, it } from 'vitest';
import { parseTrustedProxy, resolveClientIp, type TrustedProxy } from './client-ip';
import { loadConfig } from './config';

const ip = (trusted: TrustedProxy, socket: string | undefined, xff?: string) => resolveClientIp({ TRUSTED_PROXY: trusted }, socket, xff);

describe('resolveClientIp', () => {
  it('without TRUSTED_PROXY the socket address wins, whatever X-Forwarded-For says', () => {
    expect(ip(undefined, '198.51.100.7', '1.2.3.4')).toBe('198.51.100.7');
    expect(ip(undefined, '::ffff:198.51.100.7', '1.2.3.4, 5.6.7.8')).toBe('198.51.100.7');
    expect(ip(undefined, undefined, '1.2.3.4')).toBe('0.0.0.0');
  });

  it.each([
    [{ hops: 1 }, '10.0.0.2', '1.2.3.4', '1.2.3.4'],
    // The client wrote its own header; the one proxy appended the real address: the rightmost counts.
    [{ hops: 1 }, '10.0.0.2', '6.6.6.6, 1.2.3.4', '1.2.3.4'],
    [{ hops: 2 }, '10.0.0.2', '6.6.6.6, 1.2.3.4, 10.0.0.9', '1.2.3.4'],
    // Fewer entries than hops: the leftmost one.
    [{ hops: 3 }, '10.0.0.2', '1.2.3.4', '1.2.3.4'],
    [{ hops: 1 }, '10.0.0.2', undefined, '10.0.0.2'],
    [{ addresses: ['10.0.0.0/8'] }, '10.0.0.2', '6.6.6.6, 1.2.3.4, 10.1.1.1', '1.2.3.4'],
    // A connection from outside the list is the client itself: its header is ignored.
    [{ addresses: ['10.0.0.0/8'] }, '198.51.100.7', '1.2.3.4', '198.51.100.7'],
    [{ addresses: ['127.0.0.1', '::1'] }, '::1', '1.2.3.4', '1.2.3.4'],
    [{ addresses: ['127.0.0.1'] }, '::ffff:127.0.0.1', ' 1.2.3.4:5555 ', '1.2.3.4'],
    [{ addresses: ['fd00::/8'] }, 'fd00::5', '[2001:db8::1]:443', '2001:db8::1'],
  ] as const)('%j from %s with X-Forwarded-For %s → %s', (trusted, socket, xff, expected) => {
    expect(ip(trusted as TrustedProxy, socket, xff)).toBe(expected);
  });
});

describe('TRUSTED_PROXY', () => {
  it('parses a hop count or a comma list of addresses and CIDRs', () => {
    expect(parseTrustedProxy('1')).toEqual({ hops: 1 });
    expect(parseTrustedProxy('0')).toBeUndefined();
    expect(parseTrustedProxy(' 10.0.0.2, 172.16.0.0/12 ,::1 ')).toEqual({ addresses: ['10.0.0.2', '172.16.0.0/12', '::1'] });
    expect(loadConfig({ TRUSTED_PROXY: '2' }).TRUSTED_PROXY).toEqual({ hops: 2 });
    expect(loadConfig({}).TRUSTED_PROXY).toBeUndefined();
  });

  it.each(['yes', '10.0.0.0/33', 'proxy.example.com', '1.2.3.4/8/1', ',', '-1', '99'])('refuses %j with a message naming the variable', (value) => {
    expect(() => loadConfig({ TRUSTED_PROXY: value })).toThrow(/TRUSTED_PROXY: 必须是代理层数/);
  });
});
