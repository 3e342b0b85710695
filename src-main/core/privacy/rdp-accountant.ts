// Rényi-DP accounting for the sampled Gaussian mechanism: each round, every record is included
// independently with probability q and Gaussian noise of standard deviation
// noiseMultiplier x sensitivity is added (Mironov, Talwar and Zhang 2019, "Rényi Differential
// Privacy of the Sampled Gaussian Mechanism", arXiv:1908.10530, section 3.3). A port of
// TF Privacy's rdp_accountant.py / Google dp_accounting's rdp_privacy_accountant.py:
// integer orders by the binomial expansion, fractional orders by the two erfc series, all in
// log space so that large orders and small noise neither overflow nor cancel.

/**
 * Rényi orders used by default: dp_accounting's DEFAULT_RDP_ORDERS, i.e. 1.1, 1.2, ..., 10.9,
 * then 11..63, 128, 256, 512, 1024. The fractional orders below 11 matter when the noise is
 * large or the number of rounds is small, where the best order is close to 1.
 */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, k) => 1 + (k + 1) / 10),
  ...Array.from({ length: 53 }, (_, k) => 11 + k),
  128,
  256,
  512,
  1024,
]);

// ---------------------------------------------------------------------------------------------
// Log-space arithmetic. 0 is -Infinity.

/** log(e^x + e^y). */
function logAdd(x: number, y: number): number {
  const hi = Math.max(x, y);
  const lo = Math.min(x, y);
  if (lo === -Infinity || hi === Infinity) return hi;
  return hi + Math.log1p(Math.exp(lo - hi));
}

/** log(e^x - e^y) for x >= y; NaN when x < y (the caller treats that as a numerical failure). */
function logSub(x: number, y: number): number {
  if (x < y) return Number.NaN;
  if (y === -Infinity) return x;
  if (x === y) return -Infinity;
  const d = x - y;
  // Mächler's log1mexp: expm1 is exact for small gaps, log1p(-exp) for large ones (where expm1
  // would overflow past d = 709).
  return d < Math.LN2 ? y + Math.log(Math.expm1(d)) : x + Math.log1p(-Math.exp(-d));
}

// ---------------------------------------------------------------------------------------------
// log(erfc(x)). W. J. Cody, "Rational Chebyshev approximations for the error function",
// Math. Comp. 23 (1969) 631-637, as in Netlib SPECFUN CALERF: about 1e-16 relative accuracy in
// double precision on each of the three intervals. On x > 4 the approximation is
// erfc(x) = exp(-x^2) / x * (1/sqrt(pi) - R(1/x^2) / x^2), an asymptotic-type rational function
// in 1/x^2 that holds for every x > 4; taking its log directly (never forming exp(-x^2)) gives
// log(erfc(x)) without underflow however large x is.

const SQRT_PI_INV = 5.6418958354775628695e-1;
const ERF_A = [3.1611237438705656, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1];
const ERF_B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];
const ERFC_C = [
  5.64188496988670089e-1, 8.88314979438837594, 6.61191906371416295e1, 2.98635138197400131e2, 8.8195222124176909e2,
  1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3, 2.15311535474403846e-8,
];
const ERFC_D = [
  1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3, 3.29079923573345963e3,
  4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3,
];
const ERFC_P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
const ERFC_Q = [2.56852019228982242, 1.87295284992346047, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];

/** erf(x) for |x| <= 0.46875. */
function erfSmall(x: number): number {
  const z = x * x;
  let num = ERF_A[4]! * z;
  let den = z;
  for (let i = 0; i < 3; i += 1) {
    num = (num + ERF_A[i]!) * z;
    den = (den + ERF_B[i]!) * z;
  }
  return (x * (num + ERF_A[3]!)) / (den + ERF_B[3]!);
}

/** log(erfc(y)) for y > 0.46875. */
function logErfcPositive(y: number): number {
  if (y <= 4) {
    let num = ERFC_C[8]! * y;
    let den = y;
    for (let i = 0; i < 7; i += 1) {
      num = (num + ERFC_C[i]!) * y;
      den = (den + ERFC_D[i]!) * y;
    }
    return -y * y + Math.log((num + ERFC_C[7]!) / (den + ERFC_D[7]!));
  }
  const z = 1 / (y * y);
  let num = ERFC_P[5]! * z;
  let den = z;
  for (let i = 0; i < 4; i += 1) {
    num = (num + ERFC_P[i]!) * z;
    den = (den + ERFC_Q[i]!) * z;
  }
  const r = (z * (num + ERFC_P[4]!)) / (den + ERFC_Q[4]!);
  return -y * y + Math.log((SQRT_PI_INV - r) / y);
}

/** log(erfc(x)) for any x, accurate to ~1e-15 relative (of erfc) even where erfc underflows. */
function logErfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (Math.abs(x) <= 0.46875) return Math.log1p(-erfSmall(x));
  if (x > 0) return logErfcPositive(x);
  // erfc(x) = 2 - erfc(-x), in [1, 2): no precision to lose.
  return Math.log(2 - Math.exp(logErfcPositive(-x)));
}

// ---------------------------------------------------------------------------------------------
// log(A_alpha), where A_alpha = E_{z ~ N(0, sigma^2)} [((1 - q) + q exp((2z - 1) / (2 sigma^2)))^alpha]
// and the RDP at order alpha is log(A_alpha) / (alpha - 1). 0 < q < 1, sigma > 0.

/** Integer alpha: A = sum_i C(alpha, i) q^i (1 - q)^(alpha - i) exp((i^2 - i) / (2 sigma^2)). */
function logAInt(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const twoVar = 2 * sigma * sigma;
  let logA = -Infinity;
  let logBinom = 0; // log C(alpha, i), updated by C(alpha, i + 1) = C(alpha, i) (alpha - i) / (i + 1)
  for (let i = 0; i <= alpha; i += 1) {
    logA = logAdd(logA, logBinom + i * logQ + (alpha - i) * log1mQ + (i * i - i) / twoVar);
    logBinom += Math.log(alpha - i) - Math.log(i + 1);
  }
  return logA;
}

/** Iterations after which the fractional series is abandoned (its order then bounds nothing). */
const MAX_FRAC_TERMS = 100_000;

/**
 * Fractional alpha: A splits at z0, where the two Gaussians' mixture ratio crosses 1, into two
 * series over the generalised binomial C(alpha, i), whose sign alternates once i > alpha.
 * Returns Infinity (a valid, if useless, bound) if the series fails to converge or cancels
 * below zero in floating point, so that the other orders still give an epsilon.
 */
function logAFrac(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const twoVar = 2 * sigma * sigma;
  const scale = Math.SQRT2 * sigma;
  const z0 = sigma * sigma * (log1mQ - logQ) + 0.5;
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  let logBinom = 0; // log |C(alpha, i)|
  let positive = true; // sign of C(alpha, i)
  let lastS0 = -Infinity;
  let lastS1 = -Infinity;
  for (let i = 0; i < MAX_FRAC_TERMS; i += 1) {
    const j = alpha - i;
    const logS0 = logBinom + i * logQ + j * log1mQ + (i * i - i) / twoVar + Math.log(0.5) + logErfc((i - z0) / scale);
    const logS1 = logBinom + j * logQ + i * log1mQ + (j * j - j) / twoVar + Math.log(0.5) + logErfc((z0 - j) / scale);
    if (positive) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    const total = logAdd(logA0, logA1);
    if (Number.isNaN(total)) return Infinity;
    // Stop once both series are past their peak and their terms no longer move the sum: the
    // test is relative to the sum, as in current dp_accounting (the classic "< -30" is absolute).
    // Past i > alpha the terms alternate in sign, so the truncation error is below the last term.
    if (logS0 < lastS0 && logS1 < lastS1 && Math.max(logS0, logS1) < total - 30) return total;
    lastS0 = logS0;
    lastS1 = logS1;
    logBinom += Math.log(Math.abs(alpha - i)) - Math.log(i + 1);
    if (alpha - i < 0) positive = !positive;
  }
  return Infinity;
}

/** RDP of one round at one order. */
function rdpOneRound(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (sigma === 0 || alpha === Infinity) return Infinity;
  if (q === 1) return alpha / (2 * sigma * sigma);
  const logA = Number.isInteger(alpha) ? logAInt(q, sigma, alpha) : logAFrac(q, sigma, alpha);
  // A >= 1 by Jensen; a hair below in floating point when q is tiny means "no divergence".
  return Math.max(0, logA / (alpha - 1));
}

// ---------------------------------------------------------------------------------------------
// Argument checks.

function checkQ(q: number): void {
  if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw new RangeError(`q (the sampling rate) must be in [0, 1], got ${q}`);
}

function checkNoiseMultiplier(noiseMultiplier: number): void {
  if (typeof noiseMultiplier !== 'number' || !(noiseMultiplier >= 0) || noiseMultiplier === Infinity) {
    throw new RangeError(`noiseMultiplier must be finite and >= 0, got ${noiseMultiplier}`);
  }
}

function checkSteps(steps: number): void {
  if (!Number.isSafeInteger(steps) || steps < 0) throw new RangeError(`steps must be an integer >= 0, got ${steps}`);
}

function checkDelta(delta: number): void {
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
}

function checkOrders(orders: readonly number[]): void {
  if (!Array.isArray(orders) || orders.length === 0) throw new RangeError('orders must be a non-empty array');
  orders.forEach((order, k) => {
    // Order 1 is the KL divergence, where log(A)/(alpha - 1) is 0/0; Infinity is allowed.
    if (typeof order !== 'number' || !(order > 1)) throw new RangeError(`orders[${k}] must be > 1, got ${order}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Public API.

/** RDP of `steps` compositions of the sampled Gaussian mechanism, one value per order. q in [0,1], noiseMultiplier >= 0 (0 -> Infinity), steps >= 0 integer. */
export function rdpOfSampledGaussian(
  q: number,
  noiseMultiplier: number,
  steps: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): number[] {
  checkQ(q);
  checkNoiseMultiplier(noiseMultiplier);
  checkSteps(steps);
  checkOrders(orders);
  // RDP composes additively; zero rounds spend nothing (and 0 * Infinity must not become NaN).
  if (steps === 0) return orders.map(() => 0);
  return orders.map((order) => rdpOneRound(q, noiseMultiplier, order) * steps);
}

/**
 * The smallest epsilon over the orders for a given delta, with the order that achieves it.
 * Conversion of Balle et al. 2020 (arXiv:1905.09982, Theorem 21) / Canonne, Kamath and Steinke
 * 2020 (arXiv:2004.00010, Proposition 12), as dp_accounting's compute_epsilon and Opacus's
 * get_privacy_spent: eps = rdp + log((a - 1) / a) - (log(delta) + log(a)) / (a - 1), never below
 * 0. Like dp_accounting, an order whose RDP r satisfies delta^2 > 1 - exp(-r) gives epsilon 0
 * outright (total variation <= sqrt(1 - exp(-KL)) and KL <= RDP). Infinity, with order NaN, when
 * every rdp is infinite.
 */
export function epsilonFromRdp(orders: readonly number[], rdp: readonly number[], delta: number): { epsilon: number; order: number } {
  checkOrders(orders);
  checkDelta(delta);
  if (!Array.isArray(rdp) || rdp.length !== orders.length) {
    throw new RangeError(`rdp must have one value per order (${orders.length}), got ${Array.isArray(rdp) ? rdp.length : typeof rdp}`);
  }
  let best = { epsilon: Infinity, order: Number.NaN };
  for (let k = 0; k < orders.length; k += 1) {
    const a = orders[k]!;
    const r = rdp[k]!;
    if (typeof r !== 'number' || !(r >= 0)) throw new RangeError(`rdp[${k}] must be >= 0, got ${r}`);
    if (r === Infinity) continue;
    let epsilon: number;
    if (delta * delta + Math.expm1(-r) > 0) epsilon = 0;
    else if (a === Infinity) epsilon = r; // the limit of the formula as a -> Infinity
    else epsilon = r + Math.log1p(-1 / a) - (Math.log(delta) + Math.log(a)) / (a - 1);
    if (epsilon < best.epsilon) best = { epsilon, order: a };
  }
  return { epsilon: Math.max(0, best.epsilon), order: best.order };
}

/** Convenience: epsilon after `steps` rounds at sampling rate q and noise multiplier sigma. */
export function epsilonOfSampledGaussian(
  q: number,
  noiseMultiplier: number,
  steps: number,
  delta: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): number {
  checkDelta(delta);
  return epsilonFromRdp(orders, rdpOfSampledGaussian(q, noiseMultiplier, steps, orders), delta).epsilon;
}

export interface AccountantState {
  orders: number[];
  rdp: number[];
  steps: number;
}

/** An accountant that accumulates rounds, possibly with different q and sigma. */
export class RdpAccountant {
  private readonly orders: readonly number[];
  private readonly rdp: number[];
  private totalSteps = 0;
  /** One round's RDP for the last (q, sigma) seen: rounds usually repeat the same pair. */
  private cache: { q: number; noiseMultiplier: number; rdp: readonly number[] } | undefined;

  constructor(orders: readonly number[] = DEFAULT_ORDERS) {
    checkOrders(orders);
    this.orders = Object.freeze([...orders]);
    this.rdp = this.orders.map(() => 0);
  }

  /** Everything the accountant has counted, to store and restore (a resumed run, a party's ledger). */
  state(): AccountantState {
    return { orders: [...this.orders], rdp: [...this.rdp], steps: this.totalSteps };
  }

  static restore(state: AccountantState): RdpAccountant {
    if (state.rdp.length !== state.orders.length || state.rdp.some((r) => !(r >= 0))) {
      throw new RangeError('an accountant state needs one non-negative RDP value per order');
    }
    const accountant = new RdpAccountant(state.orders);
    state.rdp.forEach((r, k) => (accountant.rdp[k] = r));
    accountant.totalSteps = state.steps;
    return accountant;
  }

  /** Rounds added so far. */
  get steps(): number {
    return this.totalSteps;
  }

  /** Adds `steps` rounds (default 1) of the sampled Gaussian mechanism. */
  step(q: number, noiseMultiplier: number, steps = 1): void {
    const added = this.rdpOf(q, noiseMultiplier, steps);
    for (let k = 0; k < this.rdp.length; k += 1) this.rdp[k]! += added[k]!;
    this.totalSteps += steps;
  }

  /** Epsilon spent so far for delta. */
  epsilon(delta: number): number {
    return epsilonFromRdp(this.orders, this.rdp, delta).epsilon;
  }

  /** Epsilon if `steps` more rounds at (q, sigma) were added, without adding them (to stop before a target is exceeded). */
  epsilonAfter(q: number, noiseMultiplier: number, steps: number, delta: number): number {
    checkDelta(delta);
    const added = this.rdpOf(q, noiseMultiplier, steps);
    return epsilonFromRdp(
      this.orders,
      this.rdp.map((r, k) => r + added[k]!),
      delta,
    ).epsilon;
  }

  private rdpOf(q: number, noiseMultiplier: number, steps: number): number[] {
    checkQ(q);
    checkNoiseMultiplier(noiseMultiplier);
    checkSteps(steps);
    if (steps === 0) return this.orders.map(() => 0);
    if (this.cache?.q !== q || this.cache.noiseMultiplier !== noiseMultiplier) {
      this.cache = { q, noiseMultiplier, rdp: rdpOfSampledGaussian(q, noiseMultiplier, 1, this.orders) };
    }
    return this.cache.rdp.map((r) => r * steps);
  }
}
