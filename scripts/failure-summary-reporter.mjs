// A node:test reporter that lists each failed test (file, name, the start of the error and the line
// of the test file that threw), so the end of a long CI log names what failed. Todo tests and
// suites that only failed because a subtest did are left out.
import path from 'node:path';

/** Formats one failure as "file > name: message", then the message's next lines and the frame. */
function describeFailure(data) {
  const error = data.details?.error;
  const cause = error?.cause ?? error;
  const lines = String(cause?.message ?? cause ?? 'failed')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, 6);
  const file = data.file ? path.relative(process.cwd(), data.file) : '(no file)';
  const frame = String(cause?.stack ?? '')
    .split('\n')
    .find((line) => data.file !== undefined && line.includes(data.file));
  const rest = [...lines.slice(1), ...(frame ? [frame.trim()] : [])];
  return [
    `${file} > ${data.name}: ${lines[0] ?? 'failed'}`,
    ...rest.map((line) => `    ${line}`),
  ].join('\n');
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
