export { SecAggClient } from './client';
export { SecAggServer } from './server';
export { countsFixedPoint, decodeFixedPoint, encodeFixedPoint, fixedPointFor, type FixedPoint } from './fixed-point';
export { secAggThreshold, SecAggError, type Advertisement, type SecAggRound } from './round';
export { advertisementBytes, type KeyContext } from './signed-keys';
