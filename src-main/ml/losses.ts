// The losses local training minimises and evaluation reports, as TF.js ops: mean over the
// examples, from probabilities (as Keras does with from_logits=False).
import type { Hyperparameters } from '../contract/records';
import type { TargetKind } from './keras';
import { tf } from './tf';

export type LossName = Hyperparameters['loss'];

const EPSILON = 1e-7;

type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** The loss a target trains with when the run says 'auto'. */
export function resolveLoss(loss: LossName | undefined, target: TargetKind): Exclude<LossName, 'auto'> {
  if (loss && loss !== 'auto') return loss;
  return target === 'binary' ? 'binaryCrossentropy' : target === 'multiclass' ? 'categoricalCrossentropy' : 'mse';
}

/** Mean over examples, from probabilities (as Keras does with from_logits=False). */
export const LOSSES: Record<Exclude<LossName, 'auto'>, LossFunction> = {
  binaryCrossentropy: (y, p) => {
    const q = tf.clipByValue(p, EPSILON, 1 - EPSILON);
    const perElement = tf.add(tf.mul(y, tf.log(q)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q))));
    return tf.neg(tf.mean(perElement)) as tf.Scalar;
  },
  categoricalCrossentropy: (y, p) => {
    const q = tf.clipByValue(tf.div(p, tf.sum(p, -1, true)), EPSILON, 1 - EPSILON);
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(q)), -1))) as tf.Scalar;
  },
  mse: (y, p) => tf.mean(tf.squaredDifference(y, p)) as tf.Scalar,
  mae: (y, p) => tf.mean(tf.abs(tf.sub(y, p))) as tf.Scalar,
};

