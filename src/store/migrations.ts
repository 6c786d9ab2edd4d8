/**
 * Numbered schema migrations of the cases database. Each runs once, in order, inside a
 * transaction, and bumps `schema_migrations`. Never edit a shipped migration: add the next one,
 * so that every database in the field (at any earlier version) reaches the same schema.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const CASE_STATUSES = `'new', 'ai-ready', 'in-review', 'corrected', 'signed-off', 'flagged'`;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'core',
    sql: `
      CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        patient_key TEXT NOT NULL UNIQUE,       -- DICOM PatientID, or a generated key for PNG imports
        name TEXT,
        birth_date TEXT,
        sex TEXT,
        created_at TEXT NOT NULL
      );
      -- A case is one study: the images a reader reviews together.
      CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        study_instance_uid TEXT UNIQUE,
        study_date TEXT,
        title TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN (${CASE_STATUSES})),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        view TEXT NOT NULL CHECK (view IN ('coronal', 'transverse')),
        content_hash TEXT NOT NULL UNIQUE,      -- SHA-256 of the file: recognises duplicates
        sop_instance_uid TEXT UNIQUE,
        original_path TEXT NOT NULL,
        format TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        calibration_json TEXT,                  -- null: uncalibrated, never a volume
        meta_json TEXT NOT NULL,
        imported_at TEXT NOT NULL
      );
      CREATE INDEX images_case ON images(case_id);
      -- Every mask version is kept: the AI's and each reader correction.
      CREATE TABLE masks (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        view TEXT NOT NULL CHECK (view IN ('coronal', 'transverse')),
        version INTEGER NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('ai', 'manual')),
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        area_px INTEGER NOT NULL,
        png BLOB NOT NULL,
        UNIQUE (case_id, view, version)
      );
      CREATE TABLE estimates (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        source TEXT NOT NULL CHECK (source IN ('ai', 'manual')),
        coronal_mask_id INTEGER REFERENCES masks(id),
        transverse_mask_id INTEGER REFERENCES masks(id),
        model TEXT NOT NULL,
        model_version TEXT NOT NULL,
        model_hash TEXT NOT NULL,
        provider TEXT NOT NULL,
        volume_ml REAL NOT NULL,
        ci_low_ml REAL NOT NULL,
        ci_high_ml REAL NOT NULL,
        lengths_json TEXT NOT NULL,
        formulas_json TEXT NOT NULL,
        classification_json TEXT NOT NULL,
        warnings_json TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX estimates_case ON estimates(case_id);
      -- Append-only: who did what, when. The triggers make the database itself refuse edits.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        case_id INTEGER,
        detail_json TEXT NOT NULL
      );
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'review-sessions-and-measurements',
    sql: `
      CREATE TABLE measurements (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        view TEXT NOT NULL CHECK (view IN ('coronal', 'transverse')),
        kind TEXT NOT NULL CHECK (kind IN ('length', 'width', 'thickness', 'craniocaudal')),
        value_cm REAL NOT NULL,
        points_json TEXT,                       -- caliper end points in image pixels, if drawn
        author TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE review_sessions (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        reader TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE session_cases (
        session_id INTEGER NOT NULL REFERENCES review_sessions(id),
        case_id INTEGER NOT NULL REFERENCES cases(id),
        position INTEGER NOT NULL,
        time_spent_ms INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (session_id, case_id)
      );
      ALTER TABLE cases ADD COLUMN signed_off_at TEXT;
      ALTER TABLE cases ADD COLUMN signed_off_by TEXT;
      ALTER TABLE cases ADD COLUMN flag_comment TEXT;
    `,
  },
  {
    version: 3,
    name: 'case-versions',
    sql: `
      -- Bumped by every unlock: a signed-off case that changes becomes a new version.
      ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      CREATE INDEX masks_case_view ON masks(case_id, view, version);
      CREATE INDEX audit_log_case ON audit_log(case_id);
    `,
  },
  {
    version: 4,
    name: 'estimate-caliper-lengths',
    sql: `
      -- The reader's caliper lengths an estimate used, as the engine took them ('null': none), so
      -- reports say which lengths were the reader's. NULL on estimates saved before: not known.
      ALTER TABLE estimates ADD COLUMN caliper_lengths_json TEXT;
    `,
  },
  {
    version: 5,
    name: 'estimate-inputs',
    sql: `
      -- What else an estimate was computed from, so that a reopened case shows the reader's own
      -- inputs and a stale estimate is recognised. NULL on estimates saved before: not known.
      -- The calibration of each view when the estimate was asked for: sign-off refuses an
      -- estimate whose calibration is no longer the images' (the reader recalibrated since).
      ALTER TABLE estimates ADD COLUMN calibration_json TEXT;
      -- The patient inputs (age, sex, height) the classification used ('null': none given).
      ALTER TABLE estimates ADD COLUMN patient_json TEXT;
      -- The caliper lines the reader had drawn ('[]': none).
      ALTER TABLE estimates ADD COLUMN caliper_lines_json TEXT;
    `,
  },
  {
    version: 6,
    name: 'pseudonym-key',
    sql: `
      -- The secret key of this installation's anonymised exports (HMAC-SHA-256 pseudonyms of
      -- patient ids, cases and UIDs): one row, created at random the first time an anonymised
      -- export needs it (CaseStore.pseudonymKey). Kept in the database, so that it travels with the
      -- data it pseudonymises (a backup restored keeps every pseudonym) and is as protected as the
      -- real ids beside it. Never changed or removed: a new key would give every patient a new
      -- pseudonym, unlinkable to earlier exports.
      CREATE TABLE pseudonym_key (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        key BLOB NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TRIGGER pseudonym_key_no_update BEFORE UPDATE ON pseudonym_key
        BEGIN SELECT RAISE(ABORT, 'pseudonym_key never changes: pseudonyms would change'); END;
      CREATE TRIGGER pseudonym_key_no_delete BEFORE DELETE ON pseudonym_key
        BEGIN SELECT RAISE(ABORT, 'pseudonym_key is never removed: pseudonyms would change'); END;
    `,
  },
  {
    version: 7,
    name: 'estimate-check-first',
    sql: `
      -- What an estimate asks the reader to check before trusting its verdicts (checkFirst in
      -- src/clinical/check-first.ts): the views whose unedited AI outline was uncertain, and the
      -- input doubts (views that look swapped, an implausible scale or length). Kept so that the
      -- worklist, the reports and sign-off see them after the estimate is read back.
      -- NULL on estimates saved before: not known.
      ALTER TABLE estimates ADD COLUMN uncertain_outline_json TEXT;
      ALTER TABLE estimates ADD COLUMN input_doubts_json TEXT;
    `,
  },
  {
    version: 8,
    name: 'estimate-check-first-warnings',
    sql: `
      -- Which warning belongs to which check-first item (Estimate.checkFirstWarnings): the report
      -- marks a warning checked at sign-off by this link, not by its wording.
      -- NULL on estimates saved before: the report recognises their warnings by wording.
      ALTER TABLE estimates ADD COLUMN check_first_warnings_json TEXT;
    `,
  },
  {
    version: 9,
    name: 'case-patient-inputs',
    sql: `
      -- The reader's newest patient inputs for the case (age, sex, height; 'null': none given),
      -- saved whenever the viewer sends them, with an estimate or without one: typed on a case not
      -- calibrated yet (no estimate, so estimates.patient_json cannot hold them) they were lost on
      -- leaving the case. NULL: none sent since this column exists (the latest estimate's
      -- patient_json stands for them).
      ALTER TABLE cases ADD COLUMN patient_inputs_json TEXT;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1].version;
