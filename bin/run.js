#!/usr/bin/env node
// Entry point of the cssh command-line tool: hands the arguments to oclif.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
