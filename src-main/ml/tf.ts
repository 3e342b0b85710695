// The one place TensorFlow.js is imported from. TF.js keeps one global engine per JavaScript
// realm (process or worker thread): every module of this folder uses it through this file, so
// the flags below are set before anything can create a tensor.
//
// Only the layers API (declarative models) and the core ops (our own training loops) are used;
// backends are chosen in backend.ts.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

// Production mode: no debug checks, and no console chatter. In Node the CPU backend otherwise
// prints "Hi, looks like you are running TensorFlow.js in Node.js..." on its first tensor, and
// kernel re-registrations print warnings; both would pollute the CLI's output (including
// --json output piped into other programs).
tf.env().set('PROD', true);

export { tf, tfl };
export type { LayersModel } from '@tensorflow/tfjs-layers';
