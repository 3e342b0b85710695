import { describe, expect, it } from 'vitest';
import { RegressionMetrics as RegressionMetricsSchema } from '../../../../src-main/contract/metrics';
import { regressionMetrics } from '../../../../src-main/core/metrics/regression';

describe('regressionMetrics', () => {
  it('matches the scikit-learn documentation example, worked by hand', () => {
    // sklearn: y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0.0, 2, 8]
    //   mean_squared_error -> 0.375, root_mean_squared_error -> 0.6123724356957945,
    //   mean_absolute_error -> 0.5, r2_score -> 0.9486081370449679
    // By hand: errors .5, -.5, 0, -1; squares .25 .25 0 1 -> SS_res 1.5, mse 1.5/4 = .375;
    //   |errors| sum 2 -> mae .5; mean y = 11.5/4 = 2.875; deviations .125 -3.375 -.875 4.125,
    //   squares .015625 11.390625 .765625 17.015625 -> SS_tot 29.1875; r2 = 1 - 1.5/29.1875.
    for (const Values of [Float32Array, Float64Array]) {
      const m = regressionMetrics(Values.of(3, -0.5, 2, 7), Values.of(2.5, 0, 2, 8));
      expect(m).toEqual({ kind: 'regression', n: 4, mse: 0.375, rmse: Math.sqrt(0.375), mae: 0.5, r2: expect.any(Number), targetMean: 2.875 });
      expect(m.rmse).toBeCloseTo(0.612372435696, 12);
      expect(m.r2).toBeCloseTo(0.948608137045, 12);
      expect(RegressionMetricsSchema.parse(m)).toEqual(m);
    }
  });

  it('computes a five-point case with a negative R²', () => {
    // y = 1 2 3 4 5, prediction 5 4 3 2 1: errors -4 -2 0 2 4 -> SS_res 40, mse 8, mae 12/5 = 2.4;
    //   mean 3, SS_tot 4+1+0+1+4 = 10 -> r2 = 1 - 40/10 = -3.
    const m = regressionMetrics(Float64Array.of(1, 2, 3, 4, 5), Float64Array.of(5, 4, 3, 2, 1));
    expect(m.mse).toBe(8);
    expect(m.rmse).toBeCloseTo(2.828427124746, 12);
    expect(m.mae).toBe(2.4);
    expect(m.r2).toBe(-3);
  });

  it('gives r2 null when the targets are constant', () => {
    // 0.1 is not exact in float32: the mean need not equal the values, yet r2 is still null.
    const m = regressionMetrics(new Float32Array(7).fill(0.1), new Float32Array(7).fill(0.2));
    expect(m.r2).toBeNull();
    expect(m.mse).toBeCloseTo(0.01, 7);
    expect(RegressionMetricsSchema.safeParse(m).success).toBe(true);
  });

  it('refuses bad input', () => {
    expect(() => regressionMetrics(Float64Array.of(1, 2), Float64Array.of(1))).toThrow(/2 true values but 1 predicted/);
    expect(() => regressionMetrics(new Float64Array(0), new Float64Array(0))).toThrow(/no rows/);
    expect(() => regressionMetrics(Float64Array.of(1, Number.NaN), Float64Array.of(1, 2))).toThrow(/true value at row 1 is NaN/);
    expect(() => regressionMetrics(Float64Array.of(1, 2), Float64Array.of(Infinity, 2))).toThrow(/prediction at row 0 is Infinity/);
  });
});
