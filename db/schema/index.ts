export * from './accounts';
export * from './organisations';
export * from './notifications';
export * from './wallet';
export * from './tenders';
export * from './rooms';
export * from './escrow';
export * from './mall';
