// Message codes of the logger itself, each with the sentence the codes doc shows.

export const LOG_CODES = {
  LOG_CONFIG_ERROR:
    'The log section cannot be used as written (unknown level, missing or unwritable log.file, or the syslog destination, which cssh does not support yet).',
} as const;

export type LogCode = keyof typeof LOG_CODES;
