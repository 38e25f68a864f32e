// The bundle's entry (build/bundle-cli.mjs): run the CLI on process.argv.
import { runCli } from '../src/cli.js';

runCli();
