/**
 * `spv report CASE --data-dir DIR --out FILE.pdf [--format pdf|dicom-pdf|dicom-sr] [--anonymise]`
 * `spv report --sample [ID] --out FILE.pdf`: the bundled sample, estimated on the spot (no database).
 */
import { ReportFormatSchema } from '../../api/store-contract';
import { defaultDataDir } from '../../store/data-dir';
import { buildSampleReportPdf } from '../../store-service/report-builder';
import { createStoreService, modelHashOf } from '../../store-service/service';
import { engineFromArgs } from '../engine-options';
import { checkOutputFile, writeOutputFile } from '../output-path';
import { existingDataDirOf, idArgument, parseStoreCommandArgs } from '../store-command-args';
import { EXIT, UsageError } from '../usage';

export const REPORT_USAGE = `Usage: spv report CASE --out FILE [--data-dir DIR] [--format pdf|dicom-pdf|dicom-sr] [--anonymise]
       spv report --sample [SAMPLE-ID] --out FILE.pdf
  Writes the report of a stored case: a PDF, or for PACS a DICOM Encapsulated PDF or Comprehensive SR.
  --sample       the bundled sample case (default sample-03), estimated on the spot; no database needed
  --anonymise    remove patient identifiers: name, birth date, sex and every date and time out;
                 patient id, case id, UIDs and readers' names replaced by pseudonyms keyed with
                 this database's secret (the same patient or reader keeps its pseudonym in every
                 export from this database)
  --data-dir DIR the database folder (default: ${defaultDataDir()})
  --models DIR, --provider LIST, --threads N   as for spv estimate`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseStoreCommandArgs(argv, {
    out: { type: 'string', short: 'o' },
    format: { type: 'string', default: 'pdf' },
    anonymise: { type: 'boolean', default: false },
    anonymize: { type: 'boolean', default: false },
    sample: { type: 'boolean', default: false },
  });
  if (values.help) {
    process.stdout.write(`${REPORT_USAGE}\n`);
    return EXIT.ok;
  }
  if (!values.out) throw new UsageError('give the output file with --out FILE');
  const format = ReportFormatSchema.safeParse(values.format);
  if (!format.success)
    throw new UsageError(`--format must be pdf, dicom-pdf or dicom-sr, got "${values.format}"`);
  if (values.sample) {
    if (format.data !== 'pdf')
      throw new UsageError('the sample report is a PDF only (it has no study to attach DICOM to)');
    if (positionals.length > 1) throw new UsageError('give at most one sample id after --sample');
    // Said, not ignored: a reader who asked for an anonymised report must not get one they believe is.
    if (values.anonymise || values.anonymize)
      throw new UsageError(
        'a bundled sample has no patient to anonymise: --anonymise applies to a stored case (spv report CASE)',
      );
    checkOutputFile(values.out, 'No report was made.');
    const engine = await engineFromArgs(values);
    try {
      const pdf = await buildSampleReportPdf(
        engine,
        positionals[0] ?? null,
        modelHashOf(engine.manifest),
      );
      writeOutputFile(values.out, pdf);
    } finally {
      await engine.close();
    }
    process.stdout.write(`Wrote ${values.out}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError('give one case id (see the worklist or `spv import` output), or --sample');
  // Worded as spv case and spv session word a bad id.
  const caseId = Number(idArgument(positionals[0], 'case'));
  checkOutputFile(values.out, 'No report was made.');
  const dataDir = existingDataDirOf(values);
  const engine = await engineFromArgs(values);
  const service = createStoreService({ dataDir, engine });
  try {
    const anonymise = values.anonymise || values.anonymize;
    const report = await service.renderReport(caseId, format.data, anonymise);
    writeOutputFile(values.out, report.bytes);
    service.store.audit('spv report', 'report.export', caseId, {
      format: format.data,
      anonymise,
      path: values.out,
    });
  } finally {
    service.close();
    await engine.close();
  }
  process.stdout.write(`Wrote ${values.out}\n`);
  return EXIT.ok;
}
