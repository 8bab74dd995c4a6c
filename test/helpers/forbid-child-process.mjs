// Preload (NODE_OPTIONS=--import <this file>): the first use of child_process ends the process with
// exit code 97, naming the call on stderr. ESM named imports see the patch through syncBuiltinESMExports.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import process from 'node:process';

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  childProcess[name] = (...args) => {
    process.stderr.write(`child_process.${name}(${String(args[0])}) called\n${new Error().stack}\n`);
    process.exit(97);
  };
}
syncBuiltinESMExports();
