export declare const REALTIME_NODE_FLAGS: string[];
