/**
 * The CloudWatch embedded metric format (EMF) specification as a checker:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * (document structure and the JSON schema it publishes). `emfViolations(line)` lists what in one log line breaks
 * a MUST of the specification; an empty list is a valid EMF document.
 */

/** The units the specification's schema allows (CloudWatch's MetricDatum units). */
const UNITS = new Set(['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second',
  'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second',
  'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isName = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 255;
const extra = (o: Record<string, unknown>, allowed: string[], where: string) =>
  Object.keys(o).filter((k) => !allowed.includes(k)).map((k) => `${where} has a member the specification does not define: ${k}`);

export function emfViolations(line: string): string[] {
  const out: string[] = [];
  // The log event is one JSON object with nothing before or after it, at most 1 MB.
  if (Buffer.byteLength(line) > 1024 * 1024) out.push('the log event is larger than 1 MB');
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return ['the log event is not a JSON object'];
  }
  if (!isObject(root)) return ['the log event is not a JSON object'];
  if (line.trim() !== line || line.includes('\n')) out.push('the log event has data around the JSON object');

  const meta = root._aws;
  if (!isObject(meta)) return [...out, '_aws is missing or not an object'];
  if (typeof meta.Timestamp !== 'number' || !Number.isInteger(meta.Timestamp)) out.push('_aws.Timestamp is not an integer (milliseconds since the epoch)');
  const directives = meta.CloudWatchMetrics;
  if (!Array.isArray(directives)) return [...out, '_aws.CloudWatchMetrics is not an array'];

  directives.forEach((d: unknown, i) => {
    const where = `_aws.CloudWatchMetrics[${i}]`;
    if (!isObject(d)) {
      out.push(`${where} is not an object`);
      return;
    }
    out.push(...extra(d, ['Namespace', 'Dimensions', 'Metrics'], where));
    if (!isName(d.Namespace)) out.push(`${where}.Namespace is not a string of 1 to 255 characters`);
    if (!Array.isArray(d.Dimensions) || d.Dimensions.length < 1) {
      out.push(`${where}.Dimensions is not an array of at least one DimensionSet`);
    } else {
      d.Dimensions.forEach((set: unknown, j) => {
        if (!Array.isArray(set)) return out.push(`${where}.Dimensions[${j}] is not an array`);
        if (set.length > 30) out.push(`${where}.Dimensions[${j}] has more than 30 dimension keys`);
        for (const key of set) {
          if (!isName(key)) out.push(`${where}.Dimensions[${j}] holds a key that is not a string of 1 to 255 characters`);
          else if (typeof root[key] !== 'string') out.push(`dimension ${key} has no string target member on the root node`);
        }
        return undefined;
      });
    }
    if (!Array.isArray(d.Metrics)) {
      out.push(`${where}.Metrics is not an array`);
    } else {
      if (d.Metrics.length > 100) out.push(`${where}.Metrics has more than 100 MetricDefinitions`);
      d.Metrics.forEach((m: unknown, j) => {
        const at = `${where}.Metrics[${j}]`;
        if (!isObject(m)) return out.push(`${at} is not an object`);
        out.push(...extra(m, ['Name', 'Unit', 'StorageResolution'], at));
        if (!isName(m.Name)) return out.push(`${at}.Name is not a string of 1 to 255 characters`);
        if (m.Unit !== undefined && !UNITS.has(m.Unit as string)) out.push(`${at}.Unit ${String(m.Unit)} is not a CloudWatch unit`);
        if (m.StorageResolution !== undefined && m.StorageResolution !== 1 && m.StorageResolution !== 60) out.push(`${at}.StorageResolution is not 1 or 60`);
        const target = root[m.Name];
        const numeric = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
        if (Array.isArray(target)) {
          if (target.length > 100) out.push(`metric ${m.Name} has more than 100 values`);
          if (!target.every(numeric)) out.push(`metric ${m.Name} has a value that is not a number`);
        } else if (!numeric(target)) {
          out.push(`metric ${m.Name} has no numeric target member on the root node`);
        }
        return undefined;
      });
    }
  });
  return out;
}
