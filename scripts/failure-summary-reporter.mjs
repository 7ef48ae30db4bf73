// A node:test reporter that prints one line per failed test (file, name, first line of the error),
// so the end of a long CI log names what failed. Todo tests and suites that only failed because a
// subtest did are left out.
import path from 'node:path';

/** Formats one failure as "file > name: message". */
function describeFailure(data) {
  const error = data.details?.error;
  const cause = error?.cause ?? error;
  const message = String(cause?.message ?? cause ?? 'failed').split('\n')[0];
  const file = data.file ? path.relative(process.cwd(), data.file) : '(no file)';
  return `${file} > ${data.name}: ${message}`;
}

export default async function* failureSummary(source) {
  const failures = [];
  for await (const event of source) {
    if (event.type !== 'test:fail' || event.data.todo !== undefined) {
      continue;
    }
    if (event.data.details?.error?.failureType === 'subtestsFailed') {
      continue;
    }
    failures.push(describeFailure(event.data));
  }
  if (failures.length > 0) {
    yield `${failures.length} failed:\n${failures.map((line) => `  ${line}`).join('\n')}\n`;
  }
}
