// The "what if" panel of the PFS and OS pages, and its engine.
//
// rma(yi, vi, {method, test, level, pi}) is a port of helpers.rma (helpers/meta/rma.py) for
// intercept-only models: the EE, DL, HE, SJ, PM, ML, REML and EB estimators with the same
// iteration and convergence settings, the z, Knapp-Hartung ("knha") and ad hoc ("adhoc") tests,
// metafor's prediction interval (pi: "metafor") and Riley's (pi: "riley", t with k - 2 df), and
// I2 as metafor computes it.  The normal and t quantiles are computed here to 1e-12.
// mount(root, input) builds a panel from the JSON the page embeds (helpers.review.whatif).
// Tested under Node against helpers.rma and metafor (tests/test_whatif_js.py).

const EPS = 2.220446049250313e-16;   // numpy's finfo(float).eps
const THRESHOLD = 1e-10;   // convergence of iterative estimators: change in tau2 per step
const MAXITER = 1000;
const TAU2_MAX = 100.0;    // metafor's default upper end of root searches
const BOUNDARY = 1e-8;     // Fisher scoring ending below this tau2 is checked against tau2 = 0

export const METHODS = ["EE", "DL", "HE", "SJ", "PM", "ML", "REML", "EB"];
export const TESTS = ["z", "knha", "adhoc"];

// --------------------------------------------------------------------------- distributions
const LN_SQRT_2PI = 0.918938533204672741780329736406;   // log(sqrt(2 pi))
const LN_SQRT_PI = 0.572364942924700087071713675677;    // log(sqrt(pi)) = lgamma(1/2)

/** Normal quantile, Wichura's AS241 (PPND16), relative accuracy about 1e-16. */
export function qnorm(p) {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const q = p - 0.5;
  let r, val;
  if (Math.abs(q) <= 0.425) {
    r = 0.180625 - q * q;
    return q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r
      + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r
      + 133.14166789178437745) * r + 3.387132872796366608)
      / (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r
      + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r
      + 42.313330701600911252) * r + 1.0);
  }
  r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  if (r <= 5) {
    r -= 1.6;
    val = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
      + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r
      + 4.6303378461565452959) * r + 1.42343711074968357734)
      / (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
      + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r
      + 2.05319162663775882187) * r + 1.0);
  } else {
    r -= 5;
    val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
      + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r
      + 5.4637849111641143699) * r + 6.6579046435011037772)
      / (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
      + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
      + 0.59983220655588793769) * r + 1.0);
  }
  return q < 0 ? -val : val;
}

// log Gamma: Lanczos (g = 607/128, 15 terms, Godfrey's coefficients) for small x,
// Stirling with its correction series from x = 10.
const LANCZOS_G = 607 / 128;
const LANCZOS = [0.99999999999999709182, 57.156235665862923517, -59.597960355475491248,
  14.136097974741747174, -0.49191381609762019978, 0.33994649984811888699e-4, 0.46523628927048575665e-4,
  -0.98374475304879564677e-4, 0.15808870322491248884e-3, -0.21026444172410488319e-3,
  0.21743961811521264320e-3, -0.16431810653676389022e-3, 0.84418223983852743293e-4,
  -0.26190838401581408670e-4, 0.36899182659531622704e-5];

/** Stirling's correction: lgamma(x) - ((x - 1/2) log x - x + log sqrt(2 pi)), for x >= 10. */
function lgammacor(x) {
  const x2 = 1 / (x * x);
  return (1 / 12 + x2 * (-1 / 360 + x2 * (1 / 1260 + x2 * (-1 / 1680 + x2 * (1 / 1188 + x2 * (-691 / 360360
    + x2 * (1 / 156 + x2 * (-3617 / 122400)))))))) / x;
}

function lgamma(x) {
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + lgammacor(x);
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log B(1/2, q), accurate for large q too (as R's lbeta). */
function lbetaHalf(q) {
  if (q >= 10) {
    const corr = lgammacor(q) - lgammacor(q + 0.5);
    return LN_SQRT_PI + corr + 0.5 - 0.5 * Math.log(q + 0.5) + (q - 0.5) * Math.log1p(-0.5 / (q + 0.5));
  }
  return LN_SQRT_PI + lgamma(q) - lgamma(q + 0.5);
}

/** Continued fraction of the regularised incomplete beta function (modified Lentz). */
function betacf(a, b, x) {
  const TINY = 1e-300;
  const qab = a + b, qap = a + 1, qam = a - 1;
  let c = 1, d = 1 - qab * x / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d; h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d; if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** Upper tail P(T > t) of Student's t with df degrees of freedom, for t >= 0. */
function ptUpperPos(t, df) {
  if (t === 0) return 0.5;
  if (t === Infinity) return 0;
  // P(T > t) = I_x(df/2, 1/2) / 2 with x = df / (df + t^2); logs from t to avoid cancellation.
  const a = df / 2, b = 0.5;
  const r = t * t / df;
  const lx = -Math.log1p(r);               // log x
  const l1x = Math.log(r) - Math.log1p(r);  // log(1 - x)
  const x = 1 / (1 + r), x1 = r / (1 + r);
  const front = Math.exp(a * lx + b * l1x - lbetaHalf(a));
  if (x < (a + 1) / (a + b + 2)) return 0.5 * front * betacf(a, b, x) / a;
  return 0.5 * (1 - front * betacf(b, a, x1) / b);
}

/** P(T > t) for Student's t with df degrees of freedom. */
export function pt_upper(t, df) {
  return t >= 0 ? ptUpperPos(t, df) : 1 - ptUpperPos(-t, df);
}

function dt(t, df) {
  return Math.exp(-lbetaHalf(df / 2) - 0.5 * Math.log(df) - (df + 1) / 2 * Math.log1p(t * t / df));
}

/** Hill's algorithm 396: the t quantile exceeded with two-tailed probability P (a start value). */
function hill396(P, n) {
  if (n === 1) return Math.cos(P * Math.PI / 2) / Math.sin(P * Math.PI / 2);
  if (n === 2) return Math.sqrt(2 / (P * (2 - P)) - 2);
  const a = 1 / (n - 0.5), b = 48 / (a * a);
  let c = ((20700 * a / b - 98) * a - 16) * a + 96.36;
  const d = ((94.5 / (b + c) - 3) / b + 1) * Math.sqrt(a * Math.PI / 2) * n;
  let x = d * P, y = Math.pow(x, 2 / n);
  if (y > 0.05 + a) {
    x = qnorm(0.5 * P);
    y = x * x;
    if (n < 5) c += 0.3 * (n - 4.5) * (x + 0.6);
    c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c;
    y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x;
    y = Math.expm1(a * y * y);
  } else {
    y = ((1 / (((n + 6) / (n * y) - 0.089 * d - 0.822) * (n + 2) * 3) + 0.5 / (n + 4)) * y - 1)
      * (n + 1) / (n + 2) + 1 / y;
  }
  return Math.sqrt(n * y);
}

/** Upper quantile of Student's t: the t with P(T > t) = q (scipy's t.isf(q, df)). */
export function qt_upper(q, df) {
  if (!(q > 0 && q < 1) || !(df > 0)) {
    if (q === 0) return Infinity;
    if (q === 1) return -Infinity;
    return NaN;
  }
  if (q === 0.5) return 0;
  if (q > 0.5) return -qt_upper(1 - q, df);   // symmetric; q > 0.5 is not used by the panel
  if (df === Infinity) return -qnorm(q);
  if (df === 1) return 1 / Math.tan(Math.PI * q);   // Cauchy, exact
  if (df === 2) return (1 - 2 * q) / Math.sqrt(2 * q * (1 - q));   // exact
  let t = hill396(2 * q, df);
  if (!(t > 0 && Number.isFinite(t))) t = -qnorm(q);
  for (let i = 0; i < 50; i++) {   // Newton on the accurate upper tail
    const step = (ptUpperPos(t, df) - q) / dt(t, df);
    let next = t + step;
    if (next <= 0) next = t / 2;
    if (Math.abs(next - t) <= 4 * EPS * Math.abs(next)) { t = next; break; }
    t = next;
  }
  return t;
}

/** Upper quantile of the standard normal (scipy's norm.isf(q)). */
export function qnorm_upper(q) {
  return -qnorm(q);
}

// --------------------------------------------------------------------------- numbers as Python prints them
const DV = new DataView(new ArrayBuffer(8));

/** ``format(x, f".{digits}f")`` as Python writes it: the exact binary value rounded half to
 * even (JavaScript's toFixed rounds exact ties away from zero: 0.125 -> "0.13", Python "0.12"). */
export function fmt_fixed(x, digits = 2) {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  DV.setFloat64(0, x);
  const hi = DV.getUint32(0), lo = DV.getUint32(4);
  const negative = (hi >>> 31) === 1;
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e;
  if (bexp === 0) { e = -1074; } else { mant |= 1n << 52n; e = bexp - 1075; }
  // |x| = mant * 2^e; scaled = |x| * 10^digits, rounded half to even
  let rounded;
  const ten = 10n ** BigInt(digits);
  if (e >= 0) {
    rounded = (mant << BigInt(e)) * ten;
  } else {
    const num = mant * ten, den = 1n << BigInt(-e);
    rounded = num / den;
    const rem2 = 2n * (num % den);
    if (rem2 > den || (rem2 === den && (rounded & 1n) === 1n)) rounded += 1n;
  }
  let s = rounded.toString();
  if (digits > 0) {
    s = s.padStart(digits + 1, "0");
    s = s.slice(0, s.length - digits) + "." + s.slice(s.length - digits);
  }
  return (negative ? "-" : "") + s;
}

export const DASH = "\u2013";

/** helpers.fmt_ci: ``0.32–0.64``. */
export function fmt_ci(lb, ub, digits = 2) {
  return `${fmt_fixed(lb, digits)}${DASH}${fmt_fixed(ub, digits)}`;
}

/** helpers.fmt_ratio: ``0.45 (0.32–0.64)``. */
export function fmt_ratio(est, lb, ub, digits = 2) {
  return `${fmt_fixed(est, digits)} (${fmt_ci(lb, ub, digits)})`;
}

// --------------------------------------------------------------------------- the model
function wsum(y, v, tau2) {
  // intercept-only weighted least squares and the quadratic forms of helpers.rma's _quad_forms
  const k = y.length;
  let sw = 0, swy = 0, b2 = 0, b3 = 0;
  for (let i = 0; i < k; i++) {
    const w = 1 / (v[i] + tau2);
    sw += w; swy += w * y[i]; b2 += w * w; b3 += w * w * w;
  }
  const inv = 1 / sw;
  const beta = inv * swy;
  let ypy = 0, yppy = 0;
  for (let i = 0; i < k; i++) {
    const w = 1 / (v[i] + tau2), r = y[i] - beta;
    ypy += w * r * r; yppy += w * w * r * r;
  }
  const a = inv * b2;
  return { sw, inv, beta, ypy, yppy, b2, tr_p: sw - inv * b2, tr_pp: b2 - 2 * inv * b3 + a * a };
}

function qGen(tau2, y, v) {
  let sw = 0, swy = 0;
  for (let i = 0; i < y.length; i++) { const w = 1 / (v[i] + tau2); sw += w; swy += w * y[i]; }
  const beta = (1 / sw) * swy;
  let q = 0;
  for (let i = 0; i < y.length; i++) { const r = y[i] - beta; q += r * r / (v[i] + tau2); }
  return q;
}

function median(a) {
  const s = Float64Array.from(a).sort();
  const n = s.length, h = n >> 1;
  return n % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function metaforTau2Max(y) {
  const m = median(y);
  const mad = 1.4826 * median(y.map((x) => Math.abs(x - m)));
  return Math.max(TAU2_MAX, 10 * mad * mad);
}

/** Root of a decreasing function on [a, b]: scipy's brentq (xtol 1e-15, rtol 4 eps). */
function brentq(f, xa, xb, xtol = 1e-15, rtol = 4 * EPS, iter = MAXITER) {
  let xpre = xa, xcur = xb, xblk = 0, fblk = 0, spre = 0, scur = 0;
  let fpre = f(xpre), fcur = f(xcur);
  if (fpre === 0) return xpre;
  if (fcur === 0) return xcur;
  if (Math.sign(fpre) === Math.sign(fcur)) throw new Error("brentq: f(a) and f(b) must have different signs");
  for (let i = 0; i < iter; i++) {
    if (fpre !== 0 && fcur !== 0 && Math.sign(fpre) !== Math.sign(fcur)) {
      xblk = xpre; fblk = fpre; spre = scur = xcur - xpre;
    }
    if (Math.abs(fblk) < Math.abs(fcur)) {
      xpre = xcur; xcur = xblk; xblk = xpre;
      fpre = fcur; fcur = fblk; fblk = fpre;
    }
    const delta = (xtol + rtol * Math.abs(xcur)) / 2;
    const sbis = (xblk - xcur) / 2;
    if (fcur === 0 || Math.abs(sbis) < delta) return xcur;
    if (Math.abs(spre) > delta && Math.abs(fcur) < Math.abs(fpre)) {
      let stry;
      if (xpre === xblk) {
        stry = -fcur * (xcur - xpre) / (fcur - fpre);
      } else {
        const dpre = (fpre - fcur) / (xpre - xcur), dblk = (fblk - fcur) / (xblk - xcur);
        stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre));
      }
      if (2 * Math.abs(stry) < Math.min(Math.abs(spre), 3 * Math.abs(sbis) - delta)) {
        spre = scur; scur = stry;
      } else {
        spre = sbis; scur = sbis;
      }
    } else {
      spre = sbis; scur = sbis;
    }
    xpre = xcur; fpre = fcur;
    xcur += Math.abs(scur) > delta ? scur : (sbis > 0 ? delta : -delta);
    fcur = f(xcur);
  }
  throw new Error("brentq: no convergence");
}

function tau2HE(y, v) {
  const k = y.length;
  let sy = 0, sv = 0;
  for (let i = 0; i < k; i++) { sy += y[i]; sv += v[i]; }
  const inv = 1 / k, b = inv * sy;
  let rr = 0;
  for (let i = 0; i < k; i++) rr += (y[i] - b) * (y[i] - b);
  return (rr - (sv - inv * sv)) / (k - 1);
}

function fisherStep(y, v, method, tau2) {
  const k = y.length, p = 1;
  const q = wsum(y, v, tau2);
  let adj;
  if (method === "ML") adj = (q.yppy - q.sw) / q.b2;
  else if (method === "REML") adj = (q.yppy - q.tr_p) / q.tr_pp;
  else adj = (q.ypy * k / (k - p) - k) / q.sw;   // EB
  return Number.isFinite(adj) ? adj : 0;
}

class ConvergenceError extends Error {}

function fisherScoring(y, v, method, stepadj) {
  let tau2 = Math.max(0, tau2HE(y, v));
  for (let i = 0; i < MAXITER; i++) {
    let adj = fisherStep(y, v, method, tau2) * stepadj;
    while (tau2 + adj < 0) adj /= 2;
    const old = tau2;
    tau2 = tau2 + adj;
    if (Math.abs(tau2 - old) <= THRESHOLD) return tau2;
  }
  throw new ConvergenceError(`${method}: Fisher scoring did not converge`);
}

function loglik(y, v, tau2, method) {
  const k = y.length;
  const q = wsum(y, v, tau2);
  let slog = 0, rss = 0;
  for (let i = 0; i < k; i++) {
    slog += Math.log(v[i] + tau2);
    const r = y[i] - q.beta;
    rss += r * r / (v[i] + tau2);
  }
  if (method === "ML") return -0.5 * k * Math.log(2 * Math.PI) - 0.5 * slog - 0.5 * rss;
  return -0.5 * (k - 1) * Math.log(2 * Math.PI) - 0.5 * slog - 0.5 * Math.log(q.sw) - 0.5 * rss;
}

function estimateTau2(y, v, method) {
  const k = y.length, p = 1;
  const info = { stepadj: 1, pm_beyond: false };
  if (method === "EE") return [0, info];
  if (method === "HE") return [Math.max(0, tau2HE(y, v)), info];
  if (method === "DL") {
    const q = wsum(y, v, 0);   // weights 1/vi
    return [Math.max(0, (q.ypy - (k - p)) / q.tr_p), info];
  }
  if (method === "SJ") {
    let m = 0;
    for (const x of y) m += x;
    m /= k;
    let s = 0;
    for (const x of y) s += (x - m) * (x - m);
    const tau20 = s / k;
    const q = wsum(y, v, tau20);
    return [Math.max(0, tau20 * q.ypy / (k - p)), info];
  }
  if (method === "PM") {
    const target = k - p;
    if (qGen(0, y, v) < target) return [0, info];
    let hi = metaforTau2Max(y);
    while (qGen(hi, y, v) > target) {
      info.pm_beyond = true;
      hi *= 10;
      if (hi > 1e12) throw new ConvergenceError("Paule-Mandel: no root for tau2 below 1e12");
    }
    return [brentq((t) => qGen(t, y, v) - target, 0, hi), info];
  }
  let tau2 = null;
  for (const stepadj of [1, 0.5, 0.25]) {
    try {
      tau2 = fisherScoring(y, v, method, stepadj);
      info.stepadj = stepadj;
      break;
    } catch (e) {
      if (!(e instanceof ConvergenceError)) throw e;
    }
  }
  if (tau2 === null) throw new ConvergenceError(`${method}: Fisher scoring did not converge, even with damped steps`);
  if (tau2 > 0 && tau2 < BOUNDARY && fisherStep(y, v, method, 0) <= 0) tau2 = 0;
  if ((method === "ML" || method === "REML") && tau2 > THRESHOLD) {
    if (loglik(y, v, 0, method) - loglik(y, v, tau2, method) > Math.pow(EPS, 0.25)) tau2 = 0;
  }
  return [Math.max(0, tau2), info];
}

/**
 * Fit an intercept-only fixed- or random-effects model, as helpers.rma / metafor's rma().
 * Returns {beta, se, zval, ci_lb, ci_ub, pi_lb, pi_ub, tau2, I2, I2_q, H2, QE, k, dfs, s2w, vt,
 * weights (percent), method, test, level, pi, stepadj, pm_beyond}; pi_lb/pi_ub are null where
 * there is no prediction interval (EE models; pi "riley" with k < 3).
 */
export function rma(yi, vi, { method = "REML", test = "z", level = 95, pi = "metafor" } = {}) {
  method = method === "FE" ? "EE" : method;
  if (!METHODS.includes(method)) throw new Error(`method must be one of ${METHODS}, not ${method}`);
  if (!TESTS.includes(test)) throw new Error(`test must be one of ${TESTS}, not ${test}`);
  if (pi !== "metafor" && pi !== "riley") throw new Error(`pi must be 'metafor' or 'riley', not ${pi}`);
  if (!(level > 0 && level < 100)) throw new Error(`level must be in (0, 100), not ${level}`);
  const y = Array.from(yi, Number), v = Array.from(vi, Number);
  if (y.length !== v.length) throw new Error(`yi has ${y.length} values but vi has ${v.length}`);
  if (!y.every(Number.isFinite) || !v.every(Number.isFinite)) throw new Error("yi and vi must be finite");
  if (v.some((x) => x <= 0)) throw new Error("sampling variances must be positive");
  const k = y.length, p = 1;
  if (k === 0) throw new Error("no studies to pool (k = 0)");
  let tau2 = 0, info = { stepadj: 1, pm_beyond: false };
  if (k === 1) test = "z";
  else [tau2, info] = estimateTau2(y, v, method);

  const fit = wsum(y, v, tau2);
  const beta = fit.beta;
  let s2w = 1;
  if (test === "knha" || test === "adhoc") {
    const rss = fit.ypy;
    s2w = rss <= EPS ? 0 : rss / (k - p);
    if (test === "adhoc") s2w = Math.max(1, s2w);
  }
  const se = Math.sqrt(s2w * fit.inv);
  const zval = beta / se;
  const a = 1 - level / 100;
  let dfs = NaN, crit;
  if (test === "z") {
    crit = qnorm_upper(a / 2);
  } else {
    dfs = k - p;
    crit = dfs > 0 ? qt_upper(a / 2, dfs) : NaN;
  }

  let QE = 0, I2 = 0, H2 = 1, I2_q = 0, vt = 0;
  if (k > p) {
    const fe = wsum(y, v, 0);
    QE = Math.max(0, fe.ypy);
    vt = (k - p) / fe.tr_p;
    I2_q = QE > 0 ? Math.max(0, 100 * (QE - (k - p)) / QE) : 0;
    if (method === "EE") { I2 = I2_q; H2 = QE / (k - p); } else { I2 = 100 * tau2 / (vt + tau2); H2 = tau2 / vt + 1; }
  }
  const weights = v.map((x) => 100 * (1 / (x + tau2)) / fit.sw);

  let pi_lb = null, pi_ub = null;
  if (!(method === "EE" || (pi === "riley" && k < 3))) {
    const c = pi === "metafor" ? crit : qt_upper(a / 2, k - 2);
    const half = c * Math.sqrt(se * se + tau2);
    pi_lb = beta - half; pi_ub = beta + half;
  }
  return {
    beta, se, zval, ci_lb: beta - crit * se, ci_ub: beta + crit * se, pi_lb, pi_ub,
    tau2, I2, I2_q, H2, QE, k, dfs, s2w, vt, weights, method, test, level, pi,
    stepadj: info.stepadj, pm_beyond: info.pm_beyond,
  };
}

// --------------------------------------------------------------------------- the panel
const FILTERS = [
  ["low-rob", "low_rob", "low risk of bias", "is at low risk of bias overall"],
  ["reported", "reported", "reported HRs", "has its HR and CI as reported"],
  ["full-text", "full_text", "full papers", "comes from a full paper"],
];

/**
 * The quick filters for ``comparisons``: [{name, text, n, disabled, reason}], one per filter.
 * A filter that would tick fewer than two comparisons pools nothing: it is disabled, and
 * ``reason`` says why (shown on hover and under the buttons).
 */
export function filter_states(comparisons) {
  return FILTERS.map(([name, flag, text, what]) => {
    const n = comparisons.filter((c) => c[flag]).length;
    const reason = n === 0 ? `No comparison ${what}: nothing to pool.`
      : n === 1 ? `Only one comparison ${what}: nothing to pool.` : "";
    return { name, text, n, disabled: n < 2, reason };
  });
}
const TEST_ORDER = ["z", "adhoc", "knha"];
const PANEL_METHODS = ["REML", "DL", "PM", "EE"];

function el(tag, attrs = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, val] of Object.entries(attrs)) e.setAttribute(k, val);
  if (text !== null) e.textContent = text;
  return e;
}

function esc(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * ``s`` broken at spaces into lines of at most ``n`` characters, never cut: a word longer than
 * ``n`` keeps a line of its own, whole.
 */
export function wrap_words(s, n) {
  const lines = [];
  for (const word of String(s).split(/\s+/).filter(Boolean)) {
    if (lines.length && lines[lines.length - 1].length + 1 + word.length <= n) lines[lines.length - 1] += " " + word;
    else lines.push(word);
  }
  return lines.length ? lines : [""];
}

const TICKS = [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50];

const LABEL_CHARS = 22;   // characters a line of the label column holds (165 of 480 units, 12-unit type)

/**
 * A small forest plot of the ticked comparisons as an SVG string (log scale). A comparison's
 * name is wrapped onto as many lines as it needs (never cut); its row grows to fit them, with a
 * little room above and below so that two names do not run together.
 */
export function forest_svg(rows, fit, z, levelText) {
  const W = 480, LAB = 165, R = 14, ROW = 16, LINE = 13, TOP = 6;
  let lo = 0, hi = 0;
  for (const r of rows) {
    const s = Math.sqrt(r.vi);
    lo = Math.min(lo, r.yi - z * s); hi = Math.max(hi, r.yi + z * s);
  }
  if (fit) {
    lo = Math.min(lo, fit.pi_lb ?? fit.ci_lb); hi = Math.max(hi, fit.pi_ub ?? fit.ci_ub);
  }
  lo = Math.max(lo, Math.log(TICKS[0])); hi = Math.min(hi, Math.log(TICKS[TICKS.length - 1]));
  const ticks = TICKS.filter((t) => Math.log(t) >= lo - 1e-12 && Math.log(t) <= hi + 1e-12);
  const below = TICKS.filter((t) => Math.log(t) < lo).pop(), above = TICKS.find((t) => Math.log(t) > hi);
  if (below !== undefined) { ticks.unshift(below); lo = Math.log(below); }
  if (above !== undefined) { ticks.push(above); hi = Math.log(above); }
  const x = (u) => LAB + (W - LAB - R) * (Math.min(Math.max(u, lo), hi) - lo) / (hi - lo);
  const names = rows.map((r) => wrap_words(r.label, LABEL_CHARS));
  const heights = names.map((lines) => ROW + (LINE + 1) * (lines.length - 1) + (lines.length > 1 ? 6 : 0));
  const body = heights.reduce((a, b) => a + b, 0);
  const axisY = TOP + body + ROW * (fit ? 1.6 : 0.6);
  const H = axisY + 28;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H.toFixed(1)}" width="100%" role="img" `
    + `aria-label="Forest plot of the ticked comparisons (hazard ratio, log scale)" class="whatif-svg">`];
  out.push(`<line x1="${x(0).toFixed(1)}" y1="${TOP}" x2="${x(0).toFixed(1)}" y2="${axisY}" class="wf-null"/>`);
  const wmax = fit ? Math.max(...fit.weights) : 1;
  let top = TOP;
  rows.forEach((r, i) => {
    const cy = top + heights[i] / 2, s = Math.sqrt(r.vi);
    top += heights[i];
    const a = x(r.yi - z * s), b = x(r.yi + z * s);
    const side = fit ? 3 + 7 * Math.sqrt(fit.weights[i] / wmax) : 5;
    const first = cy + 4 - (LINE + 1) * (names[i].length - 1) / 2;
    const lines = names[i].map((ln, j) => `<tspan x="4" y="${(first + j * (LINE + 1)).toFixed(1)}">${esc(ln)}</tspan>`);
    out.push(`<text class="wf-label"><title>${esc(r.label)}</title>${lines.join("")}</text>`);
    out.push(`<line x1="${a.toFixed(1)}" y1="${cy.toFixed(1)}" x2="${b.toFixed(1)}" y2="${cy.toFixed(1)}" class="wf-ci"/>`);
    out.push(`<rect x="${(x(r.yi) - side / 2).toFixed(1)}" y="${(cy - side / 2).toFixed(1)}" width="${side.toFixed(1)}" `
      + `height="${side.toFixed(1)}" class="wf-box"/>`);
  });
  if (fit) {
    const cy = TOP + body + ROW * 0.8;
    if (fit.pi_lb !== null) {
      out.push(`<line x1="${x(fit.pi_lb).toFixed(1)}" y1="${cy.toFixed(1)}" x2="${x(fit.pi_ub).toFixed(1)}" `
        + `y2="${cy.toFixed(1)}" class="wf-pi"/>`);
    }
    const l = x(fit.ci_lb), m = x(fit.beta), u = x(fit.ci_ub);
    out.push(`<polygon points="${l.toFixed(1)},${cy.toFixed(1)} ${m.toFixed(1)},${(cy - 6).toFixed(1)} `
      + `${u.toFixed(1)},${cy.toFixed(1)} ${m.toFixed(1)},${(cy + 6).toFixed(1)}" class="wf-diamond"/>`);
    out.push(`<text x="4" y="${(cy + 4).toFixed(1)}" class="wf-label wf-pooled">Pooled (${esc(levelText)} CI; bar: PI)</text>`);
  }
  out.push(`<line x1="${LAB}" y1="${axisY}" x2="${W - R}" y2="${axisY}" class="wf-axis"/>`);
  for (const t of ticks) {
    const tx = x(Math.log(t)).toFixed(1);
    out.push(`<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${axisY + 4}" class="wf-axis"/>`
      + `<text x="${tx}" y="${axisY + 15}" text-anchor="middle" class="wf-tick">${t}</text>`);
  }
  out.push(`<text x="${((LAB + W - R) / 2).toFixed(1)}" y="${axisY + 27}" text-anchor="middle" class="wf-tick">`
    + `Hazard ratio (left of 1 favours MDT)</text>`);
  out.push("</svg>");
  return out.join("");
}

/**
 * Build a panel inside ``root`` from ``input`` (the JSON of helpers.review.whatif.whatif_input:
 * {settings: {method, test, level, pi}, labels, comparisons: [{id, label, yi, vi, low_rob,
 * reported, full_text}]}).  Every change recomputes synchronously in a bubbling change handler.
 * Returns {update, reset}.
 */
export function mount(root, input) {
  const S = input.settings;
  const comps = input.comparisons;
  const labels = input.labels || {};
  const levelText = `${S.level}%`;
  const z = qnorm_upper((1 - S.level / 100) / 2);
  root.textContent = "";
  root.classList.add("whatif");

  root.append(el("p", { class: "whatif-lead" },
    "Untick comparisons or change the model, and the pooled hazard ratio is recomputed in your browser."));

  const controls = el("div", { class: "whatif-controls" });
  const mkSelect = (attr, text, values) => {
    const lab = el("label");
    lab.append(el("span", {}, text));
    const sel = el("select", { [attr]: "" });
    for (const val of values) sel.append(el("option", { value: val }, labels[val] ? `${labels[val]}` : val));
    lab.append(sel);
    controls.append(lab);
    return sel;
  };
  const selMethod = mkSelect("data-estimator", "Estimator of τ²", PANEL_METHODS);
  const selTest = mkSelect("data-test", "Test and CI", TEST_ORDER);
  root.append(controls);

  const filters = el("div", { class: "whatif-filters" });
  filters.append(el("span", {}, "Tick only:"));
  const states = filter_states(comps);
  const why = states.filter((f) => f.disabled).map((f) => f.reason);
  const whyId = `whatif-filter-why-${String(input.outcome || "panel").toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  for (const f of states) {
    const attrs = { type: "button", "data-filter": f.name };
    if (f.disabled) Object.assign(attrs, { disabled: "", title: f.reason, "aria-describedby": whyId });
    filters.append(el("button", attrs, `${f.text} (${f.n})`));
  }
  const reset = el("button", { type: "button", "data-whatif-reset": "", class: "whatif-reset" },
    "Reset to the book's analysis");
  filters.append(reset);
  root.append(filters);
  if (why.length) {
    root.append(el("p", { class: "whatif-filter-why", id: whyId },
      `${why.length === 1 ? "One filter is" : "Some filters are"} off. ${why.join(" ")}`));
  }

  const fieldset = el("fieldset", { class: "whatif-list" });
  const legend = el("legend", {}, `Comparisons pooled (${comps.length} of ${comps.length})`);
  fieldset.append(legend);
  const list = el("div", { class: "whatif-boxes" });
  fieldset.append(list);
  const boxes = comps.map((c) => {
    const lab = el("label");
    const box = el("input", { type: "checkbox", "data-comparison": c.id });
    box.checked = true;
    lab.append(box, document.createTextNode(" " + c.label));
    list.append(lab);
    return box;
  });
  root.append(fieldset);

  const out = el("div", { class: "whatif-out" });
  const slot = (key, term) => {
    const pair = el("div");
    const value = el("output", { "data-whatif": key });
    pair.append(el("span", { class: "whatif-term" }, term), value);
    out.append(pair);
    return value;
  };
  const o = {
    hr: slot("hr", `Pooled HR (${levelText} CI)`),
    pi: slot("pi", `${levelText} prediction interval`),
    tau2: slot("tau2", "τ²"),
    I2: slot("I2", "I²"),
    k: slot("k", "Comparisons (k)"),
  };
  root.append(out);
  const note = el("p", { class: "whatif-note", "aria-live": "polite" });
  root.append(note);
  const forest = el("div", { class: "whatif-forest" });
  root.append(forest);

  function update() {
    legend.textContent = `Comparisons pooled (${boxes.filter((b) => b.checked).length} of ${comps.length})`;
    const use = comps.filter((c, i) => boxes[i].checked);
    const method = selMethod.value, test = selTest.value;
    const k = use.length;
    o.k.textContent = String(k);
    let fit = null;
    const notes = [];
    if (k < 2) {
      for (const key of ["hr", "pi", "tau2", "I2"]) o[key].textContent = "not estimable";
      notes.push("Fewer than two comparisons are ticked: nothing is pooled.");
    } else {
      fit = rma(use.map((c) => c.yi), use.map((c) => c.vi), { method, test, level: S.level, pi: S.pi });
      o.hr.textContent = fmt_ratio(Math.exp(fit.beta), Math.exp(fit.ci_lb), Math.exp(fit.ci_ub));
      if (fit.pi_lb !== null) o.pi.textContent = fmt_ci(Math.exp(fit.pi_lb), Math.exp(fit.pi_ub));   // no estimate
      else o.pi.textContent = method === "EE" ? "none (common-effect model)" : "not computed (k < 3)";
      o.tau2.textContent = fmt_fixed(fit.tau2, 3);
      o.I2.textContent = `${fmt_fixed(fit.I2, 0)}%`;
      if (fit.stepadj !== 1) notes.push(`Fisher scoring needed damped steps (step factor ${fit.stepadj}).`);
      if (fit.pm_beyond) notes.push("The Paule–Mandel τ² lies above metafor's default search limit.");
    }
    const isBook = method === S.method && test === S.test && boxes.every((b) => b.checked);
    notes.unshift(isBook ? "This is the book's analysis." : "Changed from the book's analysis.");
    note.textContent = notes.join(" ");
    forest.innerHTML = forest_svg(use, fit, z, levelText);
  }

  function resetAll() {
    selMethod.value = S.method;
    selTest.value = S.test;
    for (const b of boxes) b.checked = true;
    update();
  }

  root.addEventListener("change", (ev) => {
    if (ev.target.matches("input[data-comparison], select[data-estimator], select[data-test]")) update();
  });
  root.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button");
    if (!btn || !root.contains(btn)) return;
    if (btn.hasAttribute("data-whatif-reset")) { resetAll(); return; }
    const f = FILTERS.find(([name]) => name === btn.getAttribute("data-filter"));
    if (f && !btn.disabled) {
      comps.forEach((c, i) => { boxes[i].checked = Boolean(c[f[1]]); });
      update();
    }
  });
  resetAll();
  root.setAttribute("data-whatif-ready", "");
  return { update, reset: resetAll };
}

// Mount every panel of the page (in a browser only; under Node this module is the engine).
if (typeof document !== "undefined") {
  for (const root of document.querySelectorAll("[data-whatif-root]")) {
    const src = root.querySelector("script[data-whatif-input]");
    if (src) mount(root, JSON.parse(src.textContent));
  }
}
