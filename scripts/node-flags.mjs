/**
 * Node/V8 flags of the realtime service (`npm start`, `npm run start:realtime`; the rooms bench uses the
 * same, or `--node-flags` to compare). Empty until a measurement says otherwise (docs/decisions).
 */
export const REALTIME_NODE_FLAGS = [];
