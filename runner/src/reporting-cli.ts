#!/usr/bin/env node
/** `npm run reporting`: see reporting-command.ts. */
import { runMain } from './cli-args.js';
import { reportingMain } from './reporting-command.js';

runMain('pennylane-reporting', reportingMain);
