import { forecastDemand, fitHoltWinters } from '../inventory/forecast/index.js';
let seed = 1; const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const pois = (l: number) => { let L = Math.exp(-l), k = 0, p = 1; do { k++; p *= rnd(); } while (p > L); return k - 1; };
const W = [0.35, 1.0, 1.06, 1.04, 1.0, 1.12, 0.5];
const series = (n: number, base: number) => Array.from({ length: n }, (_, t) => pois(base * W[t % 7]! * (1 + t / 400)));
const pairs = Array.from({ length: 2000 }, (_, i) => series(84, 0.5 + (i % 20)));
for (let rep = 0; rep < 3; rep++) {
let t0 = performance.now();
for (const s of pairs) fitHoltWinters(s);
console.log('fit ms per pair', (performance.now() - t0) / pairs.length);
t0 = performance.now();
pairs.forEach((s, i) => forecastDemand(s, 1 + (i % 21)));
console.log('forecast ms per pair', (performance.now() - t0) / pairs.length);
}
let ratio = 0;
for (const s of pairs) ratio += fitHoltWinters(s).mse / fitHoltWinters(s, { exhaustive: true }).mse;
console.log('mse ratio coord/exhaustive', ratio / pairs.length);
