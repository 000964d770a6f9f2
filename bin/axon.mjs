#!/usr/bin/env node
// The `axon` command (package.json "bin"): the compiled CLI in dist/ (npm ci builds it).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
