/**
 * Exact sums of the services' decimal strings ("346.80" + "17.36"), in BigInt units of the
 * largest scale: no JS float ever touches an amount. For breakdowns of figures the service sent
 * (tax by rate = the sum of its rounded line amounts, as the service sums them).
 */
export function sumDecimals(values: readonly string[]): string {
  const parsed = values.map((value) => {
    const match = /^(-)?(\d*)(?:\.(\d*))?$/.exec(value.trim());
    if (!match) throw new RangeError(`not a decimal: ${value}`);
    return { negative: match[1] === "-", whole: match[2] || "0", fraction: match[3] ?? "" };
  });
  const scale = Math.max(0, ...parsed.map((part) => part.fraction.length));
  let total = 0n;
  for (const part of parsed) {
    const units = BigInt(part.whole + part.fraction.padEnd(scale, "0"));
    total += part.negative ? -units : units;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Whether two decimal strings are the same amount ("10.5" and "10.50"). */
export function sameAmount(a: string, b: string): boolean {
  const negated = b.trim().startsWith("-") ? b.trim().slice(1) : `-${b.trim()}`;
  return /^-?[0.]+$/.test(sumDecimals([a, negated]));
}

/** Net and tax per tax rate, summed from the lines. */
export function taxByRate(
  lines: readonly { tax_rate: string; net_amount: string; tax_amount: string }[],
): { rate: string; net: string; tax: string }[] {
  const groups = new Map<string, { net: string[]; tax: string[] }>();
  for (const line of lines) {
    const key = Number(line.tax_rate).toString();
    const group = groups.get(key) ?? { net: [], tax: [] };
    group.net.push(line.net_amount);
    group.tax.push(line.tax_amount);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([rate, group]) => ({ rate, net: sumDecimals(group.net), tax: sumDecimals(group.tax) }));
}
