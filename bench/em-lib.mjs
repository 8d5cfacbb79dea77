// Shared by the electronic-monitoring benchmark scripts (bench/em-*.mjs).

// The IMEI of benchmark device num, as kadam-bench-em makes them: "35" + 12 digits + the Luhn check digit.
export function benchImei(num) {
  const body = `35${String(num).padStart(12, '0')}`;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = Number(body[13 - i]);
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

export function quantile(values, q) {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
}

export const BISHKEK = { lat: 42.8746, lon: 74.5698 };

export function die(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}
