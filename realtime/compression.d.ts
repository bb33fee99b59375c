// The few parts of `compression` (expressjs) realtime/server.ts uses; it works on plain node:http
// requests and responses, so the Express types (@types/compression) are not needed.
declare module 'compression' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { BrotliOptions, ZlibOptions } from 'node:zlib';

  type Filter = (req: IncomingMessage, res: ServerResponse) => boolean;
  interface Options extends ZlibOptions {
    /** Smallest body compressed, in bytes or a string like '1kb' (default 1 KB). */
    threshold?: number | string;
    brotli?: BrotliOptions;
    filter?: Filter;
  }
  type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  interface Compression {
    (options?: Options): Middleware;
    /** The default filter: compressible Content-Type and no Cache-Control: no-transform. */
    filter: Filter;
  }
  const compression: Compression;
  export default compression;
}
