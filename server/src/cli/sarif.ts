/** SARIF 2.1.0 output of `einsight check`, for code-scanning upload (GitHub and others). */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES } from '../analysis/findings';
import type { Finding, RuleCode, SourceRange } from '../analysis/model';
import { locate, unanalysed, type FileReport } from './check-report';
import { toJson } from './format';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Finding['severity'], 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

const DEFAULT_LEVEL: Record<RuleCode, 'error' | 'warning' | 'note'> = {
  EIN001: 'warning',
  EIN002: 'error',
  EIN003: 'error',
  EIN004: 'warning',
  EIN005: 'warning',
  EIN006: 'warning',
  EIN007: 'note',
  EIN008: 'warning',
  EIN009: 'error',
  EIN010: 'note',
};

/** `root` is the folder relative paths are resolved against (`%SRCROOT%`). */
export function sarifReport(reports: FileReport[], version: string, root: string): string {
  const codes = Object.keys(RULES) as RuleCode[];
  const results = reports.flatMap((report) =>
    report.analysis.findings.map((finding) => {
      const { cell, line, column, region } = sarifRegion(report, finding.range);
      const properties = {
        ...(cell !== undefined ? { cell, line, column } : {}),
        ...(finding.speedup !== null ? { speedup: Number(finding.speedup.toPrecision(6)) } : {}),
      };
      return {
        ruleId: finding.code,
        ruleIndex: codes.indexOf(finding.code),
        level: LEVEL[finding.severity],
        message: { text: inCell(cell, line, finding.message) },
        locations: [{ physicalLocation: { artifactLocation: artifactLocation(report.path), ...region } }],
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
      };
    }),
  );
  // Files not analysed, or not fully: the run says so, or a clean upload would claim too much.
  const toolExecutionNotifications = unanalysed(reports).map(({ report, range, reason }) => {
    const { cell, line, region } = sarifRegion(report, range);
    return {
      level: 'warning',
      message: { text: inCell(cell, line, reason) },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(report.path), ...region } }],
    };
  });
  const rootUri = pathToFileURL(root).href;
  return toJson(
    {
      $schema: SARIF_SCHEMA,
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'einsight',
              version,
              rules: codes.map((code) => ({
                id: code,
                name: RULES[code].name,
                shortDescription: { text: RULES[code].summary },
                help: { text: `${RULES[code].summary} See docs/rules/${code}.md in the einsight repository.` },
                defaultConfiguration: { level: DEFAULT_LEVEL[code] },
              })),
            },
          },
          originalUriBaseIds: { '%SRCROOT%': { uri: rootUri.endsWith('/') ? rootUri : `${rootUri}/` } },
          columnKind: 'utf16CodeUnits',
          invocations: [{ executionSuccessful: true, toolExecutionNotifications }],
          results,
        },
      ],
    },
    2,
  );
}

/**
 * A region counts lines of the file itself; a notebook's lines live inside its JSON, so a
 * notebook location names the whole file and its message says the cell and line.
 */
function sarifRegion(report: FileReport, range: SourceRange) {
  const { cell, line, column, endLine, endColumn } = locate(report, range);
  return { cell, line, column, region: cell === undefined ? { region: { startLine: line, startColumn: column, endLine, endColumn } } : {} };
}

function inCell(cell: number | undefined, line: number, message: string): string {
  return cell === undefined ? message : `Cell ${cell}, line ${line}: ${message}`;
}

/** Relative paths resolve against `%SRCROOT%` (where the command ran); absolute ones are file URLs. */
function artifactLocation(path: string): { uri: string; uriBaseId?: string } {
  return isAbsolute(path) ? { uri: pathToFileURL(path).href } : { uri: encodeURI(path), uriBaseId: '%SRCROOT%' };
}
