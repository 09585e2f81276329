// `config validate --format sarif`: the report as SARIF 2.1.0, the format code-scanning services (GitHub, GitLab) read.
import { allCodes } from '../observability/codes.js';
import type { ConfigIssue } from '../config/issues.js';
import type { ValidateReport } from '../config/validate-files.js';

interface SarifResult {
  ruleId: string;
  level: 'error' | 'warning';
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn?: number } } }[];
}

/** A path as a SARIF artifact URI: relative paths stay relative (to the repository root), spaces and the like encoded. */
function artifactUri(file: string): string {
  return file.split('/').map((part) => encodeURIComponent(part)).join('/');
}

function result(file: string, issue: ConfigIssue): SarifResult {
  const text = [
    `${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`,
    issue.expected === undefined ? '' : ` (expected ${issue.expected}${issue.found === undefined ? '' : `, found ${issue.found}`})`,
    issue.hint === undefined ? '' : `; hint: ${issue.hint}`,
  ].join('');
  const region = issue.line === undefined ? undefined : { startLine: issue.line, ...(issue.column === undefined ? {} : { startColumn: issue.column }) };
  return {
    ruleId: issue.code,
    level: issue.severity,
    message: { text },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(issue.file ?? file) }, ...(region === undefined ? {} : { region }) } }],
  };
}

/** The whole report as one SARIF log (one run, one rule per code that occurs, with the code's registered sentence). */
export function renderValidateSarif(report: ValidateReport, version: string): string {
  const results = report.files.flatMap((file) => file.issues.map((issue) => result(file.file, issue)));
  const described = new Map(allCodes().map((entry) => [entry.code, entry.description]));
  const rules = [...new Set(results.map((r) => r.ruleId))].sort().map((id) => ({
    id,
    shortDescription: { text: described.get(id) ?? id },
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'cssh config validate', version, rules } }, results }],
  };
  return JSON.stringify(log, null, 2);
}
