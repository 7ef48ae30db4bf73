// `npm run package`: a production build of the extension and its webviews, then a .vsix written
// by @vscode/vsce. Prints every file in the package with its size, and fails when the package
// contains anything but the bundles, media, the JSON schemas, the manifest, README and LICENSE.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const ALLOWED = [
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/i,
  /^extension\/license(\.txt)?$/i,
  /^extension\/media\//,
  /^extension\/extension\/schemas\/[a-z-]+\.schema\.json$/,
  /^extension\/dist\/extension\/extension\.js$/,
  /^extension\/dist\/webviews\/(?!admin\/)[a-z-]+\/main\.js$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
];

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
}

const { version, name } = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const out = `dist/${name}-${version}.vsix`;
// A clean build, so no source map or bundle left by a development build slips into the package.
fs.rmSync('dist/extension', { recursive: true, force: true });
fs.rmSync('dist/webviews', { recursive: true, force: true });
run('node', ['esbuild.config.mjs', '--production', '--only', 'extension,webviews']);
// The admin page is served by the server, not by VS Code.
fs.rmSync('dist/webviews/admin', { recursive: true, force: true });
// The package's README is the one for users of the extension, not the developers' guide.
run('npx', [
  'vsce',
  'package',
  '--no-dependencies',
  '--readme-path',
  'extension/README.md',
  '--out',
  out,
]);

const listing = spawnSync('unzip', ['-l', out], { encoding: 'utf8' });
if (listing.status !== 0) {
  console.error(`Cannot list ${out}: ${listing.stderr}`);
  process.exit(1);
}
const files = listing.stdout
  .split('\n')
  .map((line) => /^\s*(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line))
  .filter((match) => match !== null && match[2] !== 'Name')
  .map((match) => ({ size: Number(match[1]), path: match[2].trim() }));
const unexpected = files.filter((file) => !ALLOWED.some((pattern) => pattern.test(file.path)));
for (const file of files) {
  console.log(`${String(file.size).padStart(10)}  ${file.path}`);
}
console.log(`${out}: ${files.length} files, ${(fs.statSync(out).size / 1024).toFixed(1)} KiB`);
if (unexpected.length > 0) {
  console.error(
    `Unexpected files in the package: ${unexpected.map((file) => file.path).join(', ')}`,
  );
  process.exit(1);
}
