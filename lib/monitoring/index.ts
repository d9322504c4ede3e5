export { M2mPrices } from './prices';
export * from './props';
