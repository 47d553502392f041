// Runs the what-if engine (_static/whatif/meta.js) on the inputs of tests/test_whatif_js.py:
//   node tests/whatif/run_meta.mjs inputs.json   ->  JSON on stdout
// inputs: {fits: [{yi, vi, method, test, level, pi}], t: [[q, df]], norm: [q], fmt: [[x, digits]],
//          wrap: [[text, n]], filters: [comparisons], svg: [{rows, fit: {yi, vi, method, test} | null, z}]}
import { readFileSync } from "node:fs";
import { rma, qt_upper, qnorm_upper, fmt_fixed, wrap_words, filter_states, forest_svg } from "../../_static/whatif/meta.js";

const inp = JSON.parse(readFileSync(process.argv[2], "utf8"));
const fitOf = (c) => {
  try {
    const r = rma(c.yi, c.vi, { method: c.method, test: c.test, level: c.level ?? 95, pi: c.pi ?? "metafor" });
    const { beta, se, ci_lb, ci_ub, pi_lb, pi_ub, tau2, I2, QE, k, stepadj, pm_beyond } = r;
    return { beta, se, ci_lb, ci_ub, pi_lb, pi_ub, tau2, I2, QE, k, stepadj, pm_beyond };
  } catch (e) {
    return { error: String(e.message) };
  }
};
const out = {
  fits: (inp.fits ?? []).map(fitOf),
  t: (inp.t ?? []).map(([q, df]) => qt_upper(q, df)),
  norm: (inp.norm ?? []).map((q) => qnorm_upper(q)),
  fmt: (inp.fmt ?? []).map(([x, d]) => fmt_fixed(x, d)),
  wrap: (inp.wrap ?? []).map(([text, n]) => wrap_words(text, n)),
  filters: (inp.filters ?? []).map((comps) => filter_states(comps)),
  svg: (inp.svg ?? []).map(({ rows, fit, z }) => forest_svg(rows,
    fit ? rma(fit.yi, fit.vi, { method: fit.method, test: fit.test }) : null, z, "95%")),
};
process.stdout.write(JSON.stringify(out));
